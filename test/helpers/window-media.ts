/**
 * Videos for the `--window` tests, made with ffmpeg from the shared media into a folder of the
 * test's own: a clip with one shot cut (3 s of Megamind.avi, then samples/astronaut.mp4), and one
 * with two faces side by side (the two clips stacked horizontally). Both 24 fps, H.264.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FACES_DIR, REPO_ROOT } from './shared-data.ts';

export const MEGAMIND = path.join(FACES_DIR, 'Megamind.avi');
export const ASTRONAUT = path.join(REPO_ROOT, 'samples/astronaut.mp4');

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
const h264 = ['-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];

/** 120 frames at 24 fps, 512x512: frames 0-71 from Megamind.avi, 72-119 the astronaut (the cut is at frame 72, 3.0 s). */
export function makeCutVideo(dir: string): string {
  const out = path.join(dir, 'cut.mp4');
  ffmpeg([
    '-i', MEGAMIND, '-i', ASTRONAUT, '-filter_complex',
    '[0:v]fps=24,trim=end_frame=72,setpts=PTS-STARTPTS,scale=512:512,setsar=1[a];[1:v]fps=24,setsar=1[b];[a][b]concat=n=2:v=1:a=0',
    ...h264, out,
  ]);
  return out;
}

/** 48 frames at 24 fps, 1210x512: Megamind.avi on the left, the astronaut on the right. */
export function makeTwoFaceVideo(dir: string): string {
  const out = path.join(dir, 'two-faces.mp4');
  ffmpeg([
    '-i', MEGAMIND, '-i', ASTRONAUT, '-filter_complex',
    '[0:v]fps=24,trim=end_frame=48,setpts=PTS-STARTPTS,scale=-2:512,setsar=1[a];[1:v]fps=24,setsar=1[b];[a][b]hstack=inputs=2',
    '-frames:v', '48', ...h264, out,
  ]);
  return out;
}
