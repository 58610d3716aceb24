/** Presets as files: paths, folders, extends chains and their limits (split from resolve-preset.test.ts). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePreset } from '../resolve-preset.ts';
import { standardFixture, writePlugins } from './plugin-fixture.ts';
import { thrown } from '../../testing.ts';

const { root, registry, resolveError, presetFile } = standardFixture();
const PLAIN = 'preset:plain (test.base)';

describe('resolvePreset: preset files', () => {
  it('an unknown preset name lists the known ones', () => {
    const e = resolveError({ preset: 'nope' });
    expect(e.code).toBe('PRESET_NOT_FOUND');
    expect(e.message).toBe('no preset named "nope"');
    expect(e.hint).toBe('--preset takes a preset name (known: child, plain), a pipeline.json file, or a folder holding one');
    expect(e.exitCode).toBe(2);
    const empty = writePlugins([{ name: 'empty' }]).registry;
    expect(thrown(() => resolvePreset(empty, { preset: 'nope' })).hint).toBe('--preset takes a preset name (no plugin contributes one), a pipeline.json file, or a folder holding one');
  });

  it('names ending in .json or starting with . or / are files, relative to the preset that names them', () => {
    presetFile('rel.json', { extends: 'plain', frames: 9 });
    const p = resolvePreset(registry, { configFile: presetFile('uses-rel.json', { extends: 'rel.json' }) });
    expect(p.frames).toBe(9);
    expect(resolvePreset(registry, { configFile: presetFile('uses-dot.json', { extends: './rel.json' }) }).frames).toBe(9);
    expect(resolvePreset(registry, { configFile: presetFile('uses-abs.json', { extends: path.join(root, 'rel.json') }) }).frames).toBe(9);
    expect(resolvePreset(registry, { preset: path.join(root, 'rel.json') }).frames).toBe(9);
  });

  it('a missing file, invalid JSON, or JSON that is not an object is refused with the file', () => {
    const missing = path.join(root, 'missing.json');
    const e = resolveError({ configFile: missing });
    expect(e.code).toBe('JSON_FILE_UNREADABLE');
    expect(e.message).toBe(`cannot read preset ${missing}: no such file`);
    expect(e.file).toBe(missing);
    expect(e.hint).toBe('check the path');
    const bad = presetFile('bad.json', '{ "frames": ');
    const syntax = resolveError({ configFile: bad });
    expect(syntax.code).toBe('JSON_INVALID');
    expect(syntax.message).toMatch(new RegExp(`^preset ${bad}:1:\\d+: value expected`));
    for (const text of ['[1]', 'null', '3']) {
      const f = presetFile('notobject.json', text);
      expect(resolveError({ configFile: f }).message).toBe(`cannot read preset ${f}: not a JSON object`);
    }
    const dir = resolveError({ configFile: root });
    expect(dir.code).toBe('JSON_FILE_UNREADABLE');
    expect(dir.message).toBe(`cannot read preset ${root}: is a folder`);
  });

  it('a preset extending itself, directly or through others, is a cycle', () => {
    const a = presetFile('cyc-a.json', { extends: './cyc-b.json' });
    presetFile('cyc-b.json', { extends: './cyc-a.json' });
    const e = resolveError({ configFile: a });
    expect(e.code).toBe('PRESET_EXTENDS_CYCLE');
    expect(e.message).toBe('presets extend each other in a cycle: cyc-a.json -> cyc-b.json -> cyc-a.json');
    expect(e.hint).toBe('remove one of the extends entries');
    const self = presetFile('cyc-self.json', { extends: 'cyc-self.json' });
    expect(resolveError({ configFile: self }).code).toBe('PRESET_EXTENDS_CYCLE');
  });

  it('the same parent twice, side by side, is not a cycle', () => {
    presetFile('shared.json', { extends: 'plain', frames: 3 });
    const p = resolvePreset(registry, { configFile: presetFile('diamond.json', { extends: ['shared.json', 'shared.json'] }) });
    expect(p.frames).toBe(3);
    expect(p.layers.filter((l) => l.endsWith('shared.json'))).toHaveLength(2);
  });

  it('a broken --set is refused with every expression and the reason', () => {
    const e = resolveError({ preset: 'plain', set: ['frames=2', 'frames'] });
    expect(e.code).toBe('SET_OVERRIDE_INVALID');
    expect(e.message).toBe('--set frames=2 frames: --set expects path=value, got "frames"');
    expect(e.hint).toBe('write --set path.to.key=value, e.g. --set stages.levels.expression.weight=0.5');
    expect(resolvePreset(registry, { preset: 'plain', set: [] }).layers).toEqual([PLAIN]);
  });
});
