import { describe, expect, it } from 'vitest';
import { StageProfiler, type StageSpan } from '../stage-profiler.ts';
import { createStageHooks, STAGE_NAMES, STAGES } from '../stages.ts';

const span = (over: Partial<StageSpan>): StageSpan => ({ stage: 'levels', provider: 'p.x/a', plugin: 'p.x', start: 0, duration: 1, ok: true, ...over });

describe('StageProfiler.call', () => {
  it('times each call once: a span with the clip id and whether it succeeded, and the clip timing under its key', async () => {
    const profiler = new StageProfiler();
    const timings: Record<string, number> = {};
    const before = performance.now();
    const slow = (fail: boolean) => async () => {
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw new Error('no');
      return { summary: { ok: 1 } };
    };
    expect(await profiler.call({ stage: 'levels', provider: 'p.x/a', plugin: 'p.x', clipId: 'c1' }, timings, 'levels.a', slow(false))).toEqual({ summary: { ok: 1 } });
    await expect(profiler.call({ stage: 'levels', provider: 'p.x/a', plugin: 'p.x' }, undefined, 'levels.a', slow(true))).rejects.toThrow('no');
    expect(profiler.spans.map((s) => [s.stage, s.provider, s.plugin, s.clipId, s.ok])).toEqual([
      ['levels', 'p.x/a', 'p.x', 'c1', true],
      ['levels', 'p.x/a', 'p.x', undefined, false],
    ]);
    const elapsed = performance.now() - before;
    for (const s of profiler.spans) {
      expect(s.duration).toBeGreaterThanOrEqual(15);
      expect(s.duration).toBeLessThanOrEqual(elapsed);
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.start + s.duration).toBeLessThanOrEqual(elapsed);
    }
    expect(profiler.spans[1].start).toBeGreaterThanOrEqual(profiler.spans[0].start + profiler.spans[0].duration - 1);
    expect(Object.keys(timings)).toEqual(['levels.a']);
    expect(timings['levels.a']).toBe(+profiler.spans[0].duration.toFixed(2));
  });

  it('without keepSpans fills only the clip timings, so a long batch does not grow it', async () => {
    const profiler = new StageProfiler({ keepSpans: false });
    const timings: Record<string, number> = {};
    await profiler.call({ stage: 'decide', provider: 'p.x/d', plugin: 'p.x' }, timings, 'decide', async () => 1);
    await profiler.phase(timings, 'levels', async () => new Promise((r) => setTimeout(r, 5)));
    expect(profiler.spans).toEqual([]);
    expect(Object.keys(timings)).toEqual(['decide', 'levels']);
    expect(timings.levels).toBeGreaterThanOrEqual(4);
  });
});

describe('StageProfiler reports', () => {
  // Built inside each test: code run while collecting tests is not attributed to any test.
  const profiled = () => {
    const profiler = new StageProfiler();
    profiler.spans.push(
    span({ stage: 'decide', provider: 'p.x/d', duration: 4 }),
    span({ stage: 'levels', provider: 'p.x/b', duration: 1, start: 2.5, clipId: 'c' }),
    span({ stage: 'levels', provider: 'p.x/a', duration: 3 }),
    span({ stage: 'levels', provider: 'p.x/a', duration: 1 }),
    span({ stage: 'levels', provider: 'p.x/a', duration: 8 }),
    span({ stage: 'levels', provider: 'p.x/a', duration: 2 }),
      span({ stage: 'ingest', provider: 'q.y/in', plugin: 'q.y', duration: 0.0001, start: 0.0004, ok: false }),
      span({ stage: 'fusion', provider: 'p.x/f', duration: 2 }),
      span({ stage: 'prompts', provider: 'p.x/p', duration: 5 }),
    );
    return profiler;
  };

  it('summarises calls, total, mean and lower median per stage and provider, in stage order', () => {
    expect(profiled().summary()).toEqual([
      { stage: 'prompts', provider: 'p.x/p', calls: 1, totalMs: 5, meanMs: 5, medianMs: 5 },
      { stage: 'ingest', provider: 'q.y/in', calls: 1, totalMs: 0.0001, meanMs: 0.0001, medianMs: 0.0001 },
      { stage: 'levels', provider: 'p.x/a', calls: 4, totalMs: 14, meanMs: 3.5, medianMs: 2 },
      { stage: 'levels', provider: 'p.x/b', calls: 1, totalMs: 1, meanMs: 1, medianMs: 1 },
      { stage: 'fusion', provider: 'p.x/f', calls: 1, totalMs: 2, meanMs: 2, medianMs: 2 },
      { stage: 'decide', provider: 'p.x/d', calls: 1, totalMs: 4, meanMs: 4, medianMs: 4 },
    ]);
  });

  it('prints the summary as an aligned table', () => {
    expect(profiled().formatTable()).toBe([
      'stage    provider  calls  total ms  mean ms  median ms',
      '-------  --------  -----  --------  -------  ---------',
      'prompts  p.x/p         1       5.0      5.0        5.0',
      'ingest   q.y/in        1       0.0      0.0        0.0',
      'levels   p.x/a         4      14.0      3.5        2.0',
      'levels   p.x/b         1       1.0      1.0        1.0',
      'fusion   p.x/f         1       2.0      2.0        2.0',
      'decide   p.x/d         1       4.0      4.0        4.0',
    ].join('\n'));
  });

  it('exports Chrome trace events in µs, one thread per plugin, at least 1 µs long', () => {
    const { traceEvents } = profiled().chromeTrace();
    expect(traceEvents[0]).toEqual({ name: 'p.x/d', cat: 'decide', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 4000, args: { clip: undefined, ok: true } });
    expect(traceEvents[1]).toEqual({ name: 'p.x/b', cat: 'levels', ph: 'X', pid: 1, tid: 1, ts: 2500, dur: 1000, args: { clip: 'c', ok: true } });
    expect(traceEvents[6]).toEqual({ name: 'q.y/in', cat: 'ingest', ph: 'X', pid: 1, tid: 2, ts: 0, dur: 1, args: { clip: undefined, ok: false } });
    expect(traceEvents.slice(9)).toEqual([
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'p.x' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: 'q.y' } },
    ]);
  });

  it('an empty profile has a header only', () => {
    const empty = new StageProfiler();
    expect(empty.summary()).toEqual([]);
    expect(empty.formatTable()).toBe('stage  provider  calls  total ms  mean ms  median ms\n-----  --------  -----  --------  -------  ---------');
    expect(empty.chromeTrace()).toEqual({ traceEvents: [] });
  });
});

describe('stages', () => {
  it('are one table in run order: prompts (once per run) first, because levels read the classes', () => {
    expect(STAGE_NAMES).toEqual(['prompts', 'ingest', 'levels', 'fusion', 'decide']);
    expect(STAGES.map((s) => s.point)).toEqual(['promptBuilders', 'ingesters', 'levels', 'fusions', 'deciders']);
    expect(STAGES.filter((s) => !s.required).map((s) => s.name)).toEqual(['prompts']);
  });

  it('give each pipeline its own provider tables and afterClip hook', () => {
    const hooks = createStageHooks();
    expect(Object.keys(hooks.providers)).toEqual([...STAGE_NAMES]);
    expect(Object.isFrozen(hooks)).toBe(true);
    expect(Object.isFrozen(hooks.providers)).toBe(true);
    const other = createStageHooks();
    expect(other.providers.levels).not.toBe(hooks.providers.levels);
    expect(other.afterClip).not.toBe(hooks.afterClip);
  });
});
