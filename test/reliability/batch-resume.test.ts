/**
 * --resume after a killed or interrupted run: the finished rows stand, a torn last line and the
 * SKIPPED/ABORTED rows are dropped, only the missing clips run, and every input ends with one row.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clips, hostileRun, rowsOf, runCliProcess, tmpDir } from './support/spawn-cli.ts';

describe('pipeline run --resume', () => {
  it('keeps finished rows, drops torn and unfinished ones, runs only the rest', async () => {
    const out = path.join(tmpDir(), 'rows.jsonl');
    // A first run that --fail-fast stopped after clip 1: clips 2..5 never ran.
    const first = await runCliProcess(hostileRun('--jobs', '1', '--fail-fast', '--out', out, '--set', 'stages.levels.hostile.options={"mode":"nan","on":[1]}', ...clips(6)));
    expect(first.code).toBe(1);
    expect(rowsOf(readFileSync(out, 'utf8')).map((r) => r.error?.code ?? 'ok')).toEqual(['ok', 'STAGE_OUTPUT_INVALID', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    appendFileSync(out, '{"id":"clip-9","source":"clip:9","lab'); // as a SIGKILL mid-write would leave it

    const second = await runCliProcess(hostileRun('--resume', '--out', out, ...clips(6)));
    expect(second.stderr).toMatch(/resuming .*: 2 finished row\(s\) kept, 5 unfinished or torn dropped; 4 clip\(s\) to run/);
    expect(second.code).toBe(0);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((r) => r.source).sort()).toEqual(clips(6).sort()); // every input exactly once
    expect(rows.filter((r) => r.error?.code === 'STAGE_OUTPUT_INVALID')).toHaveLength(1); // a real failure stands
    expect(second.stderr).toMatch(/4 of 4 clips ok/);
  });

  it('needs --out, and JSON Lines', async () => {
    const r = await runCliProcess(hostileRun('--resume', ...clips(1)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CLI_OPTION_INVALID: --resume needs --out FILE/);
    const csv = path.join(tmpDir(), 'rows.csv');
    writeFileSync(csv, '');
    const c = await runCliProcess(hostileRun('--resume', '--format', 'csv', '--out', csv, ...clips(1)));
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--resume needs --format jsonl/);
  });
});
