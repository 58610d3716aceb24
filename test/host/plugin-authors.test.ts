/** What a plugin author meets when something is wrong: the file and line, and ids as the registry spells them. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

function pluginWithTypo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-author-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'typo', publisher: 'acme', version: '1.0.0', type: 'module', main: './src/index.js', engines: { visage: '^0.1.0' },
    contributes: { levels: [{ id: 'typo', scores: true }], presets: [{ id: 'typo', path: './typo.json' }] },
  }));
  writeFileSync(path.join(dir, 'typo.json'), JSON.stringify({ extends: 'embedded', stages: { levels: { typo: { weight: 1 } } } }));
  writeFileSync(path.join(dir, 'src', 'index.js'), '// line 1\nexport function activate(ctx) {\n  ctx.stages.levels.provide("typo", async () => ({ scores: {} })\n}\n');
  return dir;
}

describe('plugin authors', () => {
  it('a syntax error in the entry is reported with file and line, by run and by validate --load', async () => {
    const dir = pluginWithTypo();
    const plain = await runCli('plugins', 'validate', dir);
    expect(plain.out).toContain('[acme.typo] ok'); // the manifest itself is fine
    const loaded = await runCli('plugins', 'validate', dir, '--load');
    expect(loaded.code).toBe(2);
    expect(loaded.out).toContain(`${path.join(dir, 'src/index.js')}:3: SyntaxError: missing ) after argument list`);
    expect(loaded.out).toContain('[acme.typo] invalid: 1 error(s)');
    const run = await runCli('pipeline', 'explain', '--plugin-dir', dir, '--preset', 'typo');
    expect(run.code).toBe(0); // explain loads no plugin code
    const ran = await runCli('pipeline', 'run', '--plugin-dir', dir, '--preset', 'typo', 'samples/astronaut.mp4', '--out', path.join(dir, 'rows.jsonl'));
    const row = JSON.parse(readFileSync(path.join(dir, 'rows.jsonl'), 'utf8'));
    expect(ran.code).toBe(1);
    expect(row.error.code).toBe('PLUGIN_ACTIVATION_FAILED');
    expect(row.error.message).toContain('src/index.js:3: SyntaxError');
  });

  it('plugins validate prints ids with the npm scope dropped, as the registry does', async () => {
    const r = await runCli('plugins', 'validate', path.join(REPO_ROOT, 'plugins'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/@/);
    expect(r.out).toContain('[visage.clip-adapter] ok');
  });
});
