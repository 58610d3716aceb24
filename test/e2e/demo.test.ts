/**
 * `visage demo fineclipper` and `visage demo hesp` (issue 13): each runs end to end in a fresh folder,
 * and the command lines it prints are real: re-running one printed line reproduces its output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { printedCommands } from '../helpers/printed-commands.ts';

const section = (out: string, command: string) => out.split(/\n(?=\n# )/).find((s) => s.includes(`$ visage ${command}`))!.split('\n').slice(3).join('\n').trim();

describe('visage demo', () => {
  it('fineclipper: trains past zero-shot, prints every command, and a printed predict reproduces its report', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-demo-')), 'fc');
    const t0 = performance.now();
    const r = await runCli('demo', 'fineclipper', '--dir', dir);
    expect(r.code, r.err).toBe(0);
    expect((performance.now() - t0) / 1000).toBeLessThan(60);
    const commands = printedCommands(r.out);
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['extract --dataset', 'train --dataset', 'predict --checkpoint', 'predict --zero-shot', 'eval --predictions', 'pipeline run']);
    const [, trained, zeroShot] = /test UAR ([\d.]+) trained, ([\d.]+) zero-shot/.exec(r.out)!.map(Number);
    expect(trained).toBeGreaterThanOrEqual(90);
    expect(zeroShot).toBeLessThanOrEqual(35);
    const predict = commands[2];
    const before = readFileSync(predict[predict.indexOf('--out') + 1], 'utf8');
    const again = await runCli(...predict);
    expect(again.code, again.err).toBe(0);
    expect(again.out.trim()).toBe(section(r.out, predict.join(' ')));
    expect(readFileSync(predict[predict.indexOf('--out') + 1], 'utf8')).toBe(before);
    // The pipeline step takes the classes from the checkpoint: a row with a label, no error.
    const row = JSON.parse(section(r.out, 'pipeline run').split('\n').filter((l) => l.startsWith('{'))[0]);
    expect(row.error).toBeNull();
    expect(Object.keys(row.probabilities)).toHaveLength(4);
  }, 120_000);

  it('hesp: open-set eval beats chance AUROC, and the printed eval line reproduces its report', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-demo-')), 'hesp');
    const t0 = performance.now();
    const r = await runCli('demo', 'hesp', '--dir', dir);
    expect(r.code, r.err).toBe(0);
    expect((performance.now() - t0) / 1000).toBeLessThan(60);
    const commands = printedCommands(r.out);
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual(['extract --dataset', 'open-set eval', 'eval --predictions', 'pipeline run']);
    expect(Number(/AUROC ([\d.]+) \(known vs unknown/.exec(r.out)![1])).toBeGreaterThan(60);
    const again = await runCli(...commands[2]);
    expect(again.code, again.err).toBe(0);
    expect(again.out.trim()).toBe(section(r.out, commands[2].join(' ')));
    const rows = section(r.out, 'pipeline run').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(rows.map((row) => row.unknown)).toEqual([false, true]);
  }, 120_000);

  it('a --dir that cannot be a folder is a coded error, exit 2', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-demo-')), 'a-file');
    writeFileSync(file, '');
    const r = await runCli('demo', 'hesp', '--dir', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/DEMO_FOLDER_UNUSABLE: cannot use .*a-file as the demo folder/);
  });
});
