/**
 * Class 5: keys that reach Object.prototype (`__proto__`, `constructor`, `prototype`) are refused with
 * CONFIG_KEY_FORBIDDEN wherever a preset layer comes from, and nothing is ever polluted, even in a
 * long-lived embedding process that resolves again after a refused attempt.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost } from '../../core/index.ts';
import { isVisageError } from '../../core/errors/index.ts';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { SYNTHETIC, copySyntheticPlugin, tmpDir, writeRaw } from './support/files.ts';

const polluted = () => ({} as Record<string, unknown>);
const PROBES = ['polluted', 'y', 'z', 'a'];

afterEach(() => {
  // A failing case must not poison the rest of the file.
  for (const k of PROBES) delete (Object.prototype as Record<string, unknown>)[k];
});

const setAttempts = ['__proto__.polluted=1', 'stages.__proto__.y=2', 'constructor.prototype.z=3', 'stages={"__proto__":{"a":1}}', 'stages.levels.colour.options={"constructor":{"prototype":{"polluted":1}}}'];

describe('prototype pollution through configuration', () => {
  it.each(setAttempts)('--set %s is refused with exit 2 and pollutes nothing', async (expr) => {
    const r = await runCli('pipeline', 'explain', ...SYNTHETIC, '--set', expr);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/CONFIG_KEY_FORBIDDEN: --set .*the key "(__proto__|constructor)"/);
    for (const k of PROBES) expect(polluted()[k]).toBeUndefined();
  });

  it('refuses an own "__proto__" key in a --config file, naming the file and the key path', async () => {
    const file = writeRaw(path.join(tmpDir(), 'evil.json'), '{"extends": "synthetic", "stages": {"levels": {"colour": {"__proto__": {"polluted": 1}}}}}');
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--config', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('CONFIG_KEY_FORBIDDEN');
    expect(r.err).toContain('evil.json');
    expect(r.err).toContain('stages.levels.colour.__proto__');
    expect(polluted().polluted).toBeUndefined();
  });

  it('refuses a "__proto__" key in a preset contributed by a plugin', async () => {
    const dir = tmpDir();
    const plugin = copySyntheticPlugin(dir);
    writeRaw(path.join(plugin, 'synthetic.pipeline.json'), '{"__proto__": {"polluted": 1}, "frames": 4, "classes": ["a", "b"], "stages": {"ingest": {"use": "test.synthetic/solid"}, "levels": {"colour": {}}, "fusion": {"use": "visage.core/weighted-mean"}, "decide": {"use": "visage.core/argmax"}}}');
    const r = await runCli('pipeline', 'explain', '--plugin-dir', dir, '--preset', 'synthetic');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/CONFIG_KEY_FORBIDDEN: preset .*synthetic.*:\d+:\d+: the key "__proto__"/);
    expect(polluted().polluted).toBeUndefined();
  });

  it('an embedding host stays clean across repeated refused and accepted resolves', () => {
    const host = createHost({ pluginDirs: [FIXTURE_PLUGINS] });
    for (let i = 0; i < 3; i++) {
      for (const expr of setAttempts) {
        let thrown: unknown;
        try {
          host.resolve({ preset: 'synthetic', set: [expr] });
        } catch (e) {
          thrown = e;
        }
        expect(isVisageError(thrown) && thrown.code).toBe('CONFIG_KEY_FORBIDDEN');
        expect(isVisageError(thrown) && thrown.exitCode).toBe(2);
      }
      const ok = host.resolve({ preset: 'synthetic', set: ['frames=3'] });
      expect(ok.frames).toBe(3);
      for (const k of PROBES) expect(polluted()[k]).toBeUndefined();
    }
  });
});
