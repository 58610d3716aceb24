/**
 * The HTML reports of `compare` and `ablate`, opened in a real headless chromium (offline): no
 * console errors, no network request, every chart drawn with visible marks; screenshots are kept
 * under out/test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkReportInBrowser, hasChromium } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';
import { makeLabelledClips, SCORING_PLUGIN } from '../helpers/labelled-clips.ts';
import { haveShared } from '../helpers/shared-data.ts';
import { writeSyntheticDataset } from '../../core/data/synthetic.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { writeFeatureSet } from '../../plugins/open-set/src/features.ts';
import { buildSyntheticFeatureSet } from '../../plugins/open-set/test/synthetic-features.ts';

const have = haveShared('faces/astronaut.png', 'faces/messi5.jpg', 'faces/face_swapped.jpg', 'faces/Megamind.avi');
if (!hasChromium && process.env.CI === 'true') throw new Error('chromium is required in CI (scripts/install.sh installs it)');
let clips = '';
let work = '';

async function expectGoodPage(file: string, shot: string, minCharts: number) {
  const page = await checkReportInBrowser(file, shot);
  expect(page.consoleErrors).toEqual([]);
  expect(page.requests).toEqual([]);
  expect(page.chartsDrawn).toBe(page.canvases);
  expect(page.canvases).toBeGreaterThanOrEqual(minCharts);
  for (const inked of page.inkedPixels) expect(inked).toBeGreaterThan(500);
  const html = readFileSync(file, 'utf8');
  // No external script or stylesheet (the request listener above catches any other fetch).
  expect(/<script[^>]+src=|<link[^>]+href=/.test(html)).toBe(false);
  return html;
}

describe.skipIf(!have || !hasChromium)('HTML reports in a headless browser', () => {
  beforeAll(() => {
    clips = makeLabelledClips();
    work = mkdtempSync(path.join(os.tmpdir(), 'visage-report-'));
    process.env.VISAGE_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'visage-cache-'));
  });

  it('compare: metrics with intervals, UAR bars, confusion matrices and changed clips with thumbnails', async () => {
    const file = path.join(work, 'compare.html');
    const r = await runCli('compare', clips, '--labels-from-folders', '--plugin-dir', SCORING_PLUGIN, '--preset', 'scoring', '--variant', 'no-luma', '--set', 'stages.levels.luma.enabled=false', '--variant', 'tint-only', '--set', 'stages.levels.luma.weight=0', '--set', 'stages.levels.texture.weight=0', '--report', file);
    expect(r.code).toBe(0);
    const html = await expectGoodPage(file, 'compare-report.png', 2);
    expect(html).toContain('UAR % [95% CI]');
    expect(html).toContain('McNemar exact p');
    expect((html.match(/class="cm"/g) ?? []).length).toBe(3);
    expect(html).toMatch(/<img src="data:image\/png;base64,/);
  }, 120_000);

  it('ablate: contribution bars and every subset', async () => {
    const file = path.join(work, 'ablate.html');
    const r = await runCli('ablate', clips, '--labels-from-folders', '--plugin-dir', SCORING_PLUGIN, '--preset', 'scoring', '--report', file);
    expect(r.code).toBe(0);
    const html = await expectGoodPage(file, 'ablate-report.png', 2);
    expect(html).toContain('Shapley');
    expect(html).toContain('tint+luma+texture');
  }, 120_000);

  it('pipeline run --report: metrics with intervals, the confusion matrix and each level on its own', async () => {
    const file = path.join(work, 'run.html');
    const r = await runCli('pipeline', 'run', clips, '--labels-from-folders', '--plugin-dir', SCORING_PLUGIN, '--preset', 'scoring', '--out', path.join(work, 'run.jsonl'), '--report', file);
    expect(r.code).toBe(0);
    const html = await expectGoodPage(file, 'run-report.png', 1);
    expect(html).toMatch(/<td>scoring<\/td><td>\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\]<\/td>/);
    for (const level of ['tint', 'luma', 'texture']) expect(html).toContain(`<td>${level}</td>`);
  }, 120_000);

  it('embedded against its action units alone: changed clips with AU timelines and face crops', async () => {
    const file = path.join(work, 'embedded.html');
    // Both expression CNNs off, so the AU prototypes alone decide and labels change.
    const r = await runCli('compare', path.join(clips, 'neutral'), path.join(clips, 'happy'), '--labels-from-folders', '--set', 'frames=8', '--preset', 'embedded',
      '--variant', 'au-only', '--set', 'stages.levels.expression.enabled=false', '--set', 'stages.levels.faceapi-expression.enabled=false', '--report', file);
    expect(r.out).toMatch(/variant +UAR \[95% CI\] +WAR \[95% CI\] +failed\nembedded /);
    const html = await expectGoodPage(file, 'embedded-compare-report.png', 3);
    expect(html).toContain('data-chart="au"');
    // Changed clips show the landmarks level's aligned face crop (rendered for those clips only).
    expect(html).toMatch(/<img src="data:image\/png;base64,/);
  }, 180_000);

  it('train --report: loss, validation UAR/WAR and fusion weights per epoch, test confusion matrix', async () => {
    const models = path.join(work, 'tiny-clip');
    await writeTinyClip(models);
    const data = await writeSyntheticDataset(path.join(work, 'synthetic'), { classes: 3, clipsPerClass: 6, frames: 4, trainFraction: 0.67, saturation: 0.15, seed: 3 });
    const file = path.join(work, 'train.html');
    const r = await runCli('train', '--dataset', 'csv', '--root', data.dir, '--models', models, '--cache-dir', path.join(work, 'cache'), '--preset', 'fineclipper-synthetic', '--out', path.join(work, 'run'), '--epochs', '4', '--batch-size', '4', '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = await expectGoodPage(file, 'train-report.png', 2);
    expect(html).toContain('Loss per epoch');
    expect(html).toContain('<td>test</td>');
  }, 120_000);

  it('open-set eval --report: metrics per draw and a ROC curve per draw', async () => {
    const set = await buildSyntheticFeatureSet(path.join(work, 'open-set'), { classes: 5, clipsPerClass: 12, seed: 2 });
    const features = path.join(work, 'features.json');
    await writeFeatureSet(features, set);
    const file = path.join(work, 'open-set.html');
    const r = await runCli('open-set', 'eval', '--features', features, '--known', '3', '--draws', '2', '--epochs', '3', '--report', file);
    expect(r.code, r.err).toBe(0);
    const html = await expectGoodPage(file, 'open-set-report.png', 1);
    expect(html).toContain('data-chart="xy"');
    expect(html).toContain('<td>mean ± std</td>');
  }, 120_000);
});
