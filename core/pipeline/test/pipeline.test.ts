import { beforeEach, describe, expect, it } from 'vitest';
import { VisageError } from '../../errors/visage-error.ts';
import { StageProfiler } from '../stage-profiler.ts';
import { probeHost, resetProbe, type ProbeLog } from './probe-plugins.ts';

let log: ProbeLog;
beforeEach(() => {
  log = resetProbe();
});

const events = (stage: string) => log.events.filter(([s]) => s === stage).map(([, d]) => d as Record<string, unknown>);

async function rejection(p: Promise<unknown>): Promise<VisageError> {
  const e = await p.then(() => undefined, (x) => x);
  expect(e).toBeInstanceOf(VisageError);
  return e as VisageError;
}

describe('Pipeline.run', () => {
  it('pushes a clip through the five stages and returns every stage output', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const r = await pl.run({ path: 'x' });
    expect(r.clip.id).toBe('clip-x');
    expect(r.levels).toEqual({
      a: { scores: { happy: 0.75, sad: 0.25 }, summary: { from: 'a', clip: 'clip-x' } },
      b: { scores: { happy: 0.25, sad: 0.75 } },
    });
    expect(r.fusion).toEqual({ logits: { happy: 2 * 0.75 + 0.5 * 0.25, sad: 2 * 0.25 + 0.5 * 0.75 }, kind: 'probabilities' });
    expect(r.decision).toEqual({ label: 'happy', probabilities: r.fusion.logits, knownness: 1, unknown: false });
  });

  it('gives each provider its options, slot, clip id, frame count, render wish, signal and logger', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const controller = new AbortController();
    await pl.run({ path: 'x' }, { signal: controller.signal, wantRenders: true });
    const common = { frames: 3, wantRenders: true, aborted: false, hasLogger: true };
    expect(events('ingest')).toEqual([{ ...common, slot: undefined, clipId: undefined, options: { k: 1 }, path: 'x' }]);
    expect(events('levels')).toEqual([
      { ...common, slot: 'a', clipId: 'clip-x', options: {}, deps: [], classes: ['happy', 'sad'] },
      { ...common, slot: 'b', clipId: 'clip-x', options: { w: 'b' }, deps: ['a'] },
    ]);
    expect(events('fusion')).toEqual([{ ...common, slot: undefined, clipId: 'clip-x', options: {}, levels: ['a', 'b'], weights: { a: 2, b: 0.5 }, texts: ['HAPPY', 'SAD'] }]);
    expect(events('decide')).toEqual([{ ...common, slot: undefined, clipId: 'clip-x', options: {}, logits: expect.any(Object), classes: ['happy', 'sad'], label: undefined }]);
    controller.abort();
    // An aborted run is ABORTED at its first stage, whose provider still sees the aborted signal.
    await expect(pl.run({ path: 'y' }, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(events('ingest')[1]).toMatchObject({ aborted: true, wantRenders: false });
    expect(events('levels')).toHaveLength(2);
  });

  it('without options: a live signal and no renders', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    await pl.run({ path: 'x' });
    expect(events('ingest')[0]).toMatchObject({ aborted: false, wantRenders: false });
    expect(events('prompts')[0]).toMatchObject({ aborted: false, wantRenders: false, frames: 3, options: {}, hasLogger: true, classes: ['happy', 'sad'] });
  });

  it('times every stage and every level', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const before = performance.now();
    const { timings } = await pl.run({ path: 'x' });
    const elapsed = performance.now() - before;
    expect(Object.keys(timings).sort()).toEqual(['decide', 'fusion', 'ingest', 'levels', 'levels.a', 'levels.b', 'prompts']);
    for (const v of Object.values(timings)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(elapsed + 0.01);
      expect(Number(v.toFixed(2))).toBe(v);
    }
  });

  it('the source label fills in a clip without one, and never overrides the clip', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    expect((await pl.run({ path: 'x', label: 'happy' })).clip.label).toBe('happy');
    expect((await pl.run({ path: 'labelled:x', label: 'happy' })).clip.label).toBe('sad');
    expect((await pl.run({ path: 'x' })).clip.label).toBeUndefined();
  });

  it('a source no ingester accepts is INGEST_UNSUPPORTED', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const e = await rejection(pl.run({ path: 'skip:me' }));
    expect(e.code).toBe('INGEST_UNSUPPORTED');
    expect(e.message).toBe('no ingest provider accepted skip:me (tried test.probe/src)');
    expect(e.hint).toBe('is it a video, image, or frame folder?');
    expect(events('levels')).toEqual([]);
  });

  it('an error thrown by a provider is wrapped with its plugin and stage', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const e = await rejection(pl.run({ path: 'throw:' }));
    expect(e).toMatchObject({ code: 'PLUGIN_ERROR', message: 'cannot open throw:', plugin: 'test.probe', stage: 'ingest' });
    const lv = await rejection((await probeHost().pipeline({ preset: 'probe', set: ['stages.levels.fail.weight=1'] })).run({ path: 'x' }));
    expect(lv).toMatchObject({ code: 'PLUGIN_ERROR', message: 'level failed on clip-x', plugin: 'test.probe', stage: 'levels' });
  });

  it('a provider returning nothing is STAGE_NO_RESULT', async () => {
    const level = await rejection((await probeHost().pipeline({ preset: 'probe', set: ['stages.levels.nothing.weight=1'] })).run({ path: 'x' }));
    expect(level).toMatchObject({ code: 'STAGE_NO_RESULT', plugin: 'test.probe', stage: 'levels', message: 'levels provider "test.probe/nothing" returned nothing' });
    expect(level.hint).toBe('a provider must resolve to a result (or throw a VisageError)');
    const decide = await rejection((await probeHost().pipeline({ preset: 'probe', set: ['stages.decide.use=test.probe/none'] })).run({ path: 'x' }));
    expect(decide).toMatchObject({ code: 'STAGE_NO_RESULT', stage: 'decide', message: 'decide provider "test.probe/none" returned nothing' });
  });

  it('a failing level lets the others finish before the run fails', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe', set: ['stages.levels.fail.weight=1', 'stages.levels.late.weight=1'] });
    const e = await rejection(pl.run({ path: 'x' }));
    expect(e.message).toBe('level failed on clip-x');
    expect(log.events.some(([s]) => s === 'late done')).toBe(true);
    expect(events('fusion')).toEqual([]);
  });
});

describe('the prompts stage', () => {
  it('runs once per pipeline, not once per clip', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    await pl.prepare();
    await pl.run({ path: 'x' });
    await pl.run({ path: 'y' });
    expect(log.prompts.calls).toBe(1);
  });

  it('is retried after a failure', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    log.prompts.failures = 1;
    const e = await rejection(pl.prepare());
    expect(e).toMatchObject({ code: 'PLUGIN_ERROR', message: 'prompts failed', plugin: 'test.probe', stage: 'prompts' });
    await pl.prepare();
    expect((await pl.run({ path: 'x' })).decision.label).toBe('happy');
    expect(log.prompts.calls).toBe(2);
  });

  it('without a prompts provider the prompts are the preset classes', async () => {
    const host = probeHost();
    const preset = host.resolve({ preset: 'probe' });
    const bare = await host.pipeline({ ...preset, prompts: undefined });
    await bare.run({ path: 'x' });
    expect(log.prompts.calls).toBe(0);
    expect(events('decide')[0].classes).toEqual(['happy', 'sad']);
    expect(events('fusion')[0].texts).toBeUndefined();
    const noClasses = await host.pipeline({ ...preset, prompts: undefined, classes: undefined });
    await noClasses.run({ path: 'x' });
    expect(events('decide')[1].classes).toEqual([]);
  });
});

describe('Pipeline.create and dispose', () => {
  it('activates the preset plugins, dependencies first, and deactivates them on dispose', async () => {
    const pl = await probeHost().pipeline({ preset: 'probe' });
    expect(log.events.filter(([s]) => s === 'activate').map(([, id]) => id)).toEqual(['test.dep', 'test.probe']);
    await pl.dispose();
    expect(log.events.filter(([s]) => s === 'dispose' || s === 'deactivate')).toEqual([['dispose', 'test.probe'], ['deactivate', 'test.dep'], ['deactivate', 'test.probe']]);
  });

  it('refuses a selected provider its plugin never provided', async () => {
    const e = await rejection(probeHost().pipeline({ preset: 'probe', set: ['stages.fusion.use=test.lazy/never'] }));
    expect(e).toMatchObject({ code: 'PROVIDER_NOT_TAPPED', plugin: 'test.lazy', stage: 'fusion', message: 'fusion provider "test.lazy/never" is declared but activate() never provided it' });
    expect(e.hint).toBe('call ctx.stages.<stage>.provide(id, fn) in activate()');
    const ok = await probeHost().pipeline({ preset: 'probe', set: ['stages.fusion.use=test.lazy/half'] });
    expect(ok.preset.fusion.use).toBe('test.lazy/half');
  });

  it('each pipeline has hooks of its own', async () => {
    const host = probeHost();
    const a = await host.pipeline({ preset: 'probe' });
    const b = await host.pipeline({ preset: 'probe', set: ['stages.decide.use=test.probe/none'] });
    expect(a.hooks).not.toBe(b.hooks);
    expect((await a.run({ path: 'x' })).decision.label).toBe('happy');
  });

  it('reports every provider call to a profiler', async () => {
    const profiler = new StageProfiler();
    const pl = await probeHost().pipeline({ preset: 'probe' }, { profiler });
    await pl.run({ path: 'x' });
    expect(profiler.spans.map((s) => [s.stage, s.provider, s.plugin, s.clipId, s.ok])).toEqual([
      ['prompts', 'test.probe/upper', 'test.probe', undefined, true],
      ['ingest', 'test.probe/src', 'test.probe', undefined, true],
      ['levels', 'test.probe/a', 'test.probe', 'clip-x', true],
      ['levels', 'test.probe/b', 'test.probe', 'clip-x', true],
      ['fusion', 'test.probe/sum', 'test.probe', 'clip-x', true],
      ['decide', 'test.probe/top', 'test.probe', 'clip-x', true],
    ]);
  });
});
