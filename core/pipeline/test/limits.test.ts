/**
 * Time limits, abort signals, levels-only runs, debug logging and a safe dispose, on real plugin
 * modules loaded by a real host (probe-plugins.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { probeHost, resetProbe, type ProbeLog } from './probe-plugins.ts';

let log: ProbeLog;
beforeEach(() => {
  log = resetProbe();
});
const hangPreset = { preset: 'probe', set: ['stages.levels.hang.weight=1'] };

describe('time limits on plugin code', () => {
  it('a level that never settles is STAGE_TIMEOUT after --stage-timeout, and its signal fires with that reason', async () => {
    const pl = await probeHost({ stageTimeoutMs: 60 }).pipeline(hangPreset);
    const t0 = performance.now();
    await expect(pl.run({ path: 'x' })).rejects.toMatchObject({ code: 'STAGE_TIMEOUT', plugin: 'test.probe', stage: 'levels', exitCode: 1 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(log.events).toContainEqual(['hang aborted', 'STAGE_TIMEOUT']);
    // The clip's other levels were not left running: the run settled all of them first.
    expect(log.events.filter(([s]) => s === 'fusion')).toEqual([]);
  });

  it('0 means no limit: the run waits until its signal aborts it (ABORTED)', async () => {
    const pl = await probeHost({ stageTimeoutMs: 0 }).pipeline(hangPreset);
    const ac = new AbortController();
    const run = pl.run({ path: 'x' }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 150));
    expect(log.events.some(([s]) => s === 'hang aborted')).toBe(false);
    ac.abort(new Error('Ctrl-C'));
    await expect(run).rejects.toMatchObject({ code: 'ABORTED', message: 'stopped while running: Ctrl-C' });
    expect(log.events).toContainEqual(['hang aborted', 'Error: Ctrl-C']);
  });

  it('an activate() that never settles is PLUGIN_ACTIVATION_TIMEOUT, or ABORTED by the signal', async () => {
    const stuck = { preset: 'probe', set: ['stages.fusion.use=test.stuck/s'] };
    await expect(probeHost({ activationTimeoutMs: 60 }).pipeline(stuck)).rejects.toMatchObject({ code: 'PLUGIN_ACTIVATION_TIMEOUT', plugin: 'test.stuck', stage: 'activate' });
    const ac = new AbortController();
    const creating = probeHost({ activationTimeoutMs: 0 }).pipeline(stuck, { signal: ac.signal });
    setTimeout(() => ac.abort('SIGINT'), 50);
    await expect(creating).rejects.toMatchObject({ code: 'ABORTED', message: 'stopped while running: SIGINT' });
  });
});

describe('levels-only runs, logging and dispose', () => {
  it('levels() runs ingest and the levels, never fusion or decide', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const r = await pl.levels({ path: 'x' });
    expect(Object.keys(r.levels)).toEqual(['a', 'b']);
    expect(r.clip.id).toBe('clip-x');
    expect(Object.keys(r.timings).sort()).toEqual(['ingest', 'levels', 'levels.a', 'levels.b', 'prompts']);
    expect(log.events.map(([s]) => s).filter((s) => s === 'fusion' || s === 'decide')).toEqual([]);
  });

  it('--log-level debug logs every stage call with its time, and a failure with its code', async () => {
    const lines: string[] = [];
    const pl = await probeHost({ logLevel: 'debug', logSink: (l) => lines.push(l) }).pipeline({ preset: 'probe' });
    await pl.run({ path: 'x' });
    for (const call of ['ingest test.probe/src [x]', 'levels test.probe/a [clip-x]', 'levels test.probe/b [clip-x]', 'fusion test.probe/sum [clip-x]', 'decide test.probe/top [clip-x]']) {
      expect(lines.some((l) => new RegExp(`debug: ${call.replace(/[[\]./]/g, '\\$&')}: \\d+\\.\\d ms$`).test(l))).toBe(true);
    }
    await expect(pl.run({ path: 'throw:' })).rejects.toMatchObject({ code: 'PLUGIN_ERROR' });
    expect(lines.some((l) => /debug: ingest test\.probe\/src \[throw:\] failed after [\d.]+ ms: PLUGIN_ERROR: cannot open throw:/.test(l))).toBe(true);
  });

  it('a disposer that throws or a deactivate() that hangs is logged and skipped, never awaited for ever', async () => {
    const lines: string[] = [];
    const pl = await probeHost({ logSink: (l) => lines.push(l), logLevel: 'warn' }).pipeline({ preset: 'probe', set: ['stages.fusion.use=test.grumpy/g'] });
    const t0 = performance.now();
    await pl.dispose();
    expect(performance.now() - t0).toBeLessThan(12_000);
    expect(lines.some((l) => /test\.grumpy: dispose failed: will not dispose/.test(l))).toBe(true);
    expect(lines.some((l) => /test\.grumpy: deactivate\(\) failed: did not finish within 10 s/.test(l))).toBe(true);
    expect(log.events).toContainEqual(['deactivate', 'test.probe']);
  }, 20_000);
});
