/**
 * A run killed at any moment leaves only complete JSON lines: rows are written with one write
 * per line. SIGTERM also stops gracefully (clips in flight are aborted, exit code 1), and every input
 * still gets a row.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

async function killAfterRows(signal: NodeJS.Signals, rows: number) {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-kill-')), 'rows.jsonl');
  const clips = Array.from({ length: 200 }, (_, i) => `solid:${i % 250},${(3 * i) % 250},${(7 * i) % 250}`);
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/visage.js'), 'pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic',
    '--set', 'stages.levels.slow.options.ms=20', '--out', out, ...clips], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !(existsSync(out) && readFileSync(out, 'utf8').split('\n').length > rows)) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr, text: readFileSync(out, 'utf8'), size: statSync(out).size };
}

describe('a killed run', () => {
  it('leaves only complete JSON lines after SIGKILL', async () => {
    const { text } = await killAfterRows('SIGKILL', 5);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeLessThan(200);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('stops on SIGTERM with whole rows and a failure exit code', async () => {
    const { code, text, stderr } = await killAfterRows('SIGTERM', 5);
    expect(code).toBe(1);
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    // Every input has a row: those that never started say SKIPPED, the ones in flight ABORTED.
    expect(rows).toHaveLength(200);
    const codes = rows.map((r) => r.error?.code ?? 'ok');
    const notRun = (c: string) => c === 'SKIPPED' || c === 'ABORTED';
    // The rows written before the signal are finished ones (clip 0 is black: the fixture refuses it).
    expect(codes.slice(0, 5).some(notRun)).toBe(false);
    expect(codes.filter((c) => c === 'SKIPPED').length).toBeGreaterThan(0);
    // Once one clip was stopped, nothing new started: past it, only the other clip in flight (--jobs 2) may have finished.
    const firstStopped = codes.findIndex(notRun);
    expect(codes.slice(firstStopped).filter((c) => !notRun(c)).length).toBeLessThanOrEqual(1);
    expect(stderr).toMatch(/clips ok, .* not run .*stopped early: interrupted by SIGTERM/);
  });
});
