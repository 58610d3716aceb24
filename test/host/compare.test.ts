/**
 * Ground truth in, ids, `visage compare` and `visage ablate`, on real clips made from ../shared faces
 * by scripts/make-labelled-clips.sh, scored by a fixture plugin with three deterministic levels.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { makeLabelledClips, SCORING_PLUGIN } from '../helpers/labelled-clips.ts';
import { haveShared } from '../helpers/shared-data.ts';

const have = haveShared('faces/astronaut.png', 'faces/messi5.jpg', 'faces/face_swapped.jpg', 'faces/Megamind.avi');
let clips = '';
let work = '';
let calls: Record<string, number>;
const scoring = ['--plugin-dir', SCORING_PLUGIN, '--preset', 'scoring'];
const ids = ['happy/astronaut-warm', 'happy/face_swapped-warm', 'happy/megamind-warm', 'happy/messi5-warm', 'neutral/astronaut-plain', 'neutral/face_swapped-plain', 'neutral/megamind-plain', 'neutral/messi5-plain', 'sad/astronaut-cool', 'sad/face_swapped-cool', 'sad/megamind-cool', 'sad/messi5-cool'];
const jsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(!have)('ground truth, clip ids, compare and ablate', () => {
  beforeAll(async () => {
    clips = makeLabelledClips();
    work = mkdtempSync(path.join(os.tmpdir(), 'visage-compare-'));
    ({ calls } = await import(path.join(SCORING_PLUGIN, 'src/index.js')));
  });
  beforeEach(() => {
    process.env.VISAGE_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'visage-cache-'));
    for (const k of Object.keys(calls)) calls[k] = 0;
  });

  it('names clips by their path below the inputs\' common folder, and takes the truth from folder names', async () => {
    const out = path.join(work, 'rows.jsonl');
    const r = await runCli('pipeline', 'run', clips, '--labels-from-folders', ...scoring, '--out', out, '--save-renders', path.join(work, 'renders'));
    expect(r.code).toBe(0);
    const rows = jsonl(out);
    expect(rows.map((x) => x.id).sort()).toEqual(ids);
    for (const row of rows) expect(row.groundTruth).toBe(row.id.split('/')[0]);
    // --save-renders keeps the id as a sub-path, so same-named clips of two folders never mix.
    expect(existsSync(path.join(work, 'renders', 'happy', 'astronaut-warm'))).toBe(true);
    expect(existsSync(path.join(work, 'renders', 'sad', 'astronaut-cool'))).toBe(true);
  }, 120_000);

  it('refuses two inputs with one id, naming both files (exit 2)', async () => {
    const dir = path.join(work, 'collide');
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(clips, 'happy/messi5-warm.mp4'), path.join(dir, 'x.mp4'));
    copyFileSync(path.join(clips, 'sad/messi5-cool.mp4'), path.join(dir, 'x.avi'));
    const r = await runCli('pipeline', 'run', dir, ...scoring);
    expect(r.code).toBe(2);
    expect(r.err).toContain('CLIP_ID_COLLISION');
    expect(r.err).toContain(path.join(dir, 'x.avi'));
    expect(r.err).toContain(path.join(dir, 'x.mp4'));
  });

  it('reads truth from a labels CSV keyed by path or by id, and from a csv dataset split', async () => {
    const byPath = path.join(clips, 'labels.csv');
    writeFileSync(byPath, 'path,label\nhappy/messi5-warm.mp4,sad\n');
    // `pipeline run` writes rows straight to fd 1, so these runs write to files.
    const rowsOf = async (...args: string[]) => {
      const out = path.join(work, 'truth.jsonl');
      const r = await runCli('pipeline', 'run', ...args, ...scoring, '--out', out);
      expect(r.code).toBe(0);
      return jsonl(out);
    };
    expect((await rowsOf(path.join(clips, 'happy/messi5-warm.mp4'), '--labels', byPath))[0].groundTruth).toBe('sad');
    const byId = path.join(work, 'ids.csv');
    writeFileSync(byId, 'id,label\nhappy/messi5-warm,neutral\n');
    const rows = await rowsOf(path.join(clips, 'happy'), path.join(clips, 'sad'), '--labels', byId);
    expect(rows.find((x) => x.id === 'happy/messi5-warm').groundTruth).toBe('neutral');
    expect(rows.find((x) => x.id === 'sad/messi5-cool').groundTruth).toBeUndefined();

    const root = path.join(work, 'csv-dataset');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'train.csv'), 'path,label\n' + ids.map((id) => `${path.join(clips, id)}.mp4,${id.split('/')[0]}`).join('\n'));
    writeFileSync(path.join(root, 'test.csv'), `path,label\n${path.join(clips, 'sad/messi5-cool.mp4')},sad\n`);
    expect((await rowsOf('--dataset', 'csv', '--root', root))[0].groundTruth).toBe('sad');
    expect((await runCli('pipeline', 'run', clips, '--labels', byId, '--labels-from-folders', ...scoring)).err).toContain('GROUND_TRUTH_CONFLICT');
  }, 120_000);

  it('compares variants with paired statistics that agree with visage eval on the rows it writes', async () => {
    const outDir = path.join(work, 'variants');
    const r = await runCli('compare', clips, '--labels-from-folders', ...scoring.slice(0, 2), '--preset', 'scoring', '--variant', 'no-luma', '--set', 'stages.levels.luma.enabled=false', '--out-dir', outDir, '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.hasTruth).toBe(true);
    expect(c.clips).toHaveLength(12);
    expect(c.variants.map((v: { name: string }) => v.name)).toEqual(['scoring', 'no-luma']);
    for (const [i, name] of ['scoring', 'no-luma'].entries()) {
      const e = await runCli('eval', path.join(outDir, `${name}.jsonl`), '--classes', 'happy,neutral,sad', '--json');
      const closed = JSON.parse(e.out).folds[0].closedSet;
      expect(c.variants[i].uar.estimate).toBeCloseTo(closed.uar, 12);
      expect(c.variants[i].war.estimate).toBeCloseTo(closed.war, 12);
      expect(c.variants[i].uar.low).toBeLessThanOrEqual(closed.uar);
      expect(c.variants[i].uar.high).toBeGreaterThanOrEqual(closed.uar);
    }
    // The pair: changed clips, McNemar's discordant counts and the UAR difference from the two row sets.
    const a = new Map(jsonl(path.join(outDir, 'scoring.jsonl')).map((x) => [x.id, x]));
    const b = jsonl(path.join(outDir, 'no-luma.jsonl'));
    const changed = b.filter((x) => a.get(x.id).label !== x.label);
    const pair = c.pairs[0];
    expect(pair.changed.map((x: { id: string }) => x.id).sort()).toEqual(changed.map((x) => x.id).sort());
    expect(pair.mcnemar.b).toBe(changed.filter((x) => a.get(x.id).label === x.groundTruth).length);
    expect(pair.mcnemar.c).toBe(changed.filter((x) => x.label === x.groundTruth).length);
    expect(pair.uarDifference.estimate).toBeCloseTo(c.variants[1].uar.estimate - c.variants[0].uar.estimate, 12);
    expect(pair.agreement).toBeCloseTo(1 - changed.length / 12, 12);
  }, 120_000);

  it('runs a level two variants share once, and a weights-only variant reruns no level; a rerun reads the disk cache', async () => {
    const args = ['compare', clips, '--labels-from-folders', ...scoring, '--variant', 'luma-heavy', '--set', 'stages.levels.luma.weight=3', '--json'];
    const first = JSON.parse((await runCli(...args)).out);
    expect(calls).toEqual({ tint: 12, luma: 12, texture: 12 });
    expect(first.cache).toMatchObject({ ingestRuns: 12, levelRuns: 36, memoryHits: 36 });
    const second = JSON.parse((await runCli(...args)).out);
    expect(calls).toEqual({ tint: 12, luma: 12, texture: 12 });
    expect(second.cache).toMatchObject({ levelRuns: 0, diskHits: 36 });
    expect(second.variants).toEqual(first.variants);
    // A changed option of one level reruns that level only (and nothing that does not need it).
    await runCli('compare', clips, '--labels-from-folders', ...scoring, '--variant', 'gamma', '--set', 'stages.levels.luma.options.gamma=2', '--json');
    expect(calls).toEqual({ tint: 12, luma: 24, texture: 12 });
  }, 180_000);

  it('without truth reports agreement, kappa, changed labels and the probability shift', async () => {
    const r = await runCli('compare', path.join(clips, 'sad'), ...scoring, '--variant', 'tint-only', '--set', 'stages.levels.luma.weight=0', '--set', 'stages.levels.texture.weight=0');
    expect(r.code).toBe(0);
    expect(r.out).toContain('no ground truth');
    expect(r.out).toMatch(/vs scoring +kappa +agree +changed +mean Δp\ntint-only +-?\d\.\d{3} +\d+\.\d\d +\d+ +0\.\d{4}/);
    expect(r.out).not.toContain('UAR');
  });

  it('needs two variants (exit 2)', async () => {
    const r = await runCli('compare', clips, ...scoring);
    expect(r.code).toBe(2);
    expect(r.err).toContain('COMPARE_NEEDS_VARIANTS');
  });

  it('ablates: each level runs once per clip, Shapley values add up, leave-one-out matches a compare variant', async () => {
    const r = await runCli('ablate', clips, '--labels-from-folders', ...scoring, '--no-disk-cache', '--json');
    expect(r.code).toBe(0);
    expect(calls).toEqual({ tint: 12, luma: 12, texture: 12 });
    const a = JSON.parse(r.out);
    expect(a.levels.map((l: { slot: string }) => l.slot)).toEqual(['tint', 'luma', 'texture']);
    expect(Object.keys(a.subsets)).toHaveLength(8);
    expect(a.subsets['']).toBeCloseTo(1 / 3, 12);
    const sum = a.levels.reduce((s: number, l: { shapley: number }) => s + l.shapley, 0);
    expect(sum).toBeCloseTo(a.full.estimate - 1 / 3, 12);
    const c = JSON.parse((await runCli('compare', clips, '--labels-from-folders', ...scoring, '--variant', 'no-luma', '--set', 'stages.levels.luma.enabled=false', '--json')).out);
    expect(a.full.estimate).toBeCloseTo(c.variants[0].uar.estimate, 12);
    const luma = a.levels.find((l: { slot: string }) => l.slot === 'luma');
    expect(luma.uarWithout).toBeCloseTo(c.variants[1].uar.estimate, 12);
    expect(a.subsets['tint+texture']).toBeCloseTo(luma.uarWithout, 12);
    const table = await runCli('ablate', clips, '--labels-from-folders', ...scoring);
    expect(table.out).toMatch(/level +weight +UAR without +drop when removed \[95% CI\] +Shapley/);
    expect((await runCli('ablate', clips, ...scoring)).err).toContain('ABLATE_NEEDS_TRUTH');
  }, 180_000);
});
