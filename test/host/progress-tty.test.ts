/**
 * The progress bar on a real terminal (a pty from util-linux `script`): it counts every input,
 * those that failed to resolve too, and rows printed to the same terminal stay whole lines.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const HOSTILE = path.join(REPO_ROOT, 'test/reliability/fixtures/hostile');
const haveScript = spawnSync('script', ['--version']).status === 0;

describe.runIf(haveScript)('progress on a terminal', () => {
  it('counts unresolved inputs in the total, and never garbles the rows printed beside it', () => {
    const cmd = [process.execPath, path.join(REPO_ROOT, 'bin/visage.js'), 'pipeline', 'run', '--plugin-dir', HOSTILE, '--preset', 'hostile',
      '--set', 'stages.levels.hostile.options={"mode":"slow","on":[0,1,2,3,4],"arg":"300"}', '/no/such/clip.mp4', 'clip:0', 'clip:1', 'clip:2', 'clip:3', 'clip:4']
      .map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    const screen = r.stdout.replaceAll('\r\x1b[K', '\n').replaceAll('\r', '');
    const lines = screen.split('\n').filter(Boolean);
    const rows = lines.filter((l) => l.startsWith('{'));
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(() => JSON.parse(row)).not.toThrow();
    expect(lines.some((l) => / 6\/6 clips /.test(l))).toBe(true);
    expect(lines.some((l) => / 1\/6 clips .*1 failed/.test(l))).toBe(true);
  });
});
