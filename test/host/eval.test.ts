import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-eval-'));
const file = (name: string, rows: object[]) => {
  const f = path.join(dir, name);
  writeFileSync(f, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
};

// method.md D.6 T4: y = [0,0,0,0,1,1,2], y_hat = [0,0,0,1,1,0,2].
const T4 = [0, 0, 0, 0, 1, 1, 2].map((y, i) => ({ id: `t${i}`, label: `c${y}`, predicted: `c${[0, 0, 0, 1, 1, 0, 2][i]}` }));
// method.md D.6 T1: known S = [0.9, 0.8, 0.7, 0.4], correct = [1,1,0,1]; unknown S = [0.85, 0.5, 0.3].
const T1 = [
  ...[0.9, 0.8, 0.7, 0.4].map((s, i) => ({ id: `k${i}`, label: 'a', predicted: i === 2 ? 'b' : 'a', knownness: s, known: true })),
  ...[0.85, 0.5, 0.3].map((s, i) => ({ id: `u${i}`, label: 'other', predicted: 'a', knownness: s, known: false })),
];

describe('visage eval --predictions', () => {
  it('reproduces the closed-set test vector T4 of method.md', async () => {
    const r = await runCli('eval', '--predictions', file('t4.jsonl', T4), '--json');
    expect(r.code).toBe(0);
    const { closedSet } = JSON.parse(r.out).folds[0];
    expect(closedSet.recall).toEqual([0.75, 0.5, 1]);
    expect(closedSet.uar).toBeCloseTo(0.75, 10);
    expect(closedSet.war).toBeCloseTo(5 / 7, 10);
    expect(closedSet.confusion).toEqual([[3, 1, 0], [1, 1, 0], [0, 0, 1]]);
  });

  it('reproduces the open-set test vector T1 of method.md (AUROC, both OSCRs)', async () => {
    const r = await runCli('eval', '--predictions', file('t1.jsonl', T1), '--json');
    const { openSet } = JSON.parse(r.out).folds[0];
    expect(openSet.auroc).toBeCloseTo(2 / 3, 10);
    expect(openSet.oscr).toBeCloseTo(0.5, 10);
    expect(openSet.oscrCompat).toBeCloseTo(5 / 12, 10);
    expect(openSet.closedSetAccuracy).toBeCloseTo(0.75, 10);
  });

  it('reports mean and std over folds, never pooling them', async () => {
    const perfect = T4.map((r) => ({ ...r, predicted: r.label }));
    const r = await runCli('eval', '--folds', file('f1.jsonl', T4), file('f2.jsonl', perfect), '--json');
    const { summary } = JSON.parse(r.out);
    expect(summary.uar.mean).toBeCloseTo((0.75 + 1) / 2, 10);
    expect(summary.uar.std).toBeCloseTo(0.125, 10);
    expect(summary.war.mean).toBeCloseTo((5 / 7 + 1) / 2, 10);
    const table = await runCli('eval', '--folds', path.join(dir, 'f1.jsonl'), path.join(dir, 'f2.jsonl'));
    expect(table.out).toMatch(/UAR {2}75\.00 {3}WAR {2}71\.43/);
    expect(table.out).toMatch(/mean ± std over 2 folds\n {2}uar {16}87\.50 ± 12\.50/);
  });

  it('refuses several files without --folds, pointing at --folds and visage compare (exit 2)', async () => {
    const r = await runCli('eval', path.join(dir, 'f1.jsonl'), path.join(dir, 'f2.jsonl'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('EVAL_SEVERAL_FILES');
    expect(r.err).toMatch(/--folds.*visage compare/);
    expect((await runCli('eval', '--predictions', path.join(dir, 'f1.jsonl'), path.join(dir, 'f2.jsonl'))).code).toBe(2);
  });

  it('reads run rows: label is the prediction, groundTruth the truth, failed clips left out', async () => {
    const run = T4.map((r) => ({ id: r.id, source: `${r.id}.mp4`, groundTruth: r.label, label: r.predicted, probabilities: {}, knownness: 1, unknown: false, levels: {}, timings: {}, error: null }));
    const failed = { id: 'x', source: 'x.mp4', groundTruth: 'c0', label: null, probabilities: {}, knownness: 0, unknown: false, levels: {}, timings: {}, error: { code: 'MEDIA_DECODE_FAILED' } };
    const r = await runCli('eval', file('run.jsonl', [...run, failed]), '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain('1 rows of failed clips left out');
    const { closedSet } = JSON.parse(r.out).folds[0];
    expect(closedSet.uar).toBeCloseTo(0.75, 10);
    expect(closedSet.confusion).toEqual([[3, 1, 0], [1, 1, 0], [0, 0, 1]]);
    const noTruth = await runCli('eval', file('run-no-truth.jsonl', run.map(({ groundTruth, ...rest }) => rest)));
    expect(noTruth.code).toBe(2);
    expect(noTruth.err).toContain('RUN_ROWS_WITHOUT_TRUTH');
  });

  it('names the file and line of a malformed record (exit 2)', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"label":"a","predicted":"a"}\n{"label":"a"}\n');
    const r = await runCli('eval', '--predictions', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PREDICTIONS_INVALID: .*bad\.jsonl:2: needs string fields "label" and "predicted"/);
  });

  it('treats `visage eval --open-set` as the open-set plugin\'s `open-set eval`', async () => {
    const alias = await runCli('eval', '--open-set', '--help');
    const direct = await runCli('open-set', 'eval', '--help');
    expect(alias.code).toBe(0);
    expect(alias.out).toContain('--known');
    expect(alias.out).toBe(direct.out);
  });
});
