import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';

describe('visage plugins new', () => {
  it('creates a plugin that validates, passes its own test and runs in a pipeline', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-new-'));
    const created = await runCli('plugins', 'new', 'visage-plugin-brightness', '--publisher', 'acme', '--dir', dir);
    expect(created.code).toBe(0);
    const folder = path.join(dir, 'visage-plugin-brightness');

    const validated = await runCli('plugins', 'validate', folder);
    expect(validated.code, validated.out).toBe(0);
    expect(validated.out).toContain('[acme.visage-plugin-brightness] ok');

    const tested = execFileSync(process.execPath, ['--test'], { cwd: folder, encoding: 'utf8' });
    expect(tested).toMatch(/# pass 1/);

    const out = path.join(dir, 'rows.jsonl');
    const run = await runCli('pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--plugin-dir', folder, '--preset', 'synthetic', '--set', 'stages.levels.brightness.weight=1', 'solid:255,255,255', '--out', out);
    expect(run.code, run.err).toBe(0);
    const row = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8'));
    expect(row.levels.brightness.summary.brightness).toBe(1);
  });

  it('refuses to overwrite an existing folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-new-'));
    await runCli('plugins', 'new', 'x', '--dir', dir);
    const again = await runCli('plugins', 'new', 'x', '--dir', dir);
    expect(again.code).toBe(2);
    expect(again.err).toContain('SCAFFOLD_EXISTS');
  });
});
