import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifestSchema } from '../../core/manifest/index.ts';
import { runCli } from '../helpers/cli.ts';

const valid = {
  name: 'visage-plugin-demo',
  publisher: 'acme',
  version: '1.0.0',
  engines: { visage: '^0.1.0' },
  main: './index.js',
  contributes: { levels: [{ id: 'demo' }] },
};

function pluginDir(manifest: unknown, raw?: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-manifest-')), 'visage-plugin-demo');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), raw ?? JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(dir, 'index.js'), 'export function activate() {}\n');
  return dir;
}

const without = (key: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key));

describe('visage plugins validate', () => {
  it('accepts a valid manifest', async () => {
    const r = await runCli('plugins', 'validate', pluginDir(valid));
    expect(r.code).toBe(0);
    expect(r.out).toContain('[acme.visage-plugin-demo] ok');
  });

  // Each case: the manifest, the JSON pointer and words that must appear in the message and the hint.
  const cases: [string, unknown, string, RegExp, RegExp][] = [
    ['a missing required field', without('publisher'), '/publisher', /missing required field "publisher"/, /hint: add "publisher"/],
    ['a wrong type', { ...valid, version: 3 }, '/version', /must be of type string/, /hint: change the value at \/version to a string/],
    ['an unparsable engines range', { ...valid, engines: { visage: 'not a range' } }, '/engines/visage', /could not parse engines.visage value "not a range"/, /hint: .*"\^0\.1\.0"/],
    ['a "*" engines range', { ...valid, engines: { visage: '*' } }, '/engines/visage', /could not parse/, /pins the major/],
    ['an incompatible engines range', { ...valid, engines: { visage: '^2.0.0' } }, '/engines/visage', /requires Visage \^2\.0\.0, but this host is 0\.1\.0/, /hint: update the plugin/],
    ['main outside the plugin folder', { ...valid, main: '../../evil.js' }, '/main', /resolves outside the plugin folder/, /hint: point main at a module inside/],
    ['an unknown contribution point', { ...valid, contributes: { widgets: [] } }, '/contributes/widgets', /unknown contribution point "widgets"/, /hint: contribution points are: promptBuilders, ingesters, levels/],
  ];
  for (const [what, manifest, pointer, message, hint] of cases) {
    it(`reports ${what} with plugin id, pointer and hint`, async () => {
      const r = await runCli('plugins', 'validate', pluginDir(manifest));
      expect(r.code).toBe(2);
      const line = r.out.split('\n').find((l) => l.includes(`at ${pointer}:`));
      expect(line, r.out).toBeDefined();
      expect(line).toMatch(/^\[(acme\.visage-plugin-demo|visage-plugin-demo)\] error:/);
      expect(line).toMatch(message);
      expect(r.out).toMatch(hint);
    });
  }

  it('reports a JSON syntax error with its line and column', async () => {
    const r = await runCli('plugins', 'validate', pluginDir(null, '{\n  "name": "x",\n  "publisher": "acme",\n}\n'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^\[visage-plugin-demo\] error: .*package\.json:4:1 at \/: package\.json is not valid JSON/m);
    expect(r.out).toMatch(/hint: fix the syntax \(trailing commas/);
  });

  it('reports every problem of a manifest at once', async () => {
    const r = await runCli('plugins', 'validate', pluginDir({ ...without('main'), version: 1, engines: { visage: '^9.0.0' } }));
    expect(r.out).toContain('at /main:');
    expect(r.out).toContain('at /version:');
    expect(r.out).toContain('at /engines/visage:');
    expect(r.out).toMatch(/invalid: 3 error\(s\)/);
  });

  it('accepts every plugin shipped with Visage', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    for (const dir of ['core/builtin', 'test/fixtures/plugins/synthetic', 'test/fixtures/third-party/visage-plugin-warmth']) {
      const r = await runCli('plugins', 'validate', path.join(root, dir));
      expect(r.code, r.out).toBe(0);
    }
  });
});

describe('manifest.schema.json', () => {
  it('is the schema the contribution points generate (run `npm run schema` after changing them)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../manifest.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(buildManifestSchema());
  });
});
