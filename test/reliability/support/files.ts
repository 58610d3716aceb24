/** Hostile files for the reliability tests: temp folders, copies of the synthetic fixture plugin, raw JSON. */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_PLUGINS } from '../../helpers/cli.ts';

export const tmpDir = (tag = 'rel') => mkdtempSync(path.join(os.tmpdir(), `visage-${tag}-`));

/** Writes text as is (JSON.stringify would drop an own `__proto__` key; hostile files keep it). */
export function writeRaw(file: string, text: string): string {
  writeFileSync(file, text);
  return file;
}

/** A copy of the synthetic fixture plugin in `dir/synthetic`; `edit` rewrites its manifest. */
export function copySyntheticPlugin(dir: string, edit?: (manifest: Record<string, any>) => void): string {
  const folder = path.join(dir, 'synthetic');
  cpSync(path.join(FIXTURE_PLUGINS, 'synthetic'), folder, { recursive: true });
  if (edit) {
    const file = path.join(folder, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    edit(manifest);
    writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
  return folder;
}

/** Host flags that run the synthetic fixture: no media, no models. */
export const SYNTHETIC = ['--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic'];

/** A safetensors file with a hand-written header (a string is written verbatim), for forged offsets and entries. */
export function writeSafetensors(file: string, header: unknown, data: Buffer | Float32Array): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const bytes = data instanceof Float32Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data;
  const out = Buffer.alloc(8 + json.length + bytes.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  bytes.copy(out, 8 + json.length);
  writeFileSync(file, out);
  return file;
}

export const VISAGE_BIN = fileURLToPath(new URL('../../../bin/visage.js', import.meta.url));

/** Runs the real CLI as a child process (for a working folder of its own, or to signal it). */
export function runVisage(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VISAGE_BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 }, (error, out, err) => {
      if (error && typeof error.code !== 'number' && !error.killed) return reject(error);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err });
    });
  });
}

/** A short real video made by ffmpeg's test source (size WxH, n frames at 25 fps). */
export function makeVideo(file: string, frames: number, size = '64x64'): string {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25,drawbox=x=0:y=0:w=8:h=8:color=red:t=fill`, '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', '-y', file]);
  return file;
}

/** A --config layer over the synthetic preset that ingests real media through the built-in ingester. */
export function mediaConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'media.json');
  writeFileSync(file, JSON.stringify({ extends: 'synthetic', frames: 8, stages: { ingest: { use: 'visage.core/media' } }, ...extra }));
  return file;
}

/** Live child processes of `pid` (from /proc), with their command lines. Linux only. */
export function childrenOf(pid: number): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Whether `pid` is running: a zombie (dead, waiting to be reaped by a PID 1 that may never do it) is not. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
