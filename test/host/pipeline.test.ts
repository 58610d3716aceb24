import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHost, StageProfiler } from '../../core/index.ts';
import { FIXTURE_PLUGINS } from '../helpers/cli.ts';

const host = () => createHost({ pluginDirs: [FIXTURE_PLUGINS], projectDirs: [], logLevel: 'silent' });

describe('pipeline', () => {
  it('runs a clip through the five stages of the resolved preset', async () => {
    const pl = await host().pipeline({ preset: 'synthetic' });
    const r = await pl.run({ path: 'solid:200,10,10' });
    expect(r.clip.frames).toHaveLength(4);
    expect(r.decision.label).toBe('happy');
    expect(r.decision.probabilities.happy).toBeCloseTo(200 / 220, 6);
    expect(Object.keys(r.timings)).toEqual(expect.arrayContaining(['ingest', 'levels', 'levels.colour', 'prompts', 'fusion', 'decide']));
  });

  it('never imports a plugin the preset does not use (lazy activation)', async () => {
    const h = host();
    expect(h.registry.plugin('test.unused')).toBeDefined();
    const pl = await h.pipeline({ preset: 'synthetic' });
    await pl.run({ path: 'solid:1,2,3' });
    expect((globalThis as Record<string, unknown>).__visageUnusedPluginImported).toBeUndefined();
    // ...and does import it once a preset selects it.
    await h.pipeline({ preset: 'synthetic', set: ['stages.levels.never.weight=0'] });
    expect((globalThis as Record<string, unknown>).__visageUnusedPluginImported).toBe(true);
  });

  it('runs a level after the levels it needs and passes their outputs', async () => {
    const pl = await host().pipeline({ preset: 'synthetic', set: ['stages.levels.contrast.weight=1', 'stages.levels.colour.weight=0'] });
    const r = await pl.run({ path: 'solid:200,100,0' });
    const colour = r.levels.colour.scores!;
    const z = colour.happy ** 2 + colour.neutral ** 2 + colour.sad ** 2;
    expect(r.levels.contrast.scores!.happy).toBeCloseTo(colour.happy ** 2 / z, 9);
    expect(r.fusion.logits.happy).toBeCloseTo(colour.happy ** 2 / z, 9); // colour has weight 0
  });

  it('runs independent levels concurrently', async () => {
    const h = host();
    const preset = h.resolve({ preset: 'synthetic', set: ['stages.levels.slow.options.ms=150', 'stages.levels.slow2.use=test.synthetic/slow', 'stages.levels.slow2.options.ms=150'] });
    const pl = await h.pipeline(preset);
    const { calls } = await import(path.join(FIXTURE_PLUGINS, 'synthetic/src/index.js'));
    calls.length = 0;
    await pl.run({ path: 'solid:1,1,1' });
    expect(calls.map((c: { slot: string }) => c.slot).sort()).toEqual(['slow', 'slow2']);
    const [a, b] = calls as { start: number; end: number }[];
    expect(Math.max(a.start, b.start)).toBeLessThan(Math.min(a.end, b.end)); // the two sleeps overlapped
  });

  it('reports a cycle between levels as a clear error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-cycle-'));
    mkdirSync(path.join(dir, 'cyclic'));
    writeFileSync(path.join(dir, 'cyclic', 'package.json'), JSON.stringify({
      name: 'cyclic', publisher: 'test', version: '1.0.0', main: './index.js', engines: { visage: '^0.1.0' },
      contributes: { levels: [{ id: 'a', needs: ['b'] }, { id: 'b', needs: ['c'] }, { id: 'c', needs: ['a'] }] },
    }));
    const h = createHost({ pluginDirs: [FIXTURE_PLUGINS, dir], projectDirs: [], logLevel: 'silent' });
    expect(() => h.resolve({ preset: 'synthetic', set: ['stages.levels.a.weight=0', 'stages.levels.b.weight=0', 'stages.levels.c.weight=0'] }))
      .toThrow(expect.objectContaining({ code: 'LEVEL_CYCLE', message: expect.stringMatching(/a -> b -> c -> a/) }));
  });

  it('says which level is missing when a needed level is disabled', () => {
    expect(() => host().resolve({ preset: 'synthetic', set: ['stages.levels.contrast.weight=1', 'stages.levels.colour.enabled=false'] }))
      .toThrow(expect.objectContaining({ code: 'LEVEL_NEEDS_DISABLED', hint: expect.stringContaining('stages.levels.colour.enabled=true') }));
  });

  it('rejects bad options with the JSON pointer and the allowed keys', () => {
    expect(() => host().resolve({ preset: 'synthetic', set: ['stages.decide.options.temprature=2'] }))
      .toThrow(expect.objectContaining({ code: 'PRESET_INVALID', pointer: '/stages/decide/options', hint: expect.stringContaining('temperature') }));
    expect(() => host().resolve({ preset: 'synthetic', set: ['stages.fusion.use=acme.nothing/max'] }))
      .toThrow(expect.objectContaining({ code: 'PROVIDER_NOT_FOUND', hint: expect.stringContaining('visage.core/weighted-mean') }));
  });

  it('keeps two presets in one process apart (hooks per pipeline)', async () => {
    const h = host();
    const a = await h.pipeline({ preset: 'synthetic' });
    const b = await h.pipeline({ preset: 'synthetic', set: ['stages.levels.contrast.weight=1', 'stages.levels.colour.weight=0'] });
    expect(a.hooks).not.toBe(b.hooks);
    const [ra, rb, ra2] = await Promise.all([a.run({ path: 'solid:200,100,0' }), b.run({ path: 'solid:200,100,0' }), a.run({ path: 'solid:200,100,0' })]);
    expect(Object.keys(ra.levels)).toEqual(['colour']);
    expect(Object.keys(rb.levels).sort()).toEqual(['colour', 'contrast']);
    expect(ra.fusion.logits).toEqual(ra2.fusion.logits);
    expect(rb.fusion.logits.happy).toBeGreaterThan(ra.fusion.logits.happy);
  });

  it('profiles every provider call (Pipeline.invoke)', async () => {
    const profiler = new StageProfiler();
    const pl = await host().pipeline({ preset: 'synthetic' }, { profiler });
    await pl.run({ path: 'solid:1,2,3' });
    await pl.run({ path: 'solid:3,2,1' });
    const rows = profiler.summary();
    expect(rows.map((r) => [r.stage, r.provider, r.calls])).toEqual([
      ['prompts', 'visage.core/class-names', 1],
      ['ingest', 'test.synthetic/solid', 2],
      ['levels', 'test.synthetic/colour', 2],
      ['fusion', 'visage.core/weighted-mean', 2],
      ['decide', 'visage.core/argmax', 2],
    ]);
    const trace = profiler.chromeTrace().traceEvents as { ph: string; cat?: string; args?: { clip?: string } }[];
    expect(trace.filter((e) => e.ph === 'X')).toHaveLength(9);
    expect(trace.find((e) => e.cat === 'levels')!.args!.clip).toBe('solid-1-2-3');
  });

  it('wraps a provider error with its plugin and stage', async () => {
    const pl = await host().pipeline({ preset: 'synthetic' });
    await expect(pl.run({ path: 'solid:0,0,0' })).rejects.toMatchObject({ code: 'PLUGIN_ERROR', plugin: 'test.synthetic', stage: 'ingest' });
  });
});
