import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../manifest-problem.ts';
import { readManifest } from '../read-manifest.ts';

const root = mkdtempSync(path.join(tmpdir(), 'visage-manifest-'));
function pluginFolder(name: string, packageJson?: string): string {
  const folder = path.join(root, name);
  mkdirSync(folder, { recursive: true });
  if (packageJson !== undefined) writeFileSync(path.join(folder, 'package.json'), packageJson);
  return folder;
}
const VALID = { name: 'warmth', publisher: 'acme', version: '1.0.0', main: './index.js', engines: { visage: '^0.1.0' } };

describe('readManifest', () => {
  it('reads and validates package.json', () => {
    const folder = pluginFolder('good', JSON.stringify(VALID));
    expect(readManifest(folder)).toEqual({ file: path.join(folder, 'package.json'), raw: VALID, manifest: VALID, problems: [] });
  });

  it('keeps the parsed JSON of an invalid manifest', () => {
    const folder = pluginFolder('bad', JSON.stringify({ ...VALID, version: 1 }));
    const r = readManifest(folder);
    expect(r.raw).toEqual({ ...VALID, version: 1 });
    expect(r.manifest).toBeUndefined();
    expect(r.problems.map((p) => [p.plugin, p.pointer])).toEqual([['acme.warmth', '/version']]);
  });

  it('a folder without package.json is one problem naming the file', () => {
    const folder = pluginFolder('empty');
    const r = readManifest(folder);
    const file = path.join(folder, 'package.json');
    expect(r.file).toBe(file);
    expect(r.raw).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'error', plugin: 'empty', pointer: '', hint: 'a plugin folder must contain a package.json manifest' });
    expect(r.problems[0].message).toMatch(new RegExp(`^cannot read ${file}: ENOENT`));
  });

  it('a JSON syntax error is located by line and column', () => {
    const folder = pluginFolder('syntax', '{\n  "name": "x",\n  "version": 1,\n}\n');
    const r = readManifest(folder);
    expect(r.raw).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0];
    expect(p).toMatchObject({ severity: 'error', plugin: 'syntax', pointer: '', line: 4, column: 1, hint: 'fix the syntax (trailing commas and comments are not allowed in package.json)' });
    expect(p.message).toMatch(/^package\.json is not valid JSON: /);
  });

  it('locates an error on the first line', () => {
    const p = readManifest(pluginFolder('first', '{"name": "x",}')).problems[0];
    expect([p.line, p.column]).toEqual([1, 14]);
  });

  it('leaves line and column out when the parser gives no position', () => {
    const p = readManifest(pluginFolder('nopos', '{"name": x}')).problems[0];
    expect(p.message).toMatch(/^package\.json is not valid JSON: Unexpected token/);
    expect(p.line).toBeUndefined();
    expect(p.column).toBeUndefined();
  });
});

describe('formatProblem', () => {
  const problem = { severity: 'error' as const, plugin: 'acme.warmth', pointer: '/main', message: 'bad', hint: 'fix it' };

  it('names plugin, severity, pointer, message and hint', () => {
    expect(formatProblem(problem)).toBe('[acme.warmth] error: at /main: bad\n    hint: fix it');
  });

  it('adds the file, and the line and column when known; the whole document is /', () => {
    expect(formatProblem(problem, 'p/package.json')).toBe('[acme.warmth] error: p/package.json at /main: bad\n    hint: fix it');
    expect(formatProblem({ ...problem, severity: 'warning', pointer: '', line: 3, column: 7 }, 'package.json')).toBe('[acme.warmth] warning: package.json:3:7 at /: bad\n    hint: fix it');
  });
});
