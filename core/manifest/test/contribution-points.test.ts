import { describe, expect, it } from 'vitest';
import { CONTRIBUTION_POINTS, PROVIDER_POINTS, contributionPoint } from '../contribution-points.ts';
import { validateManifest } from '../validate-manifest.ts';

const manifest = (contributes: Record<string, unknown>) => ({ name: 'p', publisher: 'acme', version: '1.0.0', main: './index.js', engines: { visage: '^0.1.0' }, contributes });
const pointers = (contributes: Record<string, unknown>) => validateManifest(manifest(contributes), '/plugins/p').problems.map((p) => p.pointer);

describe('contribution points', () => {
  it('are the stage providers, presets, configuration and commands, frozen', () => {
    expect(CONTRIBUTION_POINTS.map((p) => p.id)).toEqual(['promptBuilders', 'ingesters', 'levels', 'fusions', 'deciders', 'presets', 'configuration', 'commands']);
    expect(Object.isFrozen(CONTRIBUTION_POINTS)).toBe(true);
    expect(PROVIDER_POINTS).toEqual({ ingesters: 'ingest', levels: 'levels', promptBuilders: 'prompts', fusions: 'fusion', deciders: 'decide' });
  });

  it('are found by id', () => {
    expect(contributionPoint('levels')?.id).toBe('levels');
    expect(contributionPoint('themes')).toBeUndefined();
  });

  it('imply no activation events: activation follows from the preset (usedPlugins)', () => {
    for (const p of CONTRIBUTION_POINTS) expect(Object.keys(p).sort()).toEqual(['description', 'id', 'schema']);
  });

  it('describe themselves for manifest.schema.json', () => {
    for (const p of CONTRIBUTION_POINTS) expect(p.description.length).toBeGreaterThan(10);
  });
});

describe('contribution schemas', () => {
  it('accept the documented shapes', () => {
    expect(
      pointers({
        ingesters: [{ id: 'media', title: 't', description: 'd', accepts: ['video'], options: { type: 'object' } }],
        levels: [{ id: 'warmth', needs: ['landmarks'], options: {} }],
        promptBuilders: [{ id: 'names' }],
        fusions: [{ id: 'max' }],
        deciders: [{ id: 'argmax' }],
        presets: [{ id: 'mine', path: './mine.json', description: 'd' }],
        configuration: { type: 'object' },
        commands: [{ id: 'clip encode', title: 't', description: 'd', arguments: [{ name: 'inputs', description: 'd', required: true, variadic: true }], options: [{ flags: '-m, --models <dir>', description: 'd', default: 'x' }, { flags: '--text [str...]' }, { flags: '--json' }] }],
      }),
    ).toEqual([]);
  });

  it('provider contributions need a lower-case id, and nothing unknown', () => {
    for (const point of ['ingesters', 'levels', 'promptBuilders', 'fusions', 'deciders']) {
      expect(pointers({ [point]: [{}] })).toEqual([`/contributes/${point}/0/id`]);
      expect(pointers({ [point]: [{ id: '1x' }] })).toEqual([`/contributes/${point}/0/id`]);
      expect(pointers({ [point]: [{ id: 'x', bogus: 1 }] })).toEqual([`/contributes/${point}/0/bogus`]);
      expect(pointers({ [point]: [{ id: 'x', title: 1 }] })).toEqual([`/contributes/${point}/0/title`]);
      expect(pointers({ [point]: [{ id: 'x', description: 1 }] })).toEqual([`/contributes/${point}/0/description`]);
      expect(pointers({ [point]: [{ id: 'x', options: 1 }] })).toEqual([`/contributes/${point}/0/options`]);
      expect(pointers({ [point]: {} })).toEqual([`/contributes/${point}`]);
      expect(pointers({ [point]: ['x'] })).toEqual([`/contributes/${point}/0`]);
    }
  });

  it('a level needs distinct level ids; an ingester accepts a list of strings', () => {
    expect(pointers({ levels: [{ id: 'x', needs: ['a', 'a'] }] })).toEqual(['/contributes/levels/0/needs']);
    expect(pointers({ levels: [{ id: 'x', needs: ['A'] }] })).toEqual(['/contributes/levels/0/needs/0']);
    expect(pointers({ levels: [{ id: 'x', needs: 'a' }] })).toEqual(['/contributes/levels/0/needs']);
    expect(pointers({ ingesters: [{ id: 'x', accepts: [1] }] })).toEqual(['/contributes/ingesters/0/accepts/0']);
    expect(pointers({ ingesters: [{ id: 'x', accepts: 'video' }] })).toEqual(['/contributes/ingesters/0/accepts']);
    expect(pointers({ fusions: [{ id: 'x', needs: [] }] })).toEqual(['/contributes/fusions/0/needs']);
  });

  it('a preset has an id and a path, and nothing else', () => {
    expect(pointers({ presets: [{ path: 'p.json' }] })).toEqual(['/contributes/presets/0/id']);
    expect(pointers({ presets: [{ id: 'P', path: 'p.json' }] })).toEqual(['/contributes/presets/0/id']);
    expect(pointers({ presets: [{ id: 'p', path: 1 }] })).toEqual(['/contributes/presets/0/path']);
    expect(pointers({ presets: [{ id: 'p', path: 'p', x: 1 }] })).toEqual(['/contributes/presets/0/x']);
    expect(pointers({ presets: [{ id: 'p', path: 'p', description: 1 }] })).toEqual(['/contributes/presets/0/description']);
    expect(pointers({ presets: {} })).toEqual(['/contributes/presets']);
    expect(pointers({ presets: [1] })).toEqual(['/contributes/presets/0']);
  });

  it('configuration is an object schema', () => {
    expect(pointers({ configuration: [] })).toEqual(['/contributes/configuration']);
  });

  it('a command has words, a title, named arguments and commander flags', () => {
    const cmd = (over: Record<string, unknown>) => pointers({ commands: [{ id: 'clip encode', title: 't', ...over }] });
    expect(pointers({ commands: [{ title: 't' }] })).toEqual(['/contributes/commands/0/id']);
    expect(pointers({ commands: [{ id: 'x' }] })).toEqual(['/contributes/commands/0/title']);
    expect(cmd({ id: 'clip  encode' })).toEqual(['/contributes/commands/0/id']);
    expect(cmd({ id: 'Clip' })).toEqual(['/contributes/commands/0/id']);
    expect(cmd({ title: 1 })).toEqual(['/contributes/commands/0/title']);
    expect(cmd({ description: 1 })).toEqual(['/contributes/commands/0/description']);
    expect(cmd({ extra: 1 })).toEqual(['/contributes/commands/0/extra']);
    expect(cmd({ arguments: [{}] })).toEqual(['/contributes/commands/0/arguments/0/name']);
    expect(cmd({ arguments: [{ name: 'In' }] })).toEqual(['/contributes/commands/0/arguments/0/name']);
    expect(cmd({ arguments: [{ name: 'inFile' }] })).toEqual([]);
    expect(cmd({ arguments: [{ name: 'x', required: 'yes' }] })).toEqual(['/contributes/commands/0/arguments/0/required']);
    expect(cmd({ arguments: [{ name: 'x', variadic: 1 }] })).toEqual(['/contributes/commands/0/arguments/0/variadic']);
    expect(cmd({ arguments: [{ name: 'x', description: 1 }] })).toEqual(['/contributes/commands/0/arguments/0/description']);
    expect(cmd({ arguments: [{ name: 'x', other: 1 }] })).toEqual(['/contributes/commands/0/arguments/0/other']);
    expect(cmd({ arguments: {} })).toEqual(['/contributes/commands/0/arguments']);
    expect(cmd({ arguments: [1] })).toEqual(['/contributes/commands/0/arguments/0']);
    expect(cmd({ options: [{}] })).toEqual(['/contributes/commands/0/options/0/flags']);
    for (const flags of ['-models', '--Models', '-mm, --models', '--models <Dir>', '--m <a> <b>', 'x--models']) expect(cmd({ options: [{ flags }] })).toEqual(['/contributes/commands/0/options/0/flags']);
    expect(cmd({ options: [{ flags: '--x', description: 1 }] })).toEqual(['/contributes/commands/0/options/0/description']);
    expect(cmd({ options: [{ flags: '--x', y: 1 }] })).toEqual(['/contributes/commands/0/options/0/y']);
    expect(cmd({ options: {} })).toEqual(['/contributes/commands/0/options']);
    expect(cmd({ options: [1] })).toEqual(['/contributes/commands/0/options/0']);
    expect(pointers({ commands: {} })).toEqual(['/contributes/commands']);
    expect(pointers({ commands: [1] })).toEqual(['/contributes/commands/0']);
  });
});
