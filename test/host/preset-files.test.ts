/**
 * Preset files as users write them: README's JSONC example runs as printed, mistakes point at
 * file:line:column, and --preset takes a name, a file or a folder holding pipeline.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'visage-presets-'));

/** The ```jsonc block under README's "Presets" heading, verbatim. */
function readmePresetExample(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Presets'));
  const m = /```jsonc\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no jsonc block under "## Presets"');
  return m[1];
}

describe('preset files', () => {
  it("README's JSONC preset example resolves as printed (comments and all)", async () => {
    const dir = tmp();
    const file = path.join(dir, 'my-variant.json');
    writeFileSync(file, readmePresetExample());
    const r = await runCli('pipeline', 'explain', '--preset', file);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/preset +my-variant/);
    expect(r.out).toMatch(/parsing +\(disabled\)/);
    expect(r.out).toMatch(/unknownBelow = 0\.4/);
    // And it runs: levels that score all 7 FER classes are narrowed to the preset's three.
    const rows = path.join(dir, 'rows.jsonl');
    const run = await runCli('pipeline', 'run', path.join(REPO_ROOT, 'samples/astronaut.mp4'), '--preset', file, '--out', rows);
    expect(run.code, run.err).toBe(0);
    const row = JSON.parse(readFileSync(rows, 'utf8'));
    expect(row.label).toBe('happy');
    expect(Object.keys(row.probabilities).sort()).toEqual(['angry', 'happy', 'sad']);
    expect(row.levels.expression.flags.join(' ')).toMatch(/outside this run ignored: .*neutral/);
  }, 120_000);

  it('a syntax error is reported as file:line:column with a hint', async () => {
    const file = path.join(tmp(), 'bad.json');
    writeFileSync(file, '{\n  "extends": "embedded",\n  "frames": 8\n  "classes": []\n}\n');
    const r = await runCli('pipeline', 'explain', '--preset', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`JSON_INVALID: preset ${file}:4:3: comma expected`);
    expect(r.err).toMatch(/hint: presets are JSON with optional \/\/ comments/);
  });

  it('a key that reaches the object prototype is refused where it is written', async () => {
    const file = path.join(tmp(), 'proto.json');
    writeFileSync(file, '{\n  "extends": "embedded",\n  "stages": { "__proto__": { "polluted": 1 } }\n}\n');
    const r = await runCli('pipeline', 'explain', '--preset', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`CONFIG_KEY_FORBIDDEN: preset ${file}:3:15: the key "__proto__" (at stages.__proto__) is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('--preset takes a folder holding pipeline.json, and a bare file name in the working folder', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'variant'));
    writeFileSync(path.join(dir, 'variant', 'pipeline.json'), JSON.stringify({ name: 'from-folder', extends: 'embedded', frames: 4 }));
    const byFolder = await runCli('pipeline', 'explain', '--preset', path.join(dir, 'variant'));
    expect(byFolder.code, byFolder.err).toBe(0);
    expect(byFolder.out).toMatch(/preset +from-folder/);
    expect(byFolder.out).toMatch(/frames +4/);
  });

  it('an unknown preset name says which forms --preset takes', async () => {
    const r = await runCli('pipeline', 'explain', '--preset', 'no-such-variant');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRESET_NOT_FOUND/);
    expect(r.err).toMatch(/--preset takes a preset name \(known: .*embedded.*\), a pipeline\.json file, or a folder holding one/);
  });
});
