/** Which plugins a preset activates: those serving its stages, those its activation events name, and their dependencies. */
import { describe, expect, it } from 'vitest';
import { activationEvents, resolvePreset, usedPlugins } from '../resolve-preset.ts';
import { standardPlugins, writePlugins } from './plugin-fixture.ts';

describe('usedPlugins', () => {
  it('is every plugin serving a stage, plus their dependencies, transitively, each once', () => {
    const reg = writePlugins(
      standardPlugins([
        { name: 'lib', contributes: { configuration: { type: 'object', properties: { n: { type: 'integer', default: 3 } } } } },
        { name: 'mid', pluginDependencies: ['test.lib'] },
        { name: 'fuse', pluginDependencies: ['test.mid', 'test.lib'], contributes: { fusions: [{ id: 'max' }] } },
        { name: 'idle', contributes: { fusions: [{ id: 'min' }] } },
      ]),
    ).registry;
    const p = resolvePreset(reg, { preset: 'plain', set: ['stages.fusion.use=test.fuse/max'] });
    expect(usedPlugins(reg, p)).toEqual(['test.base', 'test.fuse', 'test.mid', 'test.lib']);
    expect(p.pluginConfig).toEqual({ 'test.base': { label: 'base' }, 'test.fuse': {}, 'test.mid': {}, 'test.lib': { n: 3 } });
    expect(p.origins.get('plugins.test.lib.n')).toBe('(default)');
  });
});

describe('activation events', () => {
  const { registry } = writePlugins(standardPlugins([
    { name: 'always', activationEvents: ['*'] },
    { name: 'on-prompts', activationEvents: ['onStage:prompts'], pluginDependencies: ['test.helper'] },
    { name: 'helper' },
    { name: 'on-max', activationEvents: ['onFusion:test.fuse/max'] },
    {
      name: 'fuse',
      contributes: { fusions: [{ id: 'max' }], presets: [{ id: 'bare', path: './bare.json' }] },
      // No prompt builder: onStage:prompts is not fired.
      files: { 'bare.json': { stages: { ingest: { use: 'test.base/frames' }, levels: { colour: {} }, fusion: { use: 'test.fuse/max' }, decide: { use: 'test.base/argmax' } } } },
    },
    { name: 'on-local-id', activationEvents: ['onLevel:colour', 'onCommand:x y'] },
    { name: 'never' },
  ]));

  it('a preset fires *, onStage for each stage it serves, and one event per selected provider', () => {
    expect([...activationEvents(resolvePreset(registry, { preset: 'plain' }))]).toEqual([
      '*', 'onStage:prompts', 'onPrompts:test.base/names', 'onStage:ingest', 'onIngest:test.base/frames', 'onStage:levels', 'onLevel:test.base/colour',
      'onStage:fusion', 'onFusion:test.base/mean', 'onStage:decide', 'onDecide:test.base/argmax',
    ]);
  });

  it('activate the plugins that declare a fired event (with their dependencies), and no other', () => {
    const plain = resolvePreset(registry, { preset: 'plain' });
    expect(usedPlugins(registry, plain)).toEqual(['test.base', 'test.always', 'test.on-prompts', 'test.helper']);
    const max = resolvePreset(registry, { preset: 'bare' });
    expect(usedPlugins(registry, max)).toEqual(['test.base', 'test.fuse', 'test.always', 'test.on-max']);
    expect(max.pluginConfig).toHaveProperty(['test.on-max']);
  });
});
