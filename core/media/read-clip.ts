/**
 * `readClip`: any clip source (video file, frame folder, single image) -> a `Clip` of T sampled
 * RGB frames. Videos go to a pooled PyAV decoder (no process per clip) where it runs, else cost two
 * processes whatever T is: one ffprobe and one ffmpeg decode pass (pyav-decoder.ts says which).
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ingestOptionInvalid, inputNotFound, mediaEmpty, mediaTooLarge } from '../errors/messages.ts';
import type { Clip, Frame } from '../types.ts';
import { abortReason } from './child-process.ts';
import { locateFfmpeg, type FfmpegTools } from './ffmpeg-locate.ts';
import { listFrameFiles } from './frame-folder.ts';
import { decodeImage } from './image-decode.ts';
import { isImagePath } from './media-kind.ts';
import { sampleIndices, seededRandom, type PadMode, type SampleMode } from './sampling.ts';
import { decodeVideoFrames } from './video-decode.ts';
import { probeVideo } from './video-probe.ts';
import { pyavDecoder, type PyavVideoDecoder } from './pyav-decoder.ts';

/** Sources with a larger side than this are refused unless `refuseAbove` says otherwise (8K = 7680). */
export const DEFAULT_REFUSE_ABOVE = 8192;

export interface ReadClipOptions {
  /** T, the number of frames to sample (default 16, as DFER-CLIP; HESP uses 8). */
  frames?: number;
  /** 'test' (default): uniform centred; 'train': one random frame per segment. */
  mode?: SampleMode;
  /** Seed of the training sampler (default 0); vary it per epoch. */
  seed?: number;
  /** Short-clip padding: 'last' (default) or HESP's 'zero' (first frame repeated). */
  pad?: PadMode;
  /** Shrink frames so neither side exceeds this; default: keep the source size. */
  maxSide?: number;
  /** Refuse sources whose larger side exceeds this with MEDIA_TOO_LARGE (default 8192). */
  refuseAbove?: number;
  /** Aborting kills the decoder process and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** ffmpeg binaries to use; default: `locateFfmpeg()`. */
  ffmpeg?: FfmpegTools;
}

interface Resolved {
  T: number;
  mode: SampleMode;
  rng: () => number;
  pad: PadMode;
  maxSide?: number;
  refuseAbove: number;
  signal?: AbortSignal;
}

function resolve(opts: ReadClipOptions): Resolved {
  const T = opts.frames ?? 16;
  if (!Number.isInteger(T) || T < 1) throw ingestOptionInvalid(`frames must be a positive integer, got ${T}`);
  if (opts.maxSide !== undefined && !(Number.isInteger(opts.maxSide) && opts.maxSide > 0)) {
    throw ingestOptionInvalid(`maxSide must be a positive integer, got ${opts.maxSide}`);
  }
  return {
    T,
    mode: opts.mode ?? 'test',
    rng: seededRandom(opts.seed ?? 0),
    pad: opts.pad ?? 'last',
    maxSide: opts.maxSide,
    refuseAbove: opts.refuseAbove ?? DEFAULT_REFUSE_ABOVE,
    signal: opts.signal,
  };
}

const stem = (p: string) => basename(p, extname(p));

/** Picks, for each sampled index, the decoded frame (`byIndex` maps source index -> frame). */
function assemble(indices: number[], byIndex: Map<number, Frame>, fallback: Frame): Frame[] {
  return indices.map((i) => byIndex.get(i) ?? fallback);
}

async function readVideo(path: string, r: Resolved, tools: FfmpegTools, pyav: PyavVideoDecoder | null): Promise<Clip> {
  // The pooled decoder when it takes the file; else (or when it fails) the ffmpeg command decides.
  const fast = pyav && (await pyav.probe(path, r.signal));
  const probe = fast || (await probeVideo(path, tools, r.signal));
  if (Math.max(probe.width, probe.height) > r.refuseAbove) throw mediaTooLarge(path, probe.width, probe.height, r.refuseAbove);
  const indices = sampleIndices(probe.frameCount, r.T, r.mode, r.rng, r.pad);
  const unique = [...new Set(indices)].sort((a, b) => a - b);
  const bound = Math.max(probe.width, probe.height);
  const opts = { maxSide: r.maxSide, signal: r.signal, size: probe };
  const decoded = (fast && (await pyav.decode(path, unique, probe.fps, bound, opts))) || (await decodeVideoFrames(path, unique, probe.fps, bound, tools, opts));
  if (decoded.length === 0) throw mediaEmpty(path);
  // A stream that ends before its packet count (truncated file) loses its last indices: those
  // repeat the last frame that did decode, the same rule as last-frame padding.
  const last = decoded[decoded.length - 1];
  // A loop, not a closure made per clip: V8 drops a dead closure's optimized code at a full GC.
  const bySourceIndex = new Map<number, Frame>();
  for (const f of decoded) bySourceIndex.set(f.sourceIndex, f);
  const frames = assemble(indices, bySourceIndex, last);
  return {
    id: stem(path), source: path, kind: 'video', fps: probe.fps, totalFrames: probe.frameCount,
    frames, indices: frames.map((f) => f.sourceIndex),
  };
}

async function readFrameFolder(dir: string, r: Resolved): Promise<Clip> {
  const files = await listFrameFiles(dir);
  if (files.length === 0) throw mediaEmpty(dir);
  const indices = sampleIndices(files.length, r.T, r.mode, r.rng, r.pad);
  const byIndex = new Map<number, Frame>();
  for (const i of [...new Set(indices)].sort((a, b) => a - b)) {
    if (r.signal?.aborted) throw abortReason(r.signal);
    const img = await decodeImage(files[i], { maxSide: r.maxSide, refuseAbove: r.refuseAbove });
    byIndex.set(i, { ...img, sourceIndex: i });
  }
  const frames = assemble(indices, byIndex, byIndex.get(indices[0])!);
  return { id: basename(dir), source: dir, kind: 'frames', fps: 0, totalFrames: files.length, frames, indices };
}

async function readImage(path: string, r: Resolved): Promise<Clip> {
  const img = await decodeImage(path, { maxSide: r.maxSide, refuseAbove: r.refuseAbove });
  const indices = sampleIndices(1, r.T, r.mode, r.rng, r.pad);
  const frame: Frame = { ...img, sourceIndex: 0 };
  return { id: stem(path), source: path, kind: 'image', fps: 0, totalFrames: 1, frames: indices.map(() => frame), indices };
}

/**
 * Reads one clip source and samples T frames (method.md F.4).
 * - video files go through the pooled PyAV decoder (VISAGE_DECODER) or ffmpeg (system,
 *   VISAGE_FFMPEG, or the optional npm static build);
 * - a folder is a frame sequence, ordered by the number at the end of each file name;
 * - an image (jpg, png, webp, tiff) becomes T copies of itself.
 * `fps` is 0 for frame folders and images (unknown). Failures are VisageErrors with codes
 * INPUT_NOT_FOUND, MEDIA_EMPTY, MEDIA_DECODE_FAILED, MEDIA_NO_VIDEO_STREAM, MEDIA_TOO_LARGE,
 * FFMPEG_MISSING or FFMPEG_FAILED; an abort rejects with the signal's reason.
 */
export async function readClip(path: string, opts: ReadClipOptions = {}): Promise<Clip> {
  const r = resolve(opts);
  if (r.signal?.aborted) throw abortReason(r.signal);
  const st = await stat(path).catch(() => null);
  if (!st) throw inputNotFound(path);
  if (st.isDirectory()) return readFrameFolder(path, r);
  if (st.size === 0) throw mediaEmpty(path);
  if (isImagePath(path)) return readImage(path, r);
  // Explicit ffmpeg binaries mean the ffmpeg command; else the pooled decoder where it runs.
  return readVideo(path, r, opts.ffmpeg ?? (await locateFfmpeg()), opts.ffmpeg ? null : await pyavDecoder());
}
