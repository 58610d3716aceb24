/**
 * A long video as a stream of windows: one pass of one decoder (`streamFrames`), windows placed by
 * `WindowPlanner` (scene cuts split them), and each window's T frames sampled exactly as a clip's
 * are (`sampleIndices`, test mode), so a window is a `Clip` every level already understands.
 *
 * Memory: the last `length` + 1 frames are kept (a window can only end at the newest frame, or
 * just before it when that frame starts a new shot), plus the frames of windows still being
 * processed downstream. Nothing grows with the video's length.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { inputNotFound, mediaEmpty, mediaTooLarge, windowNeedsFps, windowNeedsVideo } from '../errors/messages.ts';
import { lengthInFrames, WindowPlanner, type VideoLength, type WindowBounds } from '../pipeline/windows.ts';
import type { Clip, Frame } from '../types.ts';
import { locateFfmpeg, type FfmpegTools } from './ffmpeg-locate.ts';
import { isImagePath } from './media-kind.ts';
import { DEFAULT_REFUSE_ABOVE } from './read-clip.ts';
import { sampleIndices, type PadMode } from './sampling.ts';
import { streamFrames } from './stream-frames.ts';
import { probeVideo } from './video-probe.ts';

/** ffmpeg scene score at or above which a frame starts a new shot. 0.4 is the value ffmpeg's docs use for shot changes. */
export const DEFAULT_SCENE_THRESHOLD = 0.4;

export interface StreamWindowsOptions {
  window: VideoLength;
  /** Default: the window's length (windows side by side). */
  stride?: VideoLength;
  /** Scene score from which a frame starts a new shot (0..1); 1 or more turns cuts off. Default 0.4. */
  sceneThreshold?: number;
  /** T, frames sampled per window (default 16). */
  frames?: number;
  pad?: PadMode;
  maxSide?: number;
  refuseAbove?: number;
  signal?: AbortSignal;
  ffmpeg?: FfmpegTools;
}

export interface VideoWindow extends WindowBounds {
  /** Seconds: the first frame's time, and the time just after the last frame (first/fps, end/fps). */
  start: number;
  endTime: number;
  /** The window as a clip: T sampled frames, `indices` in source frame numbers. */
  clip: Clip;
}

/** What is known before the first window: the frame rate and window geometry in frames. */
export interface WindowStreamInfo {
  fps: number;
  length: number;
  stride: number;
}

/**
 * Opens a video for windowed reading: probes it (one ffprobe), then returns the window geometry and
 * the stream of windows (one ffmpeg, started when the first window is pulled).
 */
export async function openWindowStream(path: string, opts: StreamWindowsOptions): Promise<{ info: WindowStreamInfo; windows: AsyncGenerator<VideoWindow> }> {
  const st = await stat(path).catch(() => null);
  if (!st) throw inputNotFound(path);
  if (st.isDirectory() || isImagePath(path)) throw windowNeedsVideo(path);
  if (st.size === 0) throw mediaEmpty(path);
  const tools = opts.ffmpeg ?? (await locateFfmpeg());
  const probe = await probeVideo(path, tools, opts.signal);
  const refuseAbove = opts.refuseAbove ?? DEFAULT_REFUSE_ABOVE;
  if (Math.max(probe.width, probe.height) > refuseAbove) throw mediaTooLarge(path, probe.width, probe.height, refuseAbove);
  const length = lengthInFrames(opts.window, probe.fps);
  if (length === undefined) throw windowNeedsFps(path, '--window');
  const stride = opts.stride ? lengthInFrames(opts.stride, probe.fps) : length;
  if (stride === undefined) throw windowNeedsFps(path, '--stride');
  const info = { fps: probe.fps, length, stride };
  return { info, windows: windowsOf(path, info, tools, opts) };
}

async function* windowsOf(path: string, info: WindowStreamInfo, tools: FfmpegTools, opts: StreamWindowsOptions): AsyncGenerator<VideoWindow> {
  const threshold = opts.sceneThreshold ?? DEFAULT_SCENE_THRESHOLD;
  const T = opts.frames ?? 16;
  const planner = new WindowPlanner(info.length, info.stride);
  const recent = new Map<number, Frame>();
  const id = basename(path, extname(path));
  const toWindow = (w: WindowBounds): VideoWindow => {
    const indices = sampleIndices(w.end - w.first, T, 'test', undefined, opts.pad ?? 'last').map((i) => w.first + i);
    const frames = indices.map((i) => recent.get(i)!);
    const clip: Clip = { id, source: path, kind: 'video', fps: info.fps, totalFrames: w.end - w.first, frames, indices };
    return { ...w, start: seconds(w.first, info.fps), endTime: seconds(w.end, info.fps), clip };
  };
  const cutsOn = threshold < 1;
  for await (const f of streamFrames(path, tools, { maxSide: opts.maxSide, sceneScores: cutsOn, signal: opts.signal })) {
    recent.set(f.index, { width: f.width, height: f.height, rgb: f.rgb, sourceIndex: f.index, ...(info.fps > 0 && { time: f.index / info.fps }) });
    recent.delete(f.index - info.length - 1);
    for (const w of planner.push(cutsOn && f.index > 0 && f.scene >= threshold)) yield toWindow(w);
  }
  for (const w of planner.finish()) yield toWindow(w);
}

const seconds = (frame: number, fps: number) => (fps > 0 ? Math.round((frame / fps) * 1e6) / 1e6 : 0);
