/**
 * Class 7: a clip path is never read by ffprobe/ffmpeg as an option or a protocol, and a plugin's
 * `main` or contributed preset cannot reach outside its folder through `..` or a symlink.
 */
import { existsSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { copySyntheticPlugin, makeVideo, mediaConfig, runVisage, tmpDir } from './support/files.ts';

describe('clip paths given to ffmpeg and ffprobe', () => {
  it('a clip named -report is decoded as a file, and no tool writes a report into the working folder', async () => {
    const cwd = tmpDir('dash');
    makeVideo(path.join(cwd, '-report'), 20);
    const r = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(tmpDir()), '--', '-report'], { cwd });
    expect(r.err).toContain('1 of 1 clips ok');
    const row = JSON.parse(r.out.trim());
    expect(row).toMatchObject({ id: '-report', error: null });
    expect(readdirSync(cwd)).toEqual(['-report']);
  });

  it('a clip named - is the file of that name, not standard input', async () => {
    const cwd = tmpDir('stdin');
    makeVideo(path.join(cwd, '-'), 12);
    const r = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(tmpDir()), '--', '-'], { cwd });
    expect(JSON.parse(r.out.trim())).toMatchObject({ id: '-', error: null });
  });
});

describe('plugins that reach outside their folder', () => {
  const marker = path.join(tmpDir('mark'), 'outside-code-ran');

  /** A plugin whose src/ is a symlink to a folder elsewhere holding code that leaves a marker. */
  function symlinkedMainPlugin(): string {
    const dir = tmpDir('escape');
    const plugin = copySyntheticPlugin(dir);
    const outside = path.join(tmpDir('outside'), 'src');
    renameSync(path.join(plugin, 'src'), outside);
    writeFileSync(path.join(outside, 'index.js'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport function activate() {}\n`);
    symlinkSync(outside, path.join(plugin, 'src'));
    return plugin;
  }

  it('plugins validate refuses a main that escapes through a symlinked folder (exit 2)', async () => {
    const plugin = symlinkedMainPlugin();
    const r = await runCli('plugins', 'validate', plugin);
    expect(r.code).toBe(2);
    expect(r.out + r.err).toMatch(/at \/main: main "\.\/src\/index\.js" resolves outside the plugin folder/);
  });

  it('such a plugin is listed as failed and its code never runs', async () => {
    const plugin = symlinkedMainPlugin();
    const list = await runCli('plugins', 'list', '--plugin-dir', path.dirname(plugin));
    expect(list.out).toMatch(/FAILED {2}test\.synthetic@1\.0\.0 {2}\(plugin-dir\)\n {4}reason: main "\.\/src\/index\.js" resolves outside the plugin folder/);
    const run = await runCli('pipeline', 'run', '--plugin-dir', path.dirname(plugin), '--preset', 'synthetic', 'solid:255,0,0');
    expect(run.code).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['through ..', '../../../../../../../../etc/hostname'],
    ['as an absolute path', '/etc/hostname'],
  ])('a contributed preset path %s is refused and never read', async (_, presetPath) => {
    const dir = tmpDir('preset');
    const plugin = copySyntheticPlugin(dir, (m) => { m.contributes.presets = [{ id: 'leak', path: presetPath }]; });
    const validate = await runCli('plugins', 'validate', plugin);
    expect(validate.code).toBe(2);
    expect(validate.out + validate.err).toContain(`at /contributes/presets/0/path: preset path "${presetPath}" resolves outside the plugin folder`);
    const explain = await runCli('pipeline', 'explain', '--plugin-dir', dir, '--preset', 'leak');
    expect(explain.code).toBe(2);
    expect(explain.err).toMatch(/PRESET_NOT_FOUND/);
  });

  it('a preset file that is a symlink to a file outside is refused', async () => {
    const dir = tmpDir('presetlink');
    const plugin = copySyntheticPlugin(dir);
    const outside = path.join(tmpDir('outside'), 'secret.json');
    writeFileSync(outside, '{"name": "secret-outside"}');
    symlinkSync(outside, path.join(plugin, 'linked.pipeline.json'));
    const edited = copySyntheticPlugin(tmpDir('presetlink2'), (m) => { m.contributes.presets = [{ id: 'linked', path: './linked.pipeline.json' }]; });
    symlinkSync(outside, path.join(edited, 'linked.pipeline.json'));
    const r = await runCli('plugins', 'validate', edited);
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain('preset path "./linked.pipeline.json" resolves outside the plugin folder');
  });

  it('a plugin whose files are all inside still validates', async () => {
    const r = await runCli('plugins', 'validate', path.join(FIXTURE_PLUGINS, 'synthetic'));
    expect(r.code).toBe(0);
  });
});
