import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginIdOf, validateManifest } from '../validate-manifest.ts';
import type { ManifestProblem } from '../manifest-problem.ts';

const FOLDER = path.resolve('/plugins/warmth');

function manifest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'visage-plugin-warmth', publisher: 'acme', version: '1.2.0', main: './src/index.js', engines: { visage: '^0.1.0' }, ...over };
}

const problemsOf = (raw: unknown, hostVersion?: string) => validateManifest(raw, FOLDER, hostVersion).problems;
/** The only problem, with its fields. */
function only(raw: unknown, hostVersion?: string): ManifestProblem {
  const problems = problemsOf(raw, hostVersion);
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('pluginIdOf', () => {
  it('is publisher.name, the npm scope dropped', () => {
    expect(pluginIdOf({ publisher: 'acme', name: 'warmth' })).toBe('acme.warmth');
    expect(pluginIdOf({ publisher: 'acme', name: '@acme/warmth' })).toBe('acme.warmth');
    expect(pluginIdOf({ publisher: 'acme', name: 'a@b/c' })).toBe('acme.a@b/c');
  });

  it('is undefined without a string publisher and name', () => {
    expect(pluginIdOf(null)).toBeUndefined();
    expect(pluginIdOf({ name: 'warmth' })).toBeUndefined();
    expect(pluginIdOf({ publisher: 'acme' })).toBeUndefined();
    expect(pluginIdOf({ publisher: 1, name: 'x' })).toBeUndefined();
    expect(pluginIdOf({ publisher: 'acme', name: 2 })).toBeUndefined();
  });
});

describe('validateManifest', () => {
  // First, so that it also runs against ajv's options: the validator is compiled once, in the first test.
  it('reports every schema error, not only the first', () => {
    const problems = problemsOf(manifest({ version: 1, publisher: 'Acme', main: undefined }));
    expect(problems.map((p) => p.pointer).sort()).toEqual(['/main', '/publisher', '/version']);
  });

  it('returns a valid manifest with no problems', () => {
    const raw = manifest({ contributes: { levels: [{ id: 'warmth', needs: [] }], fusions: [{ id: 'max' }] }, pluginDependencies: ['visage.landmarks'], activationEvents: ['*', 'onLevel:x'] });
    expect(validateManifest(raw, FOLDER)).toEqual({ manifest: raw, problems: [] });
  });

  it('returns no manifest when it found an error', () => {
    const r = validateManifest(manifest({ publisher: 'Acme' }), FOLDER);
    expect(r.manifest).toBeUndefined();
    expect(r.problems).toHaveLength(1);
  });

  it('refuses what is not a JSON object, naming the plugin by its folder', () => {
    for (const raw of [null, [], 'x', 3]) {
      const r = validateManifest(raw, FOLDER);
      expect(r.manifest).toBeUndefined();
      expect(r.problems).toEqual([
        { severity: 'error', plugin: 'warmth', pointer: '', message: 'the manifest is not a JSON object', hint: 'package.json must be an object with name, publisher, version, engines.visage and main' },
      ]);
    }
  });

  it('names the plugin publisher.name when it can, else by its folder', () => {
    expect(only(manifest({ publisher: 'Acme' })).plugin).toBe('Acme.visage-plugin-warmth');
    expect(only(manifest({ publisher: undefined })).plugin).toBe('warmth');
  });

  it('says which required field is missing and how to add it', () => {
    const hints: Record<string, string> = {
      name: 'add "name": the npm package name, e.g. "visage-plugin-foo"',
      publisher: 'add "publisher": your publisher id, e.g. "acme"; the plugin id becomes publisher.name',
      version: 'add "version": a semver version, e.g. "0.1.0"',
      engines: 'add "engines": { "visage": "^0.1.0" }',
      main: 'add "main": the entry module that exports activate(ctx), e.g. "./src/index.ts"',
    };
    for (const [field, hint] of Object.entries(hints)) {
      const p = only(manifest({ [field]: undefined }));
      expect(p).toMatchObject({ severity: 'error', pointer: `/${field}`, message: `missing required field "${field}"`, hint });
    }
    expect(only(manifest({ engines: {} }))).toMatchObject({ pointer: '/engines/visage', message: 'missing required field "visage"', hint: 'add engines.visage, a semver range of the Visage API, e.g. "^0.1.0"' });
    expect(only(manifest({ contributes: { presets: [{ id: 'p' }] } }))).toMatchObject({ pointer: '/contributes/presets/0/path', message: 'missing required field "path"', hint: 'add the field; see manifest.schema.json' });
  });

  it('a value of the wrong type says which type, with the right article', () => {
    expect(only(manifest({ version: 1 }))).toMatchObject({ pointer: '/version', message: 'must be of type string', hint: 'change the value at /version to a string' });
    expect(only(manifest({ contributes: [] }))).toMatchObject({ pointer: '/contributes', message: 'must be of type object', hint: 'change the value at /contributes to an object' });
    expect(only(manifest({ activationEvents: 'x' }))).toMatchObject({ pointer: '/activationEvents', hint: 'change the value at /activationEvents to an array' });
    for (const field of ['displayName', 'description']) expect(only(manifest({ [field]: 1 })).pointer).toBe(`/${field}`);
  });

  it('an unknown contribution point lists the known ones', () => {
    expect(only(manifest({ contributes: { themes: [] } }))).toMatchObject({
      pointer: '/contributes/themes',
      message: 'unknown contribution point "themes"',
      hint: 'contribution points are: promptBuilders, ingesters, levels, fusions, deciders, presets, configuration, commands',
    });
  });

  it('an unknown property inside a contribution is named', () => {
    expect(only(manifest({ contributes: { levels: [{ id: 'a', need: [] }] } }))).toMatchObject({
      pointer: '/contributes/levels/0/need',
      message: 'unknown property "need"',
      hint: 'remove it, or check its spelling against manifest.schema.json',
    });
  });

  it('a value not matching its pattern gets a hint for that kind of value', () => {
    expect(only(manifest({ publisher: 'Acme' }))).toMatchObject({ pointer: '/publisher', message: 'does not match ^[a-z0-9][a-z0-9-]*$', hint: 'lowercase letters, digits and dashes, e.g. "acme"' });
    expect(only(manifest({ pluginDependencies: ['landmarks'] }))).toMatchObject({ pointer: '/pluginDependencies/0', hint: 'write plugin ids as publisher.name, e.g. "visage.landmarks"' });
    expect(only(manifest({ activationEvents: ['onLevel'] }))).toMatchObject({ pointer: '/activationEvents/0', hint: 'use "onLevel:<id>", "onFusion:<id>", "onCommand:<id>", ... or "*"' });
    expect(only(manifest({ contributes: { levels: [{ id: 'Warmth' }] } }))).toMatchObject({ pointer: '/contributes/levels/0/id', message: 'does not match ^[a-z][a-z0-9-]*$', hint: 'ids are lowercase letters, digits and dashes, starting with a letter' });
    expect(only(manifest({ name: 'Warmth' })).pointer).toBe('/name');
  });

  it('other schema errors keep ajv\'s message', () => {
    expect(only(manifest({ pluginDependencies: ['a.b', 'a.b'] }))).toMatchObject({
      pointer: '/pluginDependencies',
      message: 'must NOT have duplicate items (items ## 1 and 0 are identical)',
      hint: 'see manifest.schema.json for the allowed shape',
    });
  });


  describe('engines.visage', () => {
    it('accepts a range that includes the host version, prereleases included', () => {
      expect(problemsOf(manifest({ engines: { visage: '>=0.1.0' } }))).toEqual([]);
      expect(problemsOf(manifest({ engines: { visage: '^2.0.0' } }), '2.1.0-rc.1')).toEqual([]);
    });

    it('refuses * and what is not a range, with an example for this host', () => {
      for (const range of ['*', ' * ', 'latest']) {
        expect(only(manifest({ engines: { visage: range } }))).toMatchObject({
          severity: 'error',
          pointer: '/engines/visage',
          message: `could not parse engines.visage value "${range}"`,
          hint: 'use a semver range that pins the major (and for 0.x the minor) version, for example "^0.1.0"',
        });
      }
      expect(only(manifest({ engines: { visage: '*' } }), '2.3.4').hint).toContain('for example "^2.3.0"');
    });

    it('refuses a range that excludes the host', () => {
      expect(only(manifest({ engines: { visage: '^1.0.0' } }))).toMatchObject({
        severity: 'error',
        pointer: '/engines/visage',
        message: 'plugin requires Visage ^1.0.0, but this host is 0.1.0',
        hint: 'update the plugin, or set engines.visage to a range that includes 0.1.0, for example "^0.1.0"',
      });
      expect(only(manifest({ engines: { visage: '^0.1.0' } }), '0.2.0').message).toBe('plugin requires Visage ^0.1.0, but this host is 0.2.0');
    });

    it('leaves a missing or non-string range to the schema', () => {
      expect(only(manifest({ engines: { visage: 1 } })).message).toBe('must be of type string');
    });
  });

  describe('main', () => {
    it('may point anywhere inside the plugin folder', () => {
      for (const main of ['./src/index.js', 'index.js', 'a/../b.js', '.', './']) expect(problemsOf(manifest({ main }))).toEqual([]);
    });

    it('may not leave the folder, be absolute, or name a sibling folder sharing its prefix', () => {
      for (const main of ['../x.js', '/abs/x.js', '../warmth-evil/x.js', '..']) {
        expect(only(manifest({ main }))).toMatchObject({
          severity: 'error',
          pointer: '/main',
          message: `main "${main}" resolves outside the plugin folder`,
          hint: 'point main at a module inside the plugin folder, e.g. "./src/index.ts" (symlinks count where they lead)',
        });
      }
    });

    it('is left to the schema when not a string', () => {
      expect(only(manifest({ main: 5 })).message).toBe('must be of type string');
    });
  });

  describe('contribution ids', () => {
    it('must be unique within a point', () => {
      const p = only(manifest({ contributes: { levels: [{ id: 'a' }, { id: 'b' }, { id: 'a' }] } }));
      expect(p).toEqual({ severity: 'error', plugin: 'acme.visage-plugin-warmth', pointer: '/contributes/levels/2/id', message: 'duplicate levels id "a"', hint: 'give each contribution a unique id within the plugin' });
    });

    it('may repeat across points', () => {
      expect(problemsOf(manifest({ contributes: { levels: [{ id: 'a' }], fusions: [{ id: 'a' }] } }))).toEqual([]);
    });

    it('a contributes that is not an object, or entries that are not objects, are left to the schema', () => {
      expect(problemsOf(manifest({ contributes: null })).map((p) => p.pointer)).toEqual(['/contributes']);
      expect(problemsOf(manifest({ contributes: { levels: [null, { id: 'a' }] } })).map((p) => p.pointer)).toEqual(['/contributes/levels/0']);
    });

    it('only string ids count', () => {
      const problems = problemsOf(manifest({ contributes: { levels: [{ id: 1 }, { id: 1 }] } }));
      expect(problems.every((p) => !p.message.startsWith('duplicate'))).toBe(true);
      expect(problems).toHaveLength(2);
    });
  });
});
