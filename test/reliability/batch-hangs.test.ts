/**
 * Class 1 of the reliability issue: a promise that never settles, in a level or in activate(),
 * costs one clip (or one coded row per input), never the batch; finished rows are not held
 * hostage; Ctrl-C stops the batch gracefully and a second Ctrl-C ends it at once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clips, expectNoStack, hostileRun, rowsOf, runCliProcess, startCli, tmpDir, waitFor } from './support/spawn-cli.ts';

describe('a provider that never settles', () => {
  it('times out as a STAGE_TIMEOUT row, and the other clips are written in input order', async () => {
    const r = await runCliProcess(hostileRun('--stage-timeout', '1', '--set', 'stages.levels.hostile.options={"mode":"hang","on":[0]}', ...clips(4)));
    expect(r.code).toBe(1);
    const rows = rowsOf(r.stdout);
    expect(rows.map((x) => x.source)).toEqual(['clip:0', 'clip:1', 'clip:2', 'clip:3']);
    expect(rows[0].error).toMatchObject({ code: 'STAGE_TIMEOUT', plugin: 'test.hostile', stage: 'levels' });
    expect(rows[0].error.hint).toMatch(/--stage-timeout/);
    expect(rows.slice(1).every((x) => x.error === null && x.label)).toBe(true);
    expect(r.stderr).toMatch(/^3 of 4 clips ok, 1 failed/m);
    expect(r.ms).toBeLessThan(15_000);
    expectNoStack(r.stderr);
  });

  it('an activate() that never resolves gives every input a PLUGIN_ACTIVATION_TIMEOUT row', async () => {
    const config = path.join(tmpDir(), 'hang.json');
    writeFileSync(config, JSON.stringify({ plugins: { 'test.hostile': { activate: 'hang' } } }));
    const r = await runCliProcess(hostileRun('--activation-timeout', '1', '--config', config, ...clips(3)));
    expect(r.code).toBe(1);
    const rows = rowsOf(r.stdout);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.error).toMatchObject({ code: 'PLUGIN_ACTIVATION_TIMEOUT', plugin: 'test.hostile' });
    expect(r.stderr).toMatch(/0 of 3 clips ok, 3 failed/);
  });

  it('finished rows are written after --hold while an earlier clip is stuck (--order auto), and Ctrl-C then ends the stuck one', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'rows.jsonl');
    const run = startCli(hostileRun('--stage-timeout', '0', '--hold', '0.3', '--out', out, '--set', 'stages.levels.hostile.options={"mode":"hang","on":[0]}', ...clips(4)));
    const lines = () => { try { return readFileSync(out, 'utf8').split('\n').filter(Boolean).length; } catch { return 0; } };
    await waitFor(() => lines() === 3);
    expect(run.child.exitCode).toBe(null); // still waiting on clip 0
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(1);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((x) => x.source)).toEqual(['clip:1', 'clip:2', 'clip:3', 'clip:0']);
    expect(rows[3].error).toMatchObject({ code: 'ABORTED' });
    expect(r.stderr).toMatch(/3 of 4 clips ok, 1 not run .*stopped early: interrupted by SIGINT/);
  });

  it('--order input keeps input order even behind a slow clip; --order completion does not wait', async () => {
    const slow = ['--set', 'stages.levels.hostile.options={"mode":"slow","on":[0],"arg":"600"}', '--jobs', '2'];
    const inOrder = await runCliProcess(hostileRun('--order', 'input', ...slow, ...clips(4)));
    expect(rowsOf(inOrder.stdout).map((x) => x.source)).toEqual(['clip:0', 'clip:1', 'clip:2', 'clip:3']);
    const asDone = await runCliProcess(hostileRun('--order', 'completion', ...slow, ...clips(4)));
    expect(rowsOf(asDone.stdout).map((x) => x.source)).toEqual(['clip:1', 'clip:2', 'clip:3', 'clip:0']);
  });

  it('a second SIGINT ends the process at once, with the summary line, even while a plugin hangs in deactivate()', async () => {
    const dir = tmpDir();
    const marker = path.join(dir, 'activated');
    writeFileSync(path.join(dir, 'marker.json'), JSON.stringify({ plugins: { 'test.hostile': { marker } } }));
    const run = startCli(hostileRun('--stage-timeout', '0', '--config', path.join(dir, 'marker.json'), '--set', 'stages.levels.hostile.options={"mode":"hang","on":[0,1,2,3]}', ...clips(4)), { env: { HOSTILE_DEACTIVATE: 'hang' } });
    await waitFor(() => existsSync(marker)); // the batch is under way
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    await waitFor(() => /stopping/.test(run.stderr()));
    await new Promise((r) => setTimeout(r, 500));
    const t = performance.now();
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(performance.now() - t).toBeLessThan(3000);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/SIGINT again: quitting now\. \d+ of 4 clips ok/);
    // Every row that was written is whole.
    for (const line of r.stdout.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });
});
