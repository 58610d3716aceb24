/** README's "Writing a plugin" example, manifest and code as printed, runs in a real pipeline. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

function readmeBlocks(): { manifest: string; code: string } {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Writing a plugin'));
  const manifest = /```json\n([\s\S]*?)```/.exec(section)![1];
  const code = /```js\n([\s\S]*?)```/.exec(section)![1];
  return { manifest, code };
}

describe("README's plugin example", () => {
  it('validates, loads, and its level and fusion decide a clip', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-readme-plugin-'));
    const plugin = path.join(dir, 'visage-plugin-warmth');
    mkdirSync(path.join(plugin, 'src'), { recursive: true });
    const { manifest, code } = readmeBlocks();
    writeFileSync(path.join(plugin, 'package.json'), manifest);
    writeFileSync(path.join(plugin, 'src/index.js'), code);
    const validated = await runCli('plugins', 'validate', plugin, '--load');
    expect(validated.code, validated.out).toBe(0);
    const preset = path.join(dir, 'warm.json');
    writeFileSync(preset, JSON.stringify({ extends: 'synthetic', stages: { levels: { colour: { enabled: false }, warmth: { weight: 1 } }, fusion: { use: 'acme.visage-plugin-warmth/max' } } }));
    const out = path.join(dir, 'rows.jsonl');
    const r = await runCli('pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--plugin-dir', plugin, '--preset', preset, 'solid:10,200,10', '--out', out);
    expect(r.code, r.err).toBe(0);
    const row = JSON.parse(readFileSync(out, 'utf8'));
    expect(row.label).toBe('happy');
    expect(row.probabilities).toEqual({ happy: 0.7, neutral: 0, sad: 0.3 });
    expect(row.levels.warmth.summary).toEqual({ warmth: 0.7 });
  });
});
