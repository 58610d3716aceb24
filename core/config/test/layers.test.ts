import { describe, expect, it } from 'vitest';
import { mergeLayers, parseSetOverride, setOverridesLayer } from '../layers.ts';

describe('mergeLayers', () => {
  it('merges objects key by key, replaces arrays and scalars, later layers win', () => {
    const { value } = mergeLayers([
      { name: 'base', data: { frames: 16, classes: ['a', 'b', 'c'], stages: { fusion: { use: 'x/f', options: { p: 1, q: 2 } } } } },
      { name: 'top', data: { classes: ['z'], stages: { fusion: { options: { q: 3 } } } } },
    ]);
    expect(value).toEqual({ frames: 16, classes: ['z'], stages: { fusion: { use: 'x/f', options: { p: 1, q: 3 } } } });
  });

  it('records the layer of every leaf path', () => {
    const { origins } = mergeLayers([
      { name: 'base', data: { frames: 16, stages: { fusion: { use: 'x/f', options: { p: 1, q: 2 } } } } },
      { name: 'top', data: { stages: { fusion: { options: { q: 3 } } } } },
    ]);
    expect(Object.fromEntries(origins)).toEqual({
      frames: 'base',
      'stages.fusion.use': 'base',
      'stages.fusion.options.p': 'base',
      'stages.fusion.options.q': 'top',
    });
  });

  it('an empty object is a leaf of its layer; a non-empty one is not', () => {
    const { value, origins } = mergeLayers([{ name: 'l', data: { plugins: { a: {} }, stages: { x: { y: 1 } } } }]);
    expect(value).toEqual({ plugins: { a: {} }, stages: { x: { y: 1 } } });
    expect(origins.get('plugins.a')).toBe('l');
    expect(origins.has('stages.x')).toBe(false);
    expect(origins.has('stages')).toBe(false);
  });

  it('a scalar replacing an object forgets the origins below it, and only those', () => {
    const { value, origins } = mergeLayers([
      { name: 'base', data: { opt: { a: 1, b: 2 }, optional: 5 } },
      { name: 'top', data: { opt: 7 } },
    ]);
    expect(value).toEqual({ opt: 7, optional: 5 });
    expect(Object.fromEntries(origins)).toEqual({ opt: 'top', optional: 'base' });
  });

  it('an object replacing a scalar becomes an object', () => {
    const { value } = mergeLayers([
      { name: 'base', data: { opt: 7 } },
      { name: 'top', data: { opt: { a: 1 } } },
    ]);
    expect(value).toEqual({ opt: { a: 1 } });
  });

  it('drops the top-level extends but keeps a nested key named extends', () => {
    const { value, origins } = mergeLayers([{ name: 'l', data: { extends: 'base', stages: { extends: 1 } } }]);
    expect(value).toEqual({ stages: { extends: 1 } });
    expect(origins.has('extends')).toBe(false);
    expect(origins.get('stages.extends')).toBe('l');
  });

  it('copies values, so changing a layer afterwards leaves the merge alone', () => {
    const data = { classes: ['a'], opt: { list: [1] } };
    const { value } = mergeLayers([{ name: 'l', data }]);
    data.classes.push('b');
    data.opt.list.push(2);
    expect(value).toEqual({ classes: ['a'], opt: { list: [1] } });
  });
});

describe('parseSetOverride', () => {
  it('splits the dotted path and parses the value as JSON', () => {
    expect(parseSetOverride('stages.levels.expression.weight=0.5')).toEqual({ path: ['stages', 'levels', 'expression', 'weight'], value: 0.5 });
    expect(parseSetOverride('classes=["a","b"]')).toEqual({ path: ['classes'], value: ['a', 'b'] });
    expect(parseSetOverride('x.enabled=false')).toEqual({ path: ['x', 'enabled'], value: false });
  });

  it('keeps a value that is not JSON as a string, and splits at the first =', () => {
    expect(parseSetOverride('stages.fusion.use=acme.x/max')).toEqual({ path: ['stages', 'fusion', 'use'], value: 'acme.x/max' });
    expect(parseSetOverride('a=b=c')).toEqual({ path: ['a'], value: 'b=c' });
    expect(parseSetOverride('a=')).toEqual({ path: ['a'], value: '' });
  });

  it('keeps a dotted plugin id whole after plugins. (the longest installed id wins)', () => {
    const ids = ['visage', 'visage.open-set', 'acme.x'];
    expect(parseSetOverride('plugins.visage.open-set.checkpoint=f.json', ids)).toEqual({ path: ['plugins', 'visage.open-set', 'checkpoint'], value: 'f.json' });
    expect(parseSetOverride('plugins.visage.open-set={"checkpoint":"f"}', ids)).toEqual({ path: ['plugins', 'visage.open-set'], value: { checkpoint: 'f' } });
    expect(parseSetOverride('plugins.acme.x.a.b=1', ids).path).toEqual(['plugins', 'acme.x', 'a', 'b']);
    expect(parseSetOverride('plugins.visage.other=1', ids).path).toEqual(['plugins', 'visage', 'other']);
    expect(parseSetOverride('plugins.unknown.id.x=1', ids).path).toEqual(['plugins', 'unknown', 'id', 'x']);
    // Only under plugins, and only ids that are installed.
    expect(parseSetOverride('stages.visage.open-set=1', ids).path).toEqual(['stages', 'visage', 'open-set']);
    expect(parseSetOverride('plugins.visage.open-set.checkpoint=f').path).toEqual(['plugins', 'visage', 'open-set', 'checkpoint']);
  });

  it('trims spaces around the path', () => {
    expect(parseSetOverride(' a.b =1')).toEqual({ path: ['a', 'b'], value: 1 });
  });

  it('refuses an expression without =, with nothing before =, or with an empty path segment', () => {
    expect(() => parseSetOverride('frames')).toThrow('--set expects path=value, got "frames"');
    expect(() => parseSetOverride('=1')).toThrow('--set expects path=value, got "=1"');
    expect(() => parseSetOverride('a..b=1')).toThrow('--set path "a..b" has an empty segment');
    expect(() => parseSetOverride('a.=1')).toThrow('has an empty segment');
    expect(() => parseSetOverride('.a=1')).toThrow('has an empty segment');
  });
});

describe('setOverridesLayer', () => {
  it('builds one layer named --set from all expressions, creating objects along each path', () => {
    const layer = setOverridesLayer(['stages.levels.a.weight=0.5', 'stages.levels.a.enabled=true', 'frames=8']);
    expect(layer).toEqual({ name: '--set', data: { stages: { levels: { a: { weight: 0.5, enabled: true } } }, frames: 8 } });
  });

  it('a later path through an earlier scalar replaces the scalar by an object', () => {
    expect(setOverridesLayer(['a=1', 'a.b=2']).data).toEqual({ a: { b: 2 } });
    expect(setOverridesLayer(['a.b=2', 'a=1']).data).toEqual({ a: 1 });
  });

  it('is empty for no expressions', () => {
    expect(setOverridesLayer([])).toEqual({ name: '--set', data: {} });
  });
});
