/**
 * Long videos (issue 14 item 2): `pipeline run --window` over 1, 5 and 10 minutes of 720p video,
 * each length in a fresh process (bench/frontend/long-video-run.ts). Prints wall and CPU seconds
 * per minute of video and peak RSS per length: time should grow linearly with length (a constant
 * s/min) and memory not at all.
 *
 * The video is made once from the shared media into out/long-video/ (git-ignored): a 13.3 s
 * segment (Megamind.avi, then samples/astronaut.mp4, each scaled and padded to 1280x720 at 24 fps,
 * so every segment holds one shot cut and a cut back) repeated by stream copy to each length.
 *
 *   npm run bench:frontend                      (ends with these rows; --no-long skips them)
 *   npm run bench:long-video -- [--long-minutes 2.5,5,10] [--long-window 2s] [--long-stride 4s] [--long-frames 8]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printTable } from '../lib/table.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const MINUTES = arg('long-minutes', '2.5,5,10').split(',').map(Number);
const WINDOW = arg('long-window', '2s');
const STRIDE = arg('long-stride', '4s');
const FRAMES = arg('long-frames', '8');

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'out/long-video');
const MEGAMIND = path.resolve(ROOT, '../shared/data/faces/Megamind.avi');
const ASTRONAUT = path.join(ROOT, 'samples/astronaut.mp4');
const ffmpeg = (a: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...a]);

/** The repeated segment, encoded once: 720p H.264 at 24 fps with a keyframe every 2 s. */
function segment(): string {
  const out = path.join(DIR, 'segment.mp4');
  if (existsSync(out)) return out;
  const fit = 'scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24';
  ffmpeg([
    '-i', MEGAMIND, '-i', ASTRONAUT, '-filter_complex', `[0:v]${fit}[a];[1:v]${fit}[b];[a][b]concat=n=2:v=1:a=0`,
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '48', out,
  ]);
  return out;
}

/** `minutes` of video: the segment repeated by stream copy (no re-encode), cut to length. */
function video(minutes: number): string {
  const out = path.join(DIR, `long-${minutes}min.mp4`);
  if (existsSync(out)) return out;
  const seg = segment();
  const list = path.join(DIR, `long-${minutes}min.txt`);
  writeFileSync(list, Array.from({ length: Math.ceil((minutes * 60) / 13) + 1 }, () => `file '${seg}'\n`).join(''));
  ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-t', String(minutes * 60), '-c', 'copy', out]);
  return out;
}

interface RunResult { wallS: number; cpuS: number; windows: number; failed: number; rssBeforeMiB: number; runPeakRssMiB: number; processPeakRssMiB: number }

mkdirSync(DIR, { recursive: true });
const rows: string[][] = [];
for (const minutes of MINUTES) {
  const file = video(minutes);
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'long-video-run.ts'), file, WINDOW, STRIDE, FRAMES], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out.trim().split('\n').pop()!) as RunResult;
  rows.push([
    String(minutes), String(r.windows), String(r.failed), r.wallS.toFixed(1), (r.wallS / minutes).toFixed(1), (r.cpuS / minutes).toFixed(1),
    r.rssBeforeMiB.toFixed(0), r.runPeakRssMiB.toFixed(0), r.processPeakRssMiB.toFixed(0),
  ]);
  console.log(`  ${minutes} min done`);
}
console.log(`long videos: pipeline run --window ${WINDOW} --stride ${STRIDE}, ${FRAMES} frames per window, 1280x720 24 fps, jobs 2, embedded preset`);
printTable(
  ['minutes', 'windows', 'failed', 'wall s', 'wall s per min of video', 'CPU s per min (with ffmpeg)', 'RSS before, MiB', 'peak RSS during run, MiB', 'process peak RSS, MiB'],
  rows,
);
