import { describe, expect, it } from 'vitest';
import { StageProfiler, type StageSpan } from '../stage-profiler.ts';
import { createStageHooks, STAGE_NAMES } from '../stages.ts';

const span = (over: Partial<StageSpan>): StageSpan => ({ stage: 'levels', provider: 'p.x/a', plugin: 'p.x', start: 0, duration: 1, ok: true, ...over });

describe('StageProfiler.attach', () => {
  it('times each call of a tapped hook, with the clip id and whether it succeeded', async () => {
    const hooks = createStageHooks();
    const hook = hooks.levels.for('p.x/a');
    hook.tapPromise('p.x', async (input) => {
      await new Promise((r) => setTimeout(r, 20));
      if ((input as { fail?: boolean }).fail) throw new Error('no');
      return { summary: { ok: 1 } };
    });
    const before = performance.now();
    const profiler = new StageProfiler();
    profiler.attach('levels', 'p.x/a', hook);
    expect(await hook.promise({} as never, { clipId: 'c1' } as never)).toEqual({ summary: { ok: 1 } });
    await expect(hook.promise({ fail: true } as never, undefined as never)).rejects.toThrow('no');
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
  });

  it('keeps the tap otherwise as it was (name, stage)', async () => {
    const hooks = createStageHooks();
    const hook = hooks.decide.for('p.x/d');
    const order: string[] = [];
    hook.tapPromise({ name: 'late', stage: 10 }, async () => (order.push('late'), undefined) as never);
    hook.tapPromise({ name: 'early', stage: -10 }, async () => (order.push('early'), undefined) as never);
    new StageProfiler().attach('decide', 'p.x/d', hook);
    await hook.promise({} as never, {} as never);
    expect(order).toEqual(['early', 'late']);
    expect(hook.taps.map((t) => t.name)).toEqual(['early', 'late']);
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
      { stage: 'ingest', provider: 'q.y/in', calls: 1, totalMs: 0.0001, meanMs: 0.0001, medianMs: 0.0001 },
      { stage: 'levels', provider: 'p.x/a', calls: 4, totalMs: 14, meanMs: 3.5, medianMs: 2 },
      { stage: 'levels', provider: 'p.x/b', calls: 1, totalMs: 1, meanMs: 1, medianMs: 1 },
      { stage: 'prompts', provider: 'p.x/p', calls: 1, totalMs: 5, meanMs: 5, medianMs: 5 },
      { stage: 'fusion', provider: 'p.x/f', calls: 1, totalMs: 2, meanMs: 2, medianMs: 2 },
      { stage: 'decide', provider: 'p.x/d', calls: 1, totalMs: 4, meanMs: 4, medianMs: 4 },
    ]);
  });

  it('prints the summary as an aligned table', () => {
    expect(profiled().formatTable()).toBe([
      'stage    provider  calls  total ms  mean ms  median ms',
      '-------  --------  -----  --------  -------  ---------',
      'ingest   q.y/in        1       0.0      0.0        0.0',
      'levels   p.x/a         4      14.0      3.5        2.0',
      'levels   p.x/b         1       1.0      1.0        1.0',
      'prompts  p.x/p         1       5.0      5.0        5.0',
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
  it('are declared in data-flow order, each a hook map', () => {
    expect(STAGE_NAMES).toEqual(['ingest', 'levels', 'prompts', 'fusion', 'decide']);
    const hooks = createStageHooks();
    expect(Object.keys(hooks)).toEqual([...STAGE_NAMES]);
    expect(Object.isFrozen(hooks)).toBe(true);
    expect(createStageHooks().levels).not.toBe(hooks.levels);
  });

  it('bail hooks return the first result; prompts is a waterfall', async () => {
    const hooks = createStageHooks();
    const ingest = hooks.ingest.for('p.x/i');
    ingest.tapPromise('a', async () => undefined);
    ingest.tapPromise('b', async () => ({ id: 'from b' }) as never);
    ingest.tapPromise('c', async () => ({ id: 'from c' }) as never);
    expect(await ingest.promise({ path: 'x' }, {} as never)).toEqual({ id: 'from b' });
    expect(ingest.taps.map((t) => t.type)).toEqual(['promise', 'promise', 'promise']);
    const prompts = hooks.prompts.for('p.x/p');
    prompts.tapPromise('a', async (p) => ({ ...p, classes: [...p.classes, 'x'] }));
    prompts.tapPromise('b', async (p) => ({ ...p, classes: [...p.classes, 'y'] }));
    expect(await prompts.promise({ classes: [] }, {} as never)).toEqual({ classes: ['x', 'y'] });
    for (const stage of ['levels', 'fusion', 'decide'] as const) {
      const h = hooks[stage].for('p.x/s');
      h.tapPromise('a', async () => undefined as never);
      h.tapPromise('b', async () => 'second' as never);
      expect(await h.promise({} as never, {} as never)).toBe('second');
    }
  });
});
