/**
 * Runs a helper binary (ffmpeg, ffprobe) kill-safely: the child is SIGKILLed when the caller's
 * AbortSignal fires, and any child still running when this Node process exits is killed too, so an
 * aborted or crashed batch never leaves decoders behind. An exit hook cannot run when this process is
 * SIGKILLed (the OOM killer), so on Linux the child is started through util-linux's `setpriv
 * --pdeathsig KILL`: the kernel kills it when its parent dies, however that happens.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { ffmpegFailed } from '../errors/messages.ts';

let setprivPath: string | null | undefined;

/** Whether `p` is a file this process may execute. */
export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** util-linux's setpriv, when this is Linux and it is installed (Debian: always, util-linux is essential). */
export function parentDeathWrapper(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (process.platform !== 'linux' || process.env.VISAGE_NO_PDEATHSIG) return setprivPath;
  setprivPath = ['/usr/bin/setpriv', '/bin/setpriv'].find(isExecutable) ?? null;
  return setprivPath;
}

const live = new Set<ChildProcess>();
/** Long-lived helpers (the PyAV decoders): killed at exit too, but not per-call children. */
const servers = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of [...live, ...servers]) child.kill('SIGKILL');
  });
}

function spawnWrapped(command: string, args: string[], stdio: StdioOptions): { child: ChildProcess; wrapper: string | null } {
  const wrapper = parentDeathWrapper();
  // setpriv execs the command in place, so the pid, signals and exit status are the command's own.
  const child = wrapper ? spawn(wrapper, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio }) : spawn(command, args, { stdio });
  return { child, wrapper };
}

/**
 * Starts a long-lived helper process with piped stdio, killed with this process like every other
 * helper (exit hook, and the parent-death signal on Linux). Not counted by `liveChildren`, which
 * lists the helpers of calls in progress.
 */
export function spawnServer(command: string, args: string[]): ChildProcess {
  installExitHook();
  const { child } = spawnWrapped(command, args, ['pipe', 'pipe', 'pipe']);
  servers.add(child);
  child.on('close', () => servers.delete(child));
  child.on('error', () => servers.delete(child));
  return child;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Stop collecting stdout past this many bytes and kill the child (guards against runaway output). */
  maxStdoutBytes?: number;
}

export interface RunResult {
  code: number | null;
  /** Set when the child died from a signal (ours or someone else's). */
  killedBy: NodeJS.Signals | null;
  stdout: Buffer;
  /** At most the last 64 KiB of stderr. */
  stderr: string;
  /** True when stdout hit maxStdoutBytes and the child was stopped. */
  truncated: boolean;
}

/** The reason an AbortSignal carries, as a throwable (an AbortError DOMException by default). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Spawns `command args`, collects stdout and the tail of stderr; rejects only on abort or spawn failure. */
export function runProcess(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const { signal, maxStdoutBytes = Number.POSITIVE_INFINITY } = opts;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  installExitHook();
  return new Promise((resolve, reject) => {
    const { child, wrapper } = spawnWrapped(command, args, ['ignore', 'pipe', 'pipe']);
    live.add(child);
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = '';
    let settled = false;

    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(abortReason(signal!)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    function finish(action: () => void): void {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    }

    child.stdout!.on('data', (chunk: Buffer) => {
      if (truncated) return;
      if (size + chunk.length > maxStdoutBytes) {
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      stderr = (stderr + s).slice(-65536);
    });
    child.on('error', (err) => {
      live.delete(child);
      finish(() => reject(err));
    });
    child.on('close', (code, killedBy) => {
      live.delete(child);
      // What spawn() reports as an 'error' without the wrapper: the command could not be started.
      const notStarted = wrapper && (code === 126 || code === 127) && /^setpriv: failed to execute/m.exec(stderr);
      if (notStarted) return finish(() => reject(new Error(stderr.trim())));
      finish(() => resolve({ code, killedBy, stdout: Buffer.concat(chunks, size), stderr, truncated }));
    });
  });
}

/**
 * `runProcess` for ffmpeg/ffprobe on a media file: a failure to start the binary becomes
 * FFMPEG_FAILED naming the file; an abort still rejects with the signal's reason.
 */
export async function runMediaTool(file: string, command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  try {
    return await runProcess(command, args, opts);
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw ffmpegFailed(file, `${command}: ${(e as Error).message}`);
  }
}

/** Number of helper processes this module currently has running (for tests and diagnostics). */
export function liveChildCount(): number {
  return live.size;
}

/** pid and command line of each helper process still running (for tests and diagnostics). */
export function liveChildren(): { pid: number | undefined; command: string }[] {
  return [...live].map((c) => ({ pid: c.pid, command: c.spawnargs.join(' ') }));
}

/**
 * A path for a child's command line that it can never read as an option (`-report`) or a protocol
 * (`concat:`, `http:`): ffmpeg's `file:` protocol with an absolute path, taken literally.
 */
export function mediaToolInput(path: string): string {
  return `file:${resolve(path)}`;
}
