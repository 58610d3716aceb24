/**
 * Issue 17, prompting you can swap: prompt builders give prompts with roles, every fusion reads them by
 * role, and {descriptors, hesp-prompts} × {fineclipper, hesp} all run. One `visage demo prompt-grid`
 * (tiny CLIP, synthetic colours, 3 of 5 classes known) trains the HESP and FineCLIPER checkpoints the
 * tests share; its compare is the grid of README's method section.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../core/host/host.ts';
import { noGrad, tensor } from '../../core/compute/index.ts';
import type { ClipResult } from '../../core/pipeline/pipeline.ts';
import { readSplit } from '../../plugins/clip-adapter/src/fineclipper/dataset-splits.ts';
import { loadFineCliper } from '../../plugins/clip-adapter/src/fineclipper/checkpoint-io.ts';
import { featuresOfOutput } from '../../plugins/clip-adapter/src/fineclipper/extract-features.ts';
import { predictLogits } from '../../plugins/clip-adapter/src/fineclipper/train.ts';
import { descriptorTexts, encodeDescriptors } from '../../plugins/clip-adapter/src/fineclipper/descriptors.ts';
import { loadClip } from '../../plugins/clip-adapter/src/model/clip-model.ts';
import { loadHespCheckpoint, readHespThreshold, type LoadedHesp } from '../../plugins/open-set/src/hesp-checkpoint.ts';
import { checkReportInBrowser, hasChromium } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../helpers/shared-data.ts';
import { printedCommands } from '../helpers/printed-commands.ts';

let dir: string, demo: { code: number; out: string; err: string };
let hespFile: string, fcFile: string, hesp: LoadedHesp, known: string[], host: Host;
const p = (...parts: string[]) => path.join(dir, ...parts);

beforeAll(async () => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-prompts-')), 'grid');
  demo = await runCli('demo', 'prompt-grid', '--dir', dir);
  if (demo.code !== 0) throw new Error(demo.err);
  hespFile = p('hesp', 'hesp-3-0.safetensors');
  fcFile = p('fineclipper', 'model.safetensors');
  hesp = await loadHespCheckpoint(hespFile);
  known = hesp.model.classes;
  host = createHost({ modelsDir: p('clip'), cacheDir: p('cache'), logLevel: 'error' });
}, 180_000);
afterAll(async () => { await host?.dispose(); });

/** The synthetic preset with the run's classes and the open-set decider; `set` adds the variant's changes. */
const request = (...set: string[]) => ({ preset: 'fineclipper-synthetic', set: [`classes=${JSON.stringify(known)}`, 'stages.decide.use=visage.open-set/open-set', ...set] });

async function runClips(set: string[], count = 5): Promise<ClipResult[]> {
  const test = (await readSplit({ dataset: 'csv', root: p('data') }, 'test')).items;
  // Known and unknown clips alike.
  const picked = [...test.filter((it) => known.includes(it.label!)).slice(0, count - 2), ...test.filter((it) => !known.includes(it.label!)).slice(0, 2)];
  const pipeline = await host.pipeline(request(...set));
  try {
    const out: ClipResult[] = [];
    for (const it of picked) out.push(await pipeline.run({ path: it.source, id: it.id, label: it.label }));
    return out;
  } finally {
    await pipeline.dispose();
  }
}

const unit = (v: Float32Array) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
const rowsOf = async (t: { data(): Promise<Float32Array> }, k: number) => { const d = await t.data(); const w = d.length / k; return Array.from({ length: k }, (_, i) => d.slice(i * w, (i + 1) * w)); };

describe('prompt roles: any fusion reads any prompt builder', () => {
  it('swapping only stages.prompts.use (by --set) changes the fineclipper logits and the open-set scores, and they are the head applied to the prompts', async () => {
    // The plugin id's dots stay whole in a --set path (the longest installed id after `plugins.`).
    const plugin = `plugins.visage.open-set.checkpoint=${hespFile}`;
    const common = [plugin, `stages.fusion.options.checkpoint=${fcFile}`];
    const withDescriptors = await runClips([...common, 'stages.prompts.use=visage.clip-adapter/descriptors']);
    const withHesp = await runClips([...common, 'stages.prompts.use=visage.open-set/hesp-prompts']);
    const { model } = await loadFineCliper(fcFile);
    const hespPrompts = { positive: (await rowsOf(hesp.model.classPrompts(), 3)).map(unit), negative: await rowsOf(hesp.model.negativeText, 3) };
    for (const [i, r] of withHesp.entries()) {
      const d = withDescriptors[i];
      expect(known.some((c) => Math.abs(r.fusion.logits[c] - d.fusion.logits[c]) > 1e-3)).toBe(true);
      expect(Math.abs(r.decision.knownness - d.decision.knownness)).toBeGreaterThan(1e-3);
      // The FineCLIPER head scored against HESP's tuned class prompts (positive) and "This video is not ..." (negative).
      const features = { id: r.clip.id, levels: { frames: featuresOfOutput(r.levels.frames, 'frames', r.clip.id).tensor } };
      const [expected] = await predictLogits(model, hespPrompts, [features]);
      known.forEach((c, k) => expect(r.fusion.logits[c]).toBeCloseTo(expected[k], 3));
      expect(r.decision.knownness).toBeCloseTo(Math.max(...expected), 3);
    }
  }, 120_000);

  it('with unknown-role prompts the fineclipper fusion scores known-ness itself (HESP\'s ARPL score of its video embedding), and the decider can use it', async () => {
    const fusionScore = ['stages.prompts.use=visage.open-set/hesp-prompts', `stages.prompts.options.checkpoint=${hespFile}`, 'stages.decide.options.score=fusion'];
    const zeroShot = await runClips(fusionScore);
    const sigma = hesp.config.arplFeatureScale;
    const unknown = (await rowsOf(hesp.model.prototypes, 3)).map((c) => c.map((x) => x / sigma));
    for (const r of zeroShot) {
      const frames = r.levels.frames.frameEmbeddings!;
      const v = unit(frames[0].map((_, j) => frames.reduce((s, f) => s + f[j], 0) / frames.length));
      const expected = Math.max(...unknown.map((u) => u.reduce((s, x, j) => s + (v[j] - x) ** 2, 0) / v.length - u.reduce((s, x, j) => s + v[j] * x, 0)));
      expect(r.decision.knownness).toBeCloseTo(expected, 4);
      expect(r.decision.knownness).not.toBeCloseTo(Math.max(...Object.values(r.fusion.logits)), 2);
    }
    const trained = await runClips([...fusionScore, `stages.fusion.options.checkpoint=${fcFile}`]);
    trained.forEach((r, i) => expect(Math.abs(r.decision.knownness - zeroShot[i].decision.knownness)).toBeGreaterThan(1e-4));
    // Descriptors have no unknown prompts, so the fusion gives no known-ness of its own.
    await expect(runClips(['stages.decide.options.score=fusion'], 3)).rejects.toThrow(/OPEN_SET_NO_FUSION_KNOWNNESS|fusion gave none/);
  }, 120_000);

  it('the hesp fusion reads the prompts stage: hesp-prompts reproduce the trained head, descriptors change its output to cosine logits on their positives', async () => {
    const fusion = ['stages.fusion.use=visage.open-set/hesp', `stages.fusion.options.checkpoint=${hespFile}`, 'stages.fusion.options.frames=frames'];
    const withHesp = await runClips([...fusion, 'stages.prompts.use=visage.open-set/hesp-prompts', `stages.prompts.options.checkpoint=${hespFile}`]);
    const withDescriptors = await runClips(fusion);
    const clip = await loadClip(p('clip'), { parts: ['text'] });
    const descriptors = await encodeDescriptors(clip, descriptorTexts(known));
    await clip.release();
    for (const [i, r] of withHesp.entries()) {
      const frames = r.levels.frames.frameEmbeddings!;
      const t = frames.length, dim = frames[0].length;
      const flat = new Float32Array(t * dim);
      frames.forEach((f, j) => flat.set(f, j * dim));
      const backend = hesp.model.textBase.backend;
      const out = noGrad(() => hesp.model.forward(tensor(flat, [1, t, dim], { backend }), tensor(new Float32Array(t), [1, t], { backend })));
      const ensemble = await out.ensemble.data();
      known.forEach((c, k) => expect(r.fusion.logits[c]).toBeCloseTo(ensemble[k], 2));
      const video = unit(await out.video.data());
      const d = withDescriptors[i];
      known.forEach((c, k) => {
        const cos = video.reduce((s, x, j) => s + x * descriptors.positive[k][j], 0);
        expect(d.fusion.logits[c]).toBeCloseTo(100 * cos, 2);
        expect(Math.abs(d.fusion.logits[c] - r.fusion.logits[c])).toBeGreaterThan(1e-2);
      });
      expect(d.fusion.perLevel?.['hesp-arpl']).toBeUndefined();
    }
  }, 120_000);

  it('the hesp preset with only the plugin-wide checkpoint flags the clips below that checkpoint\'s validation threshold', async () => {
    const { threshold } = await readHespThreshold(hespFile);
    // open-set eval's test predictions with this checkpoint: an unknown-class clip below the threshold and a known one above.
    const predictions = readFileSync(p('hesp', 'predictions-3-0.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; knownness: number; known: boolean });
    const below = predictions.find((r) => !r.known && r.knownness < threshold)!, above = predictions.find((r) => r.known && r.knownness > threshold)!;
    const run = async (name: string, ...set: string[]) => {
      const out = p(`${name}.jsonl`);
      // The synthetic clips have no faces: the frames level takes whole frames, and no landmarks.
      const r = await runCli('pipeline', 'run', p('data', below.id), p('data', above.id), '--preset', 'hesp', '--models', p('clip'), '--cache-dir', p('cache'), '--out', out,
        ...['stages.levels.frames.use=visage.clip-adapter/clip-frames-full', 'stages.levels.landmarks.enabled=false', ...set].flatMap((x) => ['--set', x]));
      expect(r.code, r.err).toBe(0);
      return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { knownness: number; unknown: boolean });
    };
    const rows = await run('plugin-wide', `plugins=${JSON.stringify({ 'visage.open-set': { checkpoint: hespFile } })}`);
    expect(rows.map((r) => r.knownness)).toEqual([below.knownness, above.knownness].map((k) => expect.closeTo(k, 3)));
    expect(rows.map((r) => r.unknown)).toEqual([true, false]);
    // The checkpoint given only to the prompt builder sets no threshold; an explicit threshold wins over the plugin-wide one.
    expect((await run('prompts-only', `stages.prompts.options.checkpoint=${hespFile}`)).map((r) => r.unknown)).toEqual([false, false]);
    expect((await run('explicit', `plugins=${JSON.stringify({ 'visage.open-set': { checkpoint: hespFile } })}`, `stages.decide.options.threshold=${below.knownness - 1}`)).map((r) => r.unknown)).toEqual([false, false]);
  }, 120_000);

  it('a fusion needing a role the prompt builder lacks is refused at resolve time, in pipeline explain', async () => {
    const r = await runCli('pipeline', 'explain', '--preset', 'fineclipper-synthetic', '--set', 'stages.prompts.use=visage.core/class-names');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PROMPT_ROLES_MISSING: fusion visage.clip-adapter\/fineclipper reads positive and negative prompts, which the prompt builder visage.core\/class-names does not give/);
    expect(r.err).toMatch(/--set stages.prompts.use=visage\.(clip-adapter\/descriptors|open-set\/hesp-prompts)/);
    const run = await runCli('pipeline', 'run', p('data', 'angry_001'), '--preset', 'fineclipper-synthetic', '--models', p('clip'), '--set', 'stages.prompts.use=visage.core/class-names', '--set', 'stages.fusion.use=visage.open-set/hesp');
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/PROMPT_ROLES_MISSING: fusion visage.open-set\/hesp reads positive prompts/);
    // The hesp preset without a checkpoint stops before its first clip, saying where to set one.
    const none = await runCli('pipeline', 'run', p('data', 'angry_001'), '--preset', 'hesp', '--models', p('clip'), '--cache-dir', p('cache'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/HESP_PROMPTS_NO_CHECKPOINT[\s\S]*stages\.prompts\.options\.checkpoint=FILE/);
    const ok = await runCli('pipeline', 'explain', '--preset', 'hesp', '--set', `stages.prompts.options.checkpoint=${hespFile}`);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('prompt roles  given: positive, negative, unknown; read by the fusion: positive');
  });
});

describe('the 2×2 grid', () => {
  it('prints UAR, accuracy, AUROC and both OSCRs per cell beside zero-shot; each trained cell reproduces its trainer, and the printed compare reproduces the table', async () => {
    const table = demo.out.slice(demo.out.lastIndexOf('open set:'));
    const cells = Object.fromEntries(table.split('\n').slice(2).filter(Boolean).map((l) => { const [name, ...v] = l.trim().split(/\s+/); return [name, v.map(Number)]; }));
    expect(Object.keys(cells)).toEqual(['fineclipper-synthetic', 'descriptors+fineclipper', 'hesp-prompts+fineclipper', 'hesp-prompts+fineclipper-zero-shot', 'descriptors+hesp', 'hesp-prompts+hesp']);
    // HESP in the pipeline = HESP in `open-set eval` (same clips, checkpoint, score): Acc, AUROC, OSCR, OSCR-compat.
    const [, acc, auroc, oscr, oscrC] = /^0\s+\S+\s+\d+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/m.exec(demo.out)!.map(Number);
    expect(cells['hesp-prompts+hesp'].slice(1)).toEqual([acc, auroc, oscr, oscrC]);
    // FineCLIPER in the pipeline = `visage train`'s test UAR on the known clips.
    expect(cells['descriptors+fineclipper'][0]).toBe(Number(/UAR ([\d.]+)\s+WAR/.exec(demo.out)![1]));
    // README's method section shows this table, in this order, and the command that made it.
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('```sh\nvisage demo prompt-grid\n```');
    const tableLines = readme.split('| prompts × fusion |')[1].split('\n').slice(2);
    const readmeRows = tableLines.slice(0, tableLines.findIndex((l) => !l.startsWith('|'))).map((l) => l.split('|').slice(2, 7).map(Number));
    expect(readmeRows).toEqual(Object.values(cells));
    const compare = printedCommands(demo.out).find((c) => c[0] === 'compare')!;
    const report = p('grid.html');
    const again = await runCli(...compare, '--report', report);
    expect(again.code, again.err).toBe(0);
    expect(again.out.slice(again.out.lastIndexOf('open set:'))).toBe(table.trimEnd() + '\n');
    // The HTML report carries the same open-set table, cell for cell.
    const html = readFileSync(report, 'utf8');
    const openSetTable = html.slice(html.indexOf('<h2>Open set: ')).split('</table>')[0];
    expect(openSetTable).toMatch(/<th>UAR<\/th><th>Acc<\/th><th>AUROC<\/th><th>OSCR<\/th><th>OSCR-compat<\/th>/);
    const htmlRows = [...openSetTable.matchAll(/<tr><td>(.*?)<\/tr>/g)].map((m) => m[1].split(/<\/?td>/).filter(Boolean));
    expect(Object.fromEntries(htmlRows.map(([name, ...v]) => [name, v.map(Number)]))).toEqual(cells);
    if (hasChromium) {
      const page = await checkReportInBrowser(report, 'prompt-grid-compare.png');
      expect(page.consoleErrors).toEqual([]);
      expect(page.chartsDrawn).toBe(page.canvases);
    }
  }, 120_000);

  it('runs on a dataset given --dataset, --root, --models and --known: the same clips and seeds give the same grid', async () => {
    const r = await runCli('demo', 'prompt-grid', '--dir', p('on-dataset'), '--dataset', 'csv', '--root', p('data'), '--models', p('clip'),
      '--cache-dir', p('cache'), '--known', '3', '--preset', 'fineclipper-synthetic');
    expect(r.code, r.err).toBe(0);
    expect(r.out.slice(r.out.lastIndexOf('open set:'))).toBe(demo.out.slice(demo.out.lastIndexOf('open set:')));
    expect(printedCommands(r.out).map((c) => c.slice(0, 2).join(' '))).toEqual(['open-set eval', 'train --dataset', 'compare --dataset']);
  }, 120_000);
});

const haveFace = haveShared('faces/astronaut.png');
describe.runIf(haveFace)('the four presets on a face, with checkpoints', () => {
  const classes = () => `classes=${JSON.stringify(known)}`;
  const cases: Array<[string, () => string[]]> = [
    ['fineclipper', () => ['--set', 'frames=8', '--set', classes(), '--set', `stages.fusion.options.checkpoint=${fcFile}`]],
    ['fineclipper-open-set', () => ['--set', 'frames=8', '--set', classes(), '--set', `stages.fusion.options.checkpoint=${fcFile}`]],
    ['fineclipper-hesp-prompts', () => ['--set', 'frames=8', '--set', `stages.prompts.options.checkpoint=${hespFile}`, '--set', `stages.fusion.options.checkpoint=${fcFile}`]],
    ['hesp', () => ['--set', `stages.prompts.options.checkpoint=${hespFile}`, '--set', `stages.decide.options.thresholdFrom=${hespFile}`]],
  ];
  it.each(cases)('%s runs through visage pipeline run', async (preset, flags) => {
    const rows = p(`${preset}.jsonl`);
    const r = await runCli('pipeline', 'run', path.join(FACES_DIR, 'astronaut.png'), '--preset', preset, '--models', p('clip'), '--cache-dir', p('cache'), ...flags(), '--out', rows);
    expect(r.code, r.err).toBe(0);
    const row = JSON.parse(readFileSync(rows, 'utf8').trim());
    expect(row.error).toBeNull();
    expect(known).toContain(row.label);
    expect(Object.keys(row.probabilities).sort()).toEqual([...known].sort());
    expect(Number.isFinite(row.knownness)).toBe(true);
  }, 180_000);
});
