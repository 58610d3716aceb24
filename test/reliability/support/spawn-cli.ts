/**
 * The real `visage` CLI in its own process, for faults that only a process shows (signals, exit
 * codes, pipes, process.exit from plugin code). Every spawn has a deadline, so a hang fails the test
 * instead of stalling the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/shared-data.ts';

export const VISAGE = path.join(REPO_ROOT, 'bin/visage.js');
export const HOSTILE = path.join(REPO_ROOT, 'test/reliability/fixtures/hostile');

export function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'visage-reliability-'));
}

/** `pipeline run` on the hostile fixture preset with the given extra arguments. */
export function hostileRun(...args: string[]): string[] {
  return ['pipeline', 'run', '--plugin-dir', HOSTILE, '--preset', 'hostile', ...args];
}

/** clip:0 .. clip:n-1 */
export const clips = (n: number) => Array.from({ length: n }, (_, i) => `clip:${i}`);

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<Finished>;
}

export function startCli(args: string[], opts: { env?: Record<string, string>; deadlineMs?: number } = {}): Running {
  const t0 = performance.now();
  const child = spawn(process.execPath, [VISAGE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const deadline = setTimeout(() => child.kill('SIGKILL'), opts.deadlineMs ?? 40_000);
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => {
    clearTimeout(deadline);
    resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runCliProcess(args: string[], opts: { env?: Record<string, string>; deadlineMs?: number } = {}): Promise<Finished> {
  return startCli(args, opts).done;
}

/** Runs a shell command line (for real pipes: `| head`, `| (sleep 3; cat)`). */
export function runShell(line: string, deadlineMs = 60_000): Promise<Finished> {
  const t0 = performance.now();
  const child = spawn('bash', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const deadline = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(deadline);
    resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
  }));
}

export async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const rowsOf = (text: string) => text.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** No raw stack trace reached the user: every failure is a coded line. */
export function expectNoStack(stderr: string): void {
  if (/^\s+at .+\(.+:\d+:\d+\)$/m.test(stderr) || /unexpected error/.test(stderr)) throw new Error(`a stack trace reached stderr:\n${stderr}`);
}
