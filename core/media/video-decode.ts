/**
 * Decodes chosen frames of a video in ONE ffmpeg process: a `select` filter keeps the wanted
 * frame numbers, an optional `scale` bounds the long side, and frames leave through a pipe as
 * binary PPM (rgb24 with a tiny header). The header carries each frame's real size, so
 * display-matrix rotation (which ffmpeg applies) cannot desynchronise the byte stream.
 *
 * The frames go to a temporary file (in /dev/shm when there is one), not a pipe: a 64 KiB pipe
 * makes ffmpeg wait for this process's event loop, which is busy with the models of other clips,
 * and that stall tripled decode time in a batch run. A file lets ffmpeg run at full speed.
 */
import { existsSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ffmpegFailed, mediaDecodeFailed, mediaFramesTooLarge } from '../errors/messages.ts';
import type { Frame } from '../types.ts';
import { mediaToolInput, runMediaTool } from './child-process.ts';
import { frameMemory } from './frame-memory.ts';
import type { FfmpegTools } from './ffmpeg-locate.ts';

/**
 * /dev/shm when the frames fit comfortably (it is RAM-backed, and only 64 MiB in a default Docker
 * container), else the system temp folder.
 */
function tempDirFor(bytes: number): string {
  try {
    if (existsSync('/dev/shm')) {
      const fs = statfsSync('/dev/shm');
      if (fs.bavail * fs.bsize > 2 * bytes) return '/dev/shm';
    }
  } catch {
    // statfs unsupported here: fall through to the temp folder
  }
  return os.tmpdir();
}

/** The most decoded bytes one clip may take: the frames are read back into one Buffer (kept at fs.readFile's limit). */
export const MAX_DECODED_BYTES = 2 ** 31 - 1;

const FRAME_FILE = /^visage-frames-(\d+)-[0-9a-f-]+\.ppm$/;
let swept = false;

/**
 * Removes frame files left by decoders of processes that no longer exist (a SIGKILLed run cannot
 * clean up). The pid is part of each name, and only files whose pid is dead are touched, so parallel
 * runs never lose files in use. Once per process, on the first decode.
 */
export function sweepStaleFrameFiles(dirs = ['/dev/shm', os.tmpdir()]): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = Number(FRAME_FILE.exec(name)?.[1]);
      if (!pid || pid === process.pid || isAlive(pid)) continue;
      try {
        rmSync(join(dir, name), { force: true });
        removed.push(join(dir, name));
      } catch {
        // another sweeper got it first, or no permission: leave it
      }
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * ffmpeg's select filter for a set of frame numbers. A flat `eq(n,a)+eq(n,b)+...` fails to parse past
 * 100 terms (libavutil's expression parser caps its nesting), so the frames are found by a balanced
 * binary search on n: depth log2(count), whatever the count.
 */
export function selectExpression(indices: number[]): string {
  const build = (lo: number, hi: number): string => {
    if (hi - lo === 1) return `eq(n\\,${indices[lo]})`;
    const mid = (lo + hi) >> 1;
    return `if(lt(n\\,${indices[mid]})\\,${build(lo, mid)}\\,${build(mid, hi)})`;
  };
  return `select='${build(0, indices.length)}'`;
}

export interface DecodeOptions {
  /** Scale so that neither side exceeds this (aspect kept, never enlarged). */
  maxSide?: number;
  signal?: AbortSignal;
  /** The source's frame size from the probe, for a tight memory estimate (default: sizeBound square). */
  size?: { width: number; height: number };
}

/**
 * Reads one PPM header token from `at.pos`, after whitespace and # comments, and moves `at.pos`
 * past it. Module-level, not a closure made per parse: V8 drops a dead closure's optimized code at
 * a full GC, so in a batch it was compiled again every few clips.
 */
function ppmToken(buf: Buffer, at: { pos: number }): string {
  for (;;) {
    while (at.pos < buf.length && /\s/.test(String.fromCharCode(buf[at.pos]))) at.pos++;
    if (buf[at.pos] === 0x23) { while (at.pos < buf.length && buf[at.pos] !== 0x0a) at.pos++; continue; }
    break;
  }
  const start = at.pos;
  while (at.pos < buf.length && !/\s/.test(String.fromCharCode(buf[at.pos]))) at.pos++;
  return buf.toString('latin1', start, at.pos);
}

/** Splits a buffer of concatenated binary PPM (P6, maxval 255) images into RGB frames. */
export function parsePpmStream(buf: Buffer): { width: number; height: number; rgb: Uint8Array }[] {
  const out: { width: number; height: number; rgb: Uint8Array }[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const magic = ppmToken(buf, at);
    if (magic === '') break;
    if (magic !== 'P6') throw new Error(`unexpected PPM magic "${magic.slice(0, 8)}" at byte ${at.pos}`);
    const width = Number(ppmToken(buf, at));
    const height = Number(ppmToken(buf, at));
    const maxval = Number(ppmToken(buf, at));
    if (!(width > 0 && height > 0) || maxval !== 255) throw new Error(`bad PPM header ${width}x${height} max ${maxval}`);
    at.pos++; // the single whitespace byte after maxval
    const bytes = width * height * 3;
    if (at.pos + bytes > buf.length) break; // truncated last frame: the decoder was cut off
    out.push({ width, height, rgb: new Uint8Array(buf.buffer, buf.byteOffset + at.pos, bytes) });
    at.pos += bytes;
  }
  return out;
}

/** The frame file, read into memory from `frameMemory` (E2BIG when it is over `maxBytes`). */
async function readFrameFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw Object.assign(new Error(`${size} bytes`), { code: 'E2BIG' });
    const buffer = frameMemory.take(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** What a decoder did with the frame file: `detail` explains a run that wrote no frame. */
export interface FrameFileRun {
  failed: boolean;
  detail: string;
}

/**
 * The part every decoder shares: bounds the output, gives the decoder a temporary frame file
 * (binary PPM), reads it back, and turns it into frames with their source index and time.
 * `run(out, maxBytes)` fills the file. Returns null when `run` returns null (the decoder declined
 * the file).
 */
export async function decodeThroughFrameFile(
  path: string, indices: number[], fps: number, sizeBound: number, opts: DecodeOptions,
  run: (out: string, maxBytes: number) => Promise<FrameFileRun | null>,
): Promise<Frame[] | null> {
  if (!swept) {
    swept = true;
    sweepStaleFrameFiles();
  }
  const side = Math.min(sizeBound, opts.maxSide ?? sizeBound);
  const { width, height } = opts.size ?? { width: sizeBound, height: sizeBound };
  const scale = Math.min(1, side / Math.max(width, height, 1));
  // +2 px per side covers the scaler's rounding; +64 bytes the PPM header.
  const maxBytes = indices.length * ((Math.ceil(width * scale) + 2) * (Math.ceil(height * scale) + 2) * 3 + 64);
  if (maxBytes > MAX_DECODED_BYTES) throw mediaFramesTooLarge(path, indices.length, `${Math.ceil(width * scale)}x${Math.ceil(height * scale)}`, maxBytes, MAX_DECODED_BYTES);
  const out = join(tempDirFor(maxBytes), `visage-frames-${process.pid}-${randomUUID()}.ppm`);
  let res: FrameFileRun | null;
  let bytes: Buffer;
  try {
    res = await run(out, maxBytes);
    if (!res) return null;
    bytes = await readFrameFile(out, maxBytes).catch((e: NodeJS.ErrnoException) => {
      // No file: the decoder wrote no frame (its log says why, below). Anything else is a real read failure.
      if (e.code === 'ENOENT') return Buffer.alloc(0);
      if (e.code === 'E2BIG') throw ffmpegFailed(path, `more output than ${indices.length} frames of at most ${side}px`);
      throw ffmpegFailed(path, `cannot read the decoded frames back: ${e.message}`);
    });
  } finally {
    await rm(out, { force: true });
  }
  let images;
  try {
    images = parsePpmStream(bytes);
  } catch (e) {
    throw ffmpegFailed(path, (e as Error).message);
  }
  if (images.length === 0 && res.failed) throw mediaDecodeFailed(path, res.detail);
  return images.slice(0, indices.length).map((img, k) => ({
    width: img.width,
    height: img.height,
    rgb: img.rgb,
    sourceIndex: indices[k],
    ...(fps > 0 && { time: indices[k] / fps }),
  }));
}

/**
 * Decodes the frames at `indices` (sorted, distinct, 0-based) with one ffmpeg process. Returns them
 * in order; fewer than asked when the stream ends early (truncated files): the caller decides how
 * to fill the gap.
 * @param sizeBound the larger side of the source, to cap the bytes accepted from the pipe.
 */
export async function decodeVideoFrames(path: string, indices: number[], fps: number, sizeBound: number, tools: FfmpegTools, opts: DecodeOptions = {}): Promise<Frame[]> {
  const filters = [selectExpression(indices)];
  if (opts.maxSide) {
    const m = opts.maxSide;
    filters.push(`scale=w='min(iw\\,${m})':h='min(ih\\,${m})':force_original_aspect_ratio=decrease`);
  }
  const frames = await decodeThroughFrameFile(path, indices, fps, sizeBound, opts, async (out) => {
    const args = [
      // One decoder thread: clips in flight (--jobs) already fill the cores, and ffmpeg's frame and
      // filter threads only add hand-over cost (about 19% more CPU per clip on Megamind.avi).
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-filter_threads', '1', '-i', mediaToolInput(path),
      // rgb24 whatever the source's depth: left to choose, the PPM encoder writes 16-bit samples
      // (rgb48be) for 10-bit video.
      '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filters.join(','), '-vsync', 'passthrough', '-pix_fmt', 'rgb24',
      '-f', 'image2pipe', '-c:v', 'ppm', '-y', out,
    ];
    const res = await runMediaTool(path, tools.ffmpeg, args, { signal: opts.signal, maxStdoutBytes: 1 << 20 });
    return { failed: res.code !== 0, detail: res.stderr.trim().split('\n').pop() ?? `exit code ${res.code}` };
  });
  return frames!;
}
