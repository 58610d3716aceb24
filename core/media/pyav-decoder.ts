/**
 * The fast path of `readClip` for video files: a pool of long-lived PyAV decoders (pyav-server.py,
 * FFmpeg's libraries behind a JSON-lines protocol). Per clip, the ffmpeg command path starts an
 * ffprobe and an ffmpeg, each linking about 200 shared libraries (about 80 CPU-ms apiece before any
 * decoding on Debian's build); a pooled decoder starts once per process. The frames are the same
 * bytes (core/media/test/pyav-decoder.test.ts holds them against the ffmpeg command).
 *
 * Chosen by VISAGE_DECODER: `auto` (default: PyAV when `python3 -c "import av"` works, else the
 * ffmpeg command), `pyav` (refuse to run without it) or `ffmpeg`. Files the server declines (a
 * display matrix it cannot apply, an unfamiliar container) and files it fails on go to the ffmpeg
 * command, which gives the canonical error; only an abort rejects from here.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decoderUnavailable, decoderUnknown } from '../errors/messages.ts';
import type { Frame } from '../types.ts';
import { abortReason, isExecutable, spawnServer } from './child-process.ts';
import { decodeThroughFrameFile, type DecodeOptions } from './video-decode.ts';
import type { VideoProbe } from './video-probe.ts';

export const DECODER_CHOICES = ['auto', 'pyav', 'ffmpeg'] as const;
export type DecoderChoice = (typeof DECODER_CHOICES)[number];

const SERVER = fileURLToPath(new URL('./pyav-server.py', import.meta.url));

interface Reply {
  ok?: boolean;
  ready?: boolean;
  kind?: string;
  detail?: string;
  [key: string]: unknown;
}

/** One server process; one request at a time. */
class DecoderProcess {
  private readonly child: ChildProcess;
  readonly ready: Promise<Reply>;
  private onReady: ((r: Reply) => void) | undefined;
  private pending: { resolve: (r: Reply) => void; reject: (e: unknown) => void } | undefined;
  private exit: string | undefined;
  private stderr = '';

  constructor(python: string) {
    this.child = spawnServer(python, [SERVER]);
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let msg: Reply;
      try {
        msg = JSON.parse(line) as Reply;
      } catch {
        msg = { ok: false, ready: false, kind: 'protocol', detail: `unexpected output: ${line.slice(0, 200)}` };
      }
      if (this.onReady) return this.settleReady(msg);
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(msg);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-4096)));
    this.child.on('error', (e) => this.died(e.message));
    this.child.on('close', (code, signal) => this.died(`exited (${code ?? signal})`));
    this.child.stdin!.on('error', () => {}); // a dead server: 'close' reports it
  }

  private settleReady(msg: Reply): void {
    const resolve = this.onReady!;
    this.onReady = undefined;
    resolve(msg);
    if (msg.ready) this.unref();
  }

  private died(why: string): void {
    if (this.exit !== undefined) return;
    this.exit = `${why}${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`;
    if (this.onReady) this.settleReady({ ready: false, detail: this.exit });
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new Error(`the PyAV decoder ${this.exit}`));
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Idle servers must not keep Node running; a request in flight must. */
  private unref(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
  }

  private ref(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void })?.ref?.();
  }

  request(msg: object, signal?: AbortSignal): Promise<Reply> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!this.alive) return Promise.reject(new Error(`the PyAV decoder ${this.exit}`));
    return new Promise((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        this.unref();
      };
      const onAbort = () => {
        this.pending = undefined;
        done();
        reject(abortReason(signal!));
        // It may be deep in a long decode: only killing it stops the work.
        this.kill();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) };
      this.ref();
      this.child.stdin!.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Stops it now; it is dead from this call on, so the pool never hands it out again. */
  kill(): void {
    this.died('was stopped');
    this.child.kill('SIGKILL');
  }
}

/** A fixed number of servers, started on demand; callers queue for a free one. */
class DecoderPool {
  private readonly idle: DecoderProcess[] = [];
  private readonly all = new Set<DecoderProcess>();
  private readonly waiting: ((p: DecoderProcess) => void)[] = [];

  constructor(private readonly python: string, private readonly size: number) {}

  /** Starts the first server; its greeting says whether PyAV imports. */
  async start(): Promise<Reply> {
    const p = new DecoderProcess(this.python);
    const hello = await p.ready;
    if (hello.ready) this.add(p);
    else p.kill();
    return hello;
  }

  private add(p: DecoderProcess): void {
    this.all.add(p);
    this.release(p);
  }

  private async spawnFor(waiter: (p: DecoderProcess) => void): Promise<void> {
    const p = new DecoderProcess(this.python);
    this.all.add(p);
    await p.ready;
    waiter(p); // a server that failed to start fails its first request, and is replaced on release
  }

  acquire(): Promise<DecoderProcess> {
    let p = this.idle.pop();
    // One that died while idle (killed from outside) is dropped, not handed a clip it would fail.
    while (p && !p.alive) {
      this.all.delete(p);
      p = this.idle.pop();
    }
    if (p) return Promise.resolve(p);
    return new Promise((resolve) => {
      if (this.all.size < this.size) void this.spawnFor(resolve);
      else this.waiting.push(resolve);
    });
  }

  release(p: DecoderProcess): void {
    if (!p.alive) {
      this.all.delete(p);
      const next = this.waiting.shift();
      if (next) void this.spawnFor(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(p);
    else this.idle.push(p);
  }

  async request(msg: object, signal?: AbortSignal): Promise<Reply> {
    const p = await this.acquire();
    try {
      return await p.request(msg, signal);
    } finally {
      this.release(p);
    }
  }

  pids(): number[] {
    return [...this.all].flatMap((p) => (p.alive && p.pid ? [p.pid] : []));
  }

  close(): void {
    for (const p of this.all) p.kill();
    this.all.clear();
    this.idle.length = 0;
  }
}

/** The PyAV fast path: each call resolves to null when the file should go to the ffmpeg command. */
export interface PyavVideoDecoder {
  probe(path: string, signal?: AbortSignal): Promise<VideoProbe | null>;
  decode(path: string, indices: number[], fps: number, sizeBound: number, opts?: DecodeOptions): Promise<Frame[] | null>;
}

/**
 * Files this process's PyAV decoders decoded, files they passed to the ffmpeg command, and MPEG-4
 * Part 2 B-frames they did not need to decode (mpeg4_bframes.py).
 */
export const pyavDecoderStats = { decoded: 0, declined: 0, bFramesSkipped: 0 };

function makeDecoder(pool: DecoderPool): PyavVideoDecoder {
  // A server that crashed on a file is replaced; the file goes to the ffmpeg command, which reports it.
  const ask = (msg: object, signal?: AbortSignal) => pool.request(msg, signal).catch((e: unknown) => {
    if (signal?.aborted) throw e;
    return { ok: false, kind: 'crash', detail: String(e) } as Reply;
  });
  return {
    async probe(path, signal) {
      const r = await ask({ op: 'probe', path }, signal);
      if (!r.ok) {
        pyavDecoderStats.declined++;
        return null;
      }
      return { width: Number(r.width), height: Number(r.height), fps: Number(r.fps), frameCount: Number(r.frameCount) };
    },
    async decode(path, indices, fps, sizeBound, opts = {}) {
      const frames = await decodeThroughFrameFile(path, indices, fps, sizeBound, opts, async (out, maxBytes) => {
        const r = await ask({ op: 'decode', path, indices, maxSide: opts.maxSide ?? null, out, maxBytes }, opts.signal);
        if (r.ok) pyavDecoderStats.bFramesSkipped += Number(r.skipped ?? 0);
        return r.ok && Number(r.frames) > 0 ? { failed: false, detail: '' } : null;
      });
      const ok = frames !== null && frames.length > 0;
      pyavDecoderStats[ok ? 'decoded' : 'declined']++;
      return ok ? frames : null;
    },
  };
}

/** VISAGE_PYTHON, else Debian's /usr/bin/python3 (where apt's python3-av lives), else python3 on PATH. */
export function pythonForDecoder(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISAGE_PYTHON || (isExecutable('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** VISAGE_DECODER, checked. */
export function decoderChoice(env: NodeJS.ProcessEnv = process.env): DecoderChoice {
  const v = (env.VISAGE_DECODER ?? '').trim() || 'auto';
  if (!(DECODER_CHOICES as readonly string[]).includes(v)) throw decoderUnknown(v, DECODER_CHOICES);
  return v as DecoderChoice;
}

const pools = new Map<string, { pool: DecoderPool; decoder: Promise<PyavVideoDecoder | null> }>();

/**
 * The PyAV decoder for this environment, or null when VISAGE_DECODER=ffmpeg or (auto) PyAV cannot
 * be imported. With VISAGE_DECODER=pyav and no PyAV: DECODER_UNAVAILABLE.
 */
export async function pyavDecoder(env: NodeJS.ProcessEnv = process.env): Promise<PyavVideoDecoder | null> {
  const choice = decoderChoice(env);
  if (choice === 'ffmpeg') return null;
  const python = pythonForDecoder(env);
  const key = `${choice}\0${python}`;
  let entry = pools.get(key);
  if (!entry) {
    const pool = new DecoderPool(python, Math.max(2, os.availableParallelism()));
    const decoder = pool.start().then((hello) => {
      if (hello.ready) return makeDecoder(pool);
      if (choice === 'pyav') throw decoderUnavailable(python, hello.detail ?? 'no greeting');
      return null;
    });
    entry = { pool, decoder };
    pools.set(key, entry);
    // A refusal must not stick: the next call tries again (python3-av may have been installed since).
    decoder.catch(() => pools.delete(key));
  }
  return entry.decoder;
}

/** pids of the decoder processes running now (benchmarks add their CPU time). */
export function pyavDecoderPids(): number[] {
  return [...pools.values()].flatMap((e) => e.pool.pids());
}

/** CPU seconds (user + system) the running decoder processes have used so far (Linux /proc). */
export function pyavDecoderCpuSeconds(): number {
  let ticks = 0;
  for (const pid of pyavDecoderPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // it just exited: its time is in the parent's cutime now
    }
  }
  return ticks / 100;
}

/** Stops every decoder process (tests; a process that exits stops them anyway). */
export function closePyavDecoders(): void {
  for (const e of pools.values()) e.pool.close();
  pools.clear();
}
