/**
 * Class 2: output the OS refuses or cannot take. A slow reader slows the batch (backpressure) and
 * loses nothing; a reader that goes away ends it with a coded message, not a stack trace; every
 * output path is checked before any plugin loads, and --out never overwrites an input.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clips, expectNoStack, HOSTILE, hostileRun, rowsOf, runCliProcess, runShell, tmpDir, VISAGE } from './support/spawn-cli.ts';

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const shellRun = (args: string[]) => [process.execPath, VISAGE, ...args].map(q).join(' ');

/** A config that makes the plugin leave a marker when it activates, so a test can tell whether it loaded. */
function markerConfig(dir: string): { config: string; marker: string } {
  const marker = path.join(dir, 'activated');
  const config = path.join(dir, 'marker.json');
  writeFileSync(config, JSON.stringify({ plugins: { 'test.hostile': { marker } } }));
  return { config, marker };
}

describe('rows on a pipe', () => {
  it('a slow reader gets every 300 KB row whole (backpressure, no EAGAIN)', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'rows.jsonl');
    const args = hostileRun('--set', 'stages.levels.hostile.options={"mode":"huge","on":[0,1,2,3,4,5,6,7],"arg":"300000"}', ...clips(8));
    const r = await runShell(`set -o pipefail; ${shellRun(args)} | (sleep 2; cat) > ${q(out)}`);
    expect(r.code, r.stderr).toBe(0);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((x) => x.source)).toEqual(clips(8));
    for (const row of rows) expect(row.levels.hostile.summary.blob).toHaveLength(300_000);
    expect(r.stderr).toMatch(/8 of 8 clips ok/);
  });

  it('a reader that goes away (| head -c 50) ends the batch with OUTPUT_CLOSED and the summary, no stack trace', async () => {
    const args = hostileRun('--set', 'stages.levels.hostile.options={"mode":"huge","on":[0,1,2,3,4,5,6,7,8,9],"arg":"100000"}', ...clips(10));
    const r = await runShell(`${shellRun(args)} | head -c 50 > /dev/null; echo "visage exit ${'$'}{PIPESTATUS[0]}" >&2`);
    expect(r.stderr).toMatch(/OUTPUT_CLOSED/);
    expect(r.stderr).toMatch(/clips ok/);
    expect(r.stderr).toMatch(/visage exit 1/);
    expectNoStack(r.stderr);
  });
});

describe('output paths are checked before anything loads', () => {
  it.each([
    ['--out is a folder', (d: string) => ['--out', d], /is a folder/],
    ['--out in a missing folder', (d: string) => ['--out', path.join(d, 'no/such/rows.jsonl')], /does not exist/],
    ['--trace in a missing folder', (d: string) => ['--trace', path.join(d, 'no/such/trace.json')], /does not exist/],
    ['--save-renders is a file', (d: string) => { writeFileSync(path.join(d, 'f'), ''); return ['--save-renders', path.join(d, 'f')]; }, /not a folder/],
  ])('%s: exit 2, OUTPUT_PATH_INVALID, the plugin never activated', async (_name, flags, message) => {
    const dir = tmpDir();
    const { config, marker } = markerConfig(dir);
    const r = await runCliProcess(hostileRun('--config', config, ...flags(dir), ...clips(2)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OUTPUT_PATH_INVALID/);
    expect(r.stderr).toMatch(message);
    expect(existsSync(marker)).toBe(false);
    expectNoStack(r.stderr);
  });

  it('--out naming one of the inputs is refused, and the input is left as it was', async () => {
    const dir = tmpDir();
    const input = path.join(dir, 'clip.mp4');
    writeFileSync(input, 'not really a video');
    const r = await runCliProcess(['pipeline', 'run', '--plugin-dir', HOSTILE, '--preset', 'hostile', '--out', path.join(dir, '.', 'clip.mp4'), input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/OUTPUT_IS_INPUT/);
    expect(readFileSync(input, 'utf8')).toBe('not really a video');
  });

  it('a --trace that cannot be written after the batch is reported; the rows stand', async () => {
    const dir = tmpDir();
    const traceDir = path.join(dir, 'traces');
    mkdirSync(traceDir);
    // The plugin removes the trace folder during the run, as a full or unmounted disk would.
    const r = await runCliProcess(hostileRun('--trace', path.join(traceDir, 't.json'), '--set', `stages.levels.hostile.options=${JSON.stringify({ mode: 'remove', on: [0], arg: traceDir })}`, ...clips(2)));
    expect(r.code).toBe(1);
    expect(rowsOf(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/could not write the trace/);
    expect(r.stderr).toMatch(/2 of 2 clips ok/);
    expectNoStack(r.stderr);
  });

  it.each([['0'], ['abc'], ['1.5'], ['1000']])('--jobs %s is refused (exit 2) before anything runs', async (jobs) => {
    const r = await runCliProcess(hostileRun('--jobs', jobs, ...clips(1)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CLI_OPTION_INVALID: --jobs ".*" is not a whole number from 1 to 64/);
  });
});
