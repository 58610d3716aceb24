/**
 * Every frame of a video, streamed from ONE ffmpeg process as it decodes, each with ffmpeg's scene
 * score (the `select` filter's `scene`: 0 = same picture as the frame before, 1 = a new one).
 *
 * Frames leave through stdout as binary PPM (each carries its size, so rotation cannot desync the
 * stream); the scores leave through stderr, printed by the `metadata` filter at log level info. (Its `file=`
 * option writes through a 32 KiB buffered AVIO context, so scores would arrive hundreds of frames
 * late, and waiting for them while not reading the pixels deadlocks; the log is written line by line.) Nothing is
 * buffered beyond the frames being parsed: a consumer that stops pulling stops reading the pipe, and
 * ffmpeg blocks on it, so memory stays flat however long the video is (unlike `decodeVideoFrames`,
 * which keeps a clip's frames in a file, this never holds more than a few frames).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ffmpegFailed, mediaDecodeFailed, mediaEmpty } from '../errors/messages.ts';
import { abortReason, mediaToolInput, parentDeathWrapper } from './child-process.ts';
import type { FfmpegTools } from './ffmpeg-locate.ts';

export interface StreamedFrame {
  /** 0-based frame number in the stream. */
  index: number;
  width: number;
  height: number;
  /** width*height*3 bytes, RGB, in a buffer of its own (holding it holds nothing else). */
  rgb: Uint8Array;
  /** ffmpeg's scene score against the previous frame (0..1); 0 for the first frame and when scores are off. */
  scene: number;
}

export interface StreamFramesOptions {
  /** Scale so that neither side exceeds this (aspect kept, never enlarged). */
  maxSide?: number;
  /** Compute scene scores (default true); off saves ffmpeg the comparison. */
  sceneScores?: boolean;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Splits a byte stream of concatenated binary PPM (P6, maxval 255) images into frames, chunk by chunk. */
export class PpmStreamParser {
  private head = Buffer.alloc(0);
  private frame?: { width: number; height: number; rgb: Uint8Array; filled: number };

  /** Feeds one chunk; returns the images it completed. */
  push(chunk: Buffer): { width: number; height: number; rgb: Uint8Array }[] {
    const out: { width: number; height: number; rgb: Uint8Array }[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.frame) {
        const f = this.frame;
        const take = Math.min(f.rgb.length - f.filled, chunk.length - pos);
        f.rgb.set(chunk.subarray(pos, pos + take), f.filled);
        f.filled += take;
        pos += take;
        if (f.filled === f.rgb.length) {
          out.push({ width: f.width, height: f.height, rgb: f.rgb });
          this.frame = undefined;
        }
        continue;
      }
      // Header bytes are few: gather them until the header is whole ("P6 W H 255" and one whitespace byte).
      const need = Math.min(chunk.length - pos, 64 - this.head.length);
      this.head = Buffer.concat([this.head, chunk.subarray(pos, pos + need)]);
      pos += need;
      const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(this.head.toString('latin1'));
      if (!header) {
        if (this.head.length >= 64 || (this.head.length >= 2 && this.head.toString('latin1', 0, 2) !== 'P6')) {
          throw new Error(`unexpected PPM header "${this.head.toString('latin1', 0, 16)}"`);
        }
        continue;
      }
      const [, w, h, max] = header;
      if (max !== '255') throw new Error(`PPM maxval ${max}, expected 255`);
      const width = Number(w);
      const height = Number(h);
      // Bytes gathered past the header are pixels: hand them back to the loop.
      const extra = this.head.length - header[0].length;
      pos -= extra;
      this.head = Buffer.alloc(0);
      this.frame = { width, height, rgb: new Uint8Array(width * height * 3), filled: 0 };
    }
    return out;
  }

  /** True when the stream stopped inside an image (a cut-off decoder). */
  get partial(): boolean {
    return !!this.frame || this.head.length > 0;
  }
}

/**
 * Reads ffmpeg's log, line by line: the `metadata=mode=print` lines (`[Parsed_metadata_1 @ 0x..]
 * frame:N ...` then `... lavfi.scene_score=S`) become scores; other lines are kept as the log tail.
 */
export class SceneScoreParser {
  private rest = '';
  private frame = -1;
  /** The last 16 KiB of the other log lines (errors). */
  log = '';

  push(text: string): [frame: number, score: number][] {
    const out: [number, number][] = [];
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) {
      const f = /^\[Parsed_metadata_\d+ @ [^\]]*\] frame:(\d+)/.exec(line);
      if (f) this.frame = Number(f[1]);
      const s = /^\[Parsed_metadata_\d+ @ [^\]]*\] lavfi\.scene_score=([0-9.eE+-]+)/.exec(line);
      if (s && this.frame >= 0) out.push([this.frame, Number(s[1])]);
      if (!f && !s) this.log = (this.log + line + '\n').slice(-16384);
    }
    return out;
  }
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Decoders of this module still running (for tests and diagnostics). */
export function liveDecoderCount(): number {
  return live.size;
}

function spawnDecoder(command: string, args: string[]): ChildProcess {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  }
  const wrapper = parentDeathWrapper();
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  const child = wrapper ? spawn(wrapper, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio }) : spawn(command, args, { stdio });
  live.add(child);
  child.once('close', () => live.delete(child));
  return child;
}

/**
 * Streams the frames of `path` in order. One ffmpeg process; it is killed when the consumer stops
 * early (breaks out of the loop), on abort, and with this process. A file that ends early yields the
 * frames that decoded; one that yields none fails with MEDIA_DECODE_FAILED (or MEDIA_EMPTY).
 */
export async function* streamFrames(path: string, tools: FfmpegTools, opts: StreamFramesOptions = {}): AsyncGenerator<StreamedFrame> {
  const { signal, sceneScores = true } = opts;
  if (signal?.aborted) throw abortReason(signal);
  const filters: string[] = [];
  // Scores are measured on the source frames, before any scaling.
  if (sceneScores) filters.push(`select='gte(scene\\,0)'`, 'metadata=mode=print:key=lavfi.scene_score');
  if (opts.maxSide) {
    const m = opts.maxSide;
    filters.push(`scale=w='min(iw\\,${m})':h='min(ih\\,${m})':force_original_aspect_ratio=decrease`);
  }
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', sceneScores ? 'info' : 'error', '-i', mediaToolInput(path),
    '-map', '0:v:0', '-an', '-sn', '-dn', ...(filters.length ? ['-vf', filters.join(',')] : []),
    // rgb24 whatever the source's depth (the PPM encoder would pick rgb48be for 10-bit video).
    '-vsync', 'passthrough', '-pix_fmt', 'rgb24', '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
  ];
  const child = spawnDecoder(tools.ffmpeg, args);
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', (e) => reject(ffmpegFailed(path, `${tools.ffmpeg}: ${e.message}`)));
    child.once('close', (code) => resolve(code));
  });
  closed.catch(() => undefined); // observed below; never an unhandled rejection meanwhile

  // Scores arrive on stderr, a little ahead of the pixels; each frame waits for its own.
  const scores = new Map<number, number>();
  let scoresEnded = !sceneScores;
  let wake: (() => void) | undefined;
  const log = new SceneScoreParser();
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    for (const [n, s] of log.push(text)) scores.set(n, s);
    wake?.();
  });
  child.stderr!.on('close', () => {
    scoresEnded = true;
    wake?.();
  });
  const scoreOf = async (n: number): Promise<number> => {
    while (!scores.has(n) && !scoresEnded) await new Promise<void>((r) => (wake = r));
    const s = scores.get(n) ?? 0;
    scores.delete(n);
    return s;
  };

  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  const parser = new PpmStreamParser();
  let index = 0;
  try {
    for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
      let images;
      try {
        images = parser.push(chunk);
      } catch (e) {
        throw ffmpegFailed(path, (e as Error).message);
      }
      for (const img of images) {
        const scene = await scoreOf(index);
        if (signal?.aborted) throw abortReason(signal);
        yield { index: index++, ...img, scene };
      }
    }
    const code = await closed;
    if (signal?.aborted) throw abortReason(signal);
    if (index === 0) {
      if (code === 0) throw mediaEmpty(path);
      throw mediaDecodeFailed(path, log.log.trim().split('\n').pop() || `ffmpeg exit code ${code}`);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
