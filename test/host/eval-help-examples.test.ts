/** The `visage eval --help` examples that score files run as written (the --open-set one trains HESP: see plugins/open-set tests). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('visage eval --help examples', () => {
  it('runs each example on files of its kind', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-eval-examples-'));
    const write = (name: string, rows: object[]) => writeFileSync(path.join(dir, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const preds = (shift: number) => ['a', 'b', 'c', 'a', 'b', 'c'].map((label, i) => ({ id: `c${i}`, label, predicted: i < shift ? 'a' : label }));
    for (let k = 1; k <= 5; k++) write(`fold${k}.jsonl`, preds(k - 1));
    write('open-set.jsonl', [...preds(1).map((p, i) => ({ ...p, knownness: 0.9 - i / 20, known: true })), { id: 'u', label: 'other', predicted: 'a', knownness: 0.5, known: false }]);
    write('rows.jsonl', preds(2).map((p) => ({ id: p.id, source: `${p.id}.mp4`, groundTruth: p.label, label: p.predicted, probabilities: {}, knownness: 1, unknown: false, levels: {}, timings: {}, error: null })));
    const help = (await runCli('eval', '--help')).out;
    const examples = help.slice(help.indexOf('Examples:')).split('\n').filter((l) => l.startsWith('  visage eval ') && !l.includes('--open-set'));
    expect(examples).toHaveLength(3);
    for (const line of examples) {
      const args = line.trim().split(/\s+/).slice(1).map((a) => (a.endsWith('.jsonl') ? path.join(dir, a) : a));
      const r = await runCli(...args);
      expect(r.code, `${line}\n${r.err}`).toBe(0);
      expect(r.out).toMatch(/UAR|"uar"/);
    }
  });
});
