import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainPreset } from '../explain.ts';
import { resolvePreset } from '../resolve-preset.ts';
import { standardPlugins, writePlugins } from './plugin-fixture.ts';

describe('explainPreset', () => {
  it('prints layers, each stage and level with its provider and origin, options and activated plugins', () => {
    const { root, registry } = writePlugins(standardPlugins([{ name: 'extra', version: '2.0.0', contributes: { levels: [{ id: 'tint', scores: true }, { id: 'pair', needs: ['colour', 'contrast'], scores: true }] } }]));
    const p = resolvePreset(registry, {
      preset: 'plain',
      set: ['stages.levels.contrast.weight=0.5', 'stages.levels.tint.enabled=false', 'stages.decide.options.temperature=2', 'stages.levels.pair.use=test.extra/pair'],
    });
    expect(explainPreset(p, registry)).toBe(`preset   plain
layers   preset:plain (test.base) > --set
frames   4  [preset:plain (test.base)]
classes  happy, sad  [preset:plain (test.base)]

stage    slot                           provider            plugin            weight  scores  from
prompts                                 test.base/names     test.base@1.0.0                   preset:plain (test.base)
ingest                                  test.base/frames    test.base@1.0.0                   preset:plain (test.base)
levels   colour                         test.base/colour    test.base@1.0.0   1       yes     (default); weight preset:plain (test.base)
levels   contrast (needs colour)        test.base/contrast  test.base@1.0.0   0.5     yes     (default); weight --set
levels   pair (needs colour, contrast)  test.extra/pair     test.extra@2.0.0  1       yes     --set; weight (default)
levels   tint                           (disabled)                                            --set
fusion                                  test.base/mean      test.base@1.0.0                   preset:plain (test.base)
decide                                  test.base/argmax    test.base@1.0.0                   preset:plain (test.base)

options
  stages.prompts.options.template = "{label}"  [(default)]
  stages.ingest.options.pad = "last"  [(default)]
  stages.levels.contrast.options.power = 2  [(default)]
  stages.fusion.options.eps = 0  [(default)]
  stages.decide.options.temperature = 2  [--set]
  plugins.test.base.label = "base"  [(default)]

plugins activated by this preset (others stay unloaded)
  test.base@1.0.0  plugin-dir  ${path.join(root, 'base')}
  test.extra@2.0.0  plugin-dir  ${path.join(root, 'extra')}
`);
  });

  it('without classes, prompts or options; one origin when use and weight share a layer; dependencies activated too', () => {
    const { root, registry } = writePlugins([
      { name: 'dep', version: '0.3.0' },
      {
        name: 'mini',
        pluginDependencies: ['test.dep'],
        contributes: {
          ingesters: [{ id: 'in' }],
          levels: [{ id: 'l', scores: true }],
          fusions: [{ id: 'f' }],
          deciders: [{ id: 'd' }],
          presets: [{ id: 'mini', path: './mini.json' }],
        },
        files: { 'mini.json': { stages: { ingest: { use: 'test.mini/in', options: { nested: { deep: [1, 2] } } }, levels: { l: { use: 'test.mini/l', weight: 2 } }, fusion: { use: 'test.mini/f' }, decide: { use: 'test.mini/d' } } } },
      },
    ]);
    const p = resolvePreset(registry, { preset: 'mini' });
    const layer = 'preset:mini (test.mini)';
    expect(explainPreset(p, registry)).toBe(`preset   ${layer}
layers   ${layer}
frames   16  [(default)]
classes  (from the levels)

stage   slot  provider      plugin           weight  scores  from
ingest        test.mini/in  test.mini@1.0.0                  ${layer}
levels  l     test.mini/l   test.mini@1.0.0  2       yes     ${layer}
fusion        test.mini/f   test.mini@1.0.0                  ${layer}
decide        test.mini/d   test.mini@1.0.0                  ${layer}

options
  stages.ingest.options.nested.deep = [1,2]  [${layer}]

plugins activated by this preset (others stay unloaded)
  test.mini@1.0.0  plugin-dir  ${path.join(root, 'mini')}
  test.dep@0.3.0  plugin-dir  ${path.join(root, 'dep')}
`);
  });

  it('says (none) when no provider has options', () => {
    const { registry } = writePlugins([
      {
        name: 'mini',
        contributes: { ingesters: [{ id: 'in' }], levels: [{ id: 'l', scores: true }], fusions: [{ id: 'f' }], deciders: [{ id: 'd' }], presets: [{ id: 'mini', path: './mini.json' }] },
        files: { 'mini.json': { name: 'm', stages: { ingest: { use: 'test.mini/in' }, levels: { l: {} }, fusion: { use: 'test.mini/f' }, decide: { use: 'test.mini/d' } } } },
      },
    ]);
    const text = explainPreset(resolvePreset(registry, { preset: 'mini' }), registry);
    expect(text).toContain('\n\noptions\n  (none)\n\nplugins activated');
  });
});
