/**
 * Class names are data: `constructor`, `toString`, `__proto__` and `hasOwnProperty` are classes like
 * any other through a pipeline run, `visage eval` and the open-set features reader, never inherited
 * properties of a lookup object.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFeatureSet } from '../../plugins/open-set/src/features.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir, writeRaw } from './support/files.ts';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

/** A plugin whose level scores clips by names parsed from JSON, as a plugin reading a label file gets them. */
function namesPlugin(dir: string): void {
  const root = path.join(dir, 'names');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({
    name: 'names', publisher: 'test', version: '1.0.0', type: 'module', main: './src/index.js', engines: { visage: '^0.1.0' },
    contributes: { ingesters: [{ id: 'named' }], levels: [{ id: 'names', scores: true }], presets: [{ id: 'names', path: './names.pipeline.json' }] },
  }));
  writeFileSync(path.join(root, 'src', 'index.js'), `
export function activate(ctx) {
  ctx.stages.ingest.provide('named', async (source, call) => {
    if (!source.path.startsWith('named:')) return undefined;
    const frames = Array.from({ length: call.frames }, (_, i) => ({ width: 2, height: 2, rgb: new Uint8Array(12), sourceIndex: i }));
    return { id: source.path.slice(6), source: source.path, kind: 'image', fps: 0, totalFrames: call.frames, frames, indices: frames.map((_, i) => i) };
  });
  // The clip named after a class scores that class highest.
  ctx.stages.levels.provide('names', async ({ clip }) => ({
    scores: JSON.parse(JSON.stringify(Object.fromEntries(${JSON.stringify(NAMES)}.map((n) => [n, n === clip.id ? 0.7 : 0.1])))),
  }));
}
`);
  writeFileSync(path.join(root, 'names.pipeline.json'), JSON.stringify({
    name: 'names', frames: 2, classes: NAMES,
    stages: { ingest: { use: 'test.names/named' }, levels: { names: {} }, prompts: { use: 'visage.core/class-names' }, fusion: { use: 'visage.core/weighted-mean' }, decide: { use: 'visage.core/argmax' } },
  }));
}

describe('classes named like Object.prototype keys', () => {
  it('run through a pipeline and visage eval as ordinary classes', async () => {
    const dir = tmpDir('names');
    namesPlugin(dir);
    const out = path.join(dir, 'rows.jsonl');
    const run = await runCli('pipeline', 'run', '--plugin-dir', dir, '--preset', 'names', '--out', out, ...NAMES.map((n) => `named:${n}`));
    expect(run.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.label)).toEqual(NAMES);
    for (const r of rows) expect(Object.keys(r.probabilities).sort()).toEqual([...NAMES].sort());

    // The rows as a predictions file, with one clip mislabelled on purpose.
    const predictions = rows.map((r, i) => ({ id: r.id, label: i === 3 ? 'constructor' : r.id, predicted: r.label }));
    const file = writeRaw(path.join(dir, 'pred.jsonl'), predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const r = await runCli('eval', '--predictions', file, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out).folds[0].closedSet;
    expect(report.classes).toEqual([...NAMES].sort());
    // constructor: 2 clips, 1 right; toString and __proto__: 1 of 1; hasOwnProperty: no clip of that class.
    expect(report.classes).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(report.recall).toEqual([1, 0.5, null, 1]);
    expect(report.uar).toBeCloseTo((1 + 0.5 + 1) / 3, 10);
    expect(report.war).toBeCloseTo(3 / 4, 10);
    expect(report.absentClasses).toEqual(['hasOwnProperty']);
  });

  it('open-set features files keep a "__proto__" class as data', async () => {
    const dir = tmpDir('feat');
    const classes = ['__proto__', 'constructor', 'toString'];
    const emb = (k: number) => [k, 1 - k / 10];
    // Written by hand: JSON.stringify would drop a "__proto__" key of an object literal.
    const map = (f: (k: number) => number[]) => `{${classes.map((c, k) => `${JSON.stringify(c)}: ${JSON.stringify(f(k))}`).join(', ')}}`;
    const items = classes.map((c, k) => ({ id: `c${k}`, label: c, split: 'train', frames: [emb(k), emb(k)] }));
    const file = writeRaw(path.join(dir, 'f.json'), `{"dim": 2, "classes": ${JSON.stringify(classes)}, "textEmbeddings": ${map(emb)}, "negativeEmbeddings": ${map((k) => emb(k).map((v) => -v))}, "items": ${JSON.stringify(items)}}`);
    const set = await readFeatureSet(file);
    expect(Object.keys(set.textEmbeddings).sort()).toEqual([...classes].sort());
    expect([...set.textEmbeddings['__proto__']]).toEqual([0, 1]);
    const ctor: string = 'constructor';
    expect([...set.negativeEmbeddings[ctor]]).toEqual([-1, -0.9].map((v) => Math.fround(v)));
  });

  it('an open-set features file missing the embedding of class "toString" says so, instead of reading Object.prototype.toString', async () => {
    const dir = tmpDir('feat2');
    const file = writeRaw(path.join(dir, 'f.json'), JSON.stringify({ dim: 2, classes: ['a', 'toString'], textEmbeddings: { a: [1, 0] }, negativeEmbeddings: { a: [0, 1] }, items: [{ id: '1', label: 'a', split: 'train', frames: [[1, 0]] }] }));
    await expect(readFeatureSet(file)).rejects.toMatchObject({ code: 'OPEN_SET_FEATURES_INVALID', message: expect.stringContaining('textEmbeddings["toString"] must be 2 finite numbers') });
  });
});
