/**
 * One cheap look at a video before decoding: size, frame rate and the exact frame count.
 * With ffprobe: `-count_packets` (demux only, no decode). Without it (the npm static ffmpeg has
 * none): a stream-copy pass to the null muxer, whose log carries the same facts.
 */
import { ffmpegFailed, mediaDecodeFailed, mediaEmpty, mediaNoVideoStream } from '../errors/messages.ts';
import { mediaToolInput, runMediaTool } from './child-process.ts';
import type { FfmpegTools } from './ffmpeg-locate.ts';

export interface VideoProbe {
  width: number;
  height: number;
  /** Average frame rate; 0 when the container does not say. */
  fps: number;
  /** Video packets in the stream = frames for every codec we target. */
  frameCount: number;
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'no error output';
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split('/').map(Number);
  const v = den ? num / den : num;
  return Number.isFinite(v) && v > 0 ? v : 0;
}

async function withFfprobe(path: string, ffprobe: string, signal?: AbortSignal): Promise<VideoProbe> {
  const res = await runMediaTool(path, ffprobe, [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=codec_type,width,height,nb_read_packets,r_frame_rate,avg_frame_rate',
    '-of', 'json', mediaToolInput(path),
  ], { signal });
  if (res.code !== 0) throw mediaDecodeFailed(path, lastLine(res.stderr));
  let parsed: { streams?: Array<Record<string, string | number>> };
  try {
    parsed = JSON.parse(res.stdout.toString('utf8'));
  } catch {
    throw ffmpegFailed(path, 'ffprobe printed no JSON');
  }
  const stream = parsed.streams?.[0];
  if (!stream) throw mediaNoVideoStream(path);
  const frameCount = Number(stream.nb_read_packets ?? 0);
  if (!(frameCount > 0)) throw mediaEmpty(path);
  const fps = rate(String(stream.avg_frame_rate ?? '')) || rate(String(stream.r_frame_rate ?? ''));
  return { width: Number(stream.width), height: Number(stream.height), fps, frameCount };
}

/** Parses the log of `ffmpeg -i path -map 0:v:0 -c copy -f null -`. Exported for tests. */
export function parseFfmpegLog(path: string, code: number | null, log: string): VideoProbe {
  if (/matches no streams/.test(log)) throw mediaNoVideoStream(path);
  const videoLine = log.split('\n').find((l) => /Stream #\d+:\d+.*Video:/.test(l));
  if (code !== 0 && !videoLine) throw mediaDecodeFailed(path, lastLine(log));
  if (!videoLine) throw mediaNoVideoStream(path);
  const size = /\s(\d{1,5})x(\d{1,5})(?=[\s,[])/.exec(videoLine);
  if (!size) throw mediaDecodeFailed(path, `no frame size in "${videoLine.trim()}"`);
  const fps = /(\d+(?:\.\d+)?)\s*fps/.exec(videoLine) ?? /(\d+(?:\.\d+)?)\s*tbr/.exec(videoLine);
  const counts = [...log.matchAll(/frame=\s*(\d+)/g)];
  const frameCount = counts.length ? Number(counts[counts.length - 1][1]) : 0;
  if (frameCount === 0) throw mediaEmpty(path);
  return { width: Number(size[1]), height: Number(size[2]), fps: fps ? Number(fps[1]) : 0, frameCount };
}

async function withFfmpeg(path: string, ffmpeg: string, signal?: AbortSignal): Promise<VideoProbe> {
  const res = await runMediaTool(path, ffmpeg, ['-hide_banner', '-nostdin', '-i', mediaToolInput(path), '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'], { signal });
  return parseFfmpegLog(path, res.code, res.stderr);
}

/** Probes a video file: one ffprobe process, or one ffmpeg process when there is no ffprobe. */
export function probeVideo(path: string, tools: FfmpegTools, signal?: AbortSignal): Promise<VideoProbe> {
  return tools.ffprobe ? withFfprobe(path, tools.ffprobe, signal) : withFfmpeg(path, tools.ffmpeg, signal);
}
