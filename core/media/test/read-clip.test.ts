// readClip on real media: the shared Megamind.avi and astronaut.png, plus clips, frame folders
// and broken files this test makes with ffmpeg in a temp dir.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClip } from '../read-clip.ts';
import { liveChildCount, liveChildren } from '../child-process.ts';
import { locateFfmpeg } from '../ffmpeg-locate.ts';
import { parseFfmpegLog } from '../video-probe.ts';
import { facesDir, haveSharedFaces } from './shared-data.ts';

const run = promisify(execFile);
const megamind = join(facesDir, 'Megamind.avi');
const astronaut = join(facesDir, 'astronaut.png');
let dir = '';

async function ffmpeg(...args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** All frames of a video decoded by a plain ffmpeg call (no select), scaled like readClip does. */
async function decodeAll(path: string, maxSide: number): Promise<{ w: number; h: number; frames: Buffer[] }> {
  const vf = `scale=w='min(iw\\,${maxSide})':h='min(ih\\,${maxSide})':force_original_aspect_ratio=decrease`;
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-vf', vf, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const first = await readClip(path, { frames: 1, maxSide });
  const { width: w, height: h } = first.frames[0];
  const size = w * h * 3;
  return { w, h, frames: Array.from({ length: stdout.length / size }, (_, k) => stdout.subarray(k * size, (k + 1) * size)) };
}

/** Command lines of this process's live ffmpeg/ffprobe children (reads /proc; Linux only). */
async function ffmpegChildren(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
    if (!m || Number(m[3]) !== process.pid || !/ff(mpeg|probe)/.test(m[1]) || m[2] === 'Z') continue;
    found.push((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' '));
  }
  return found;
}

/** Resolves once a helper child whose command line contains `marker` is running. */
async function childRunning(marker: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (liveChildren().some((c) => c.command.includes(marker))) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`no child with "${marker}" appeared`);
}

const shared = haveSharedFaces();

describe.skipIf(!shared)('readClip: videos', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visage-media-'));
    // environment.md 3(b), shortened: a gentle zoom/pan over the astronaut photo, 40 frames.
    await ffmpeg('-loop', '1', '-i', astronaut, '-vf', "zoompan=z='1+0.3*on/40':x='iw/2-(iw/zoom/2)+10*sin(on/8)':y='ih/2-(ih/zoom/2)':d=40:s=160x160:fps=25", '-frames:v', '40', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'astronaut.mp4'));
    await ffmpeg('-loop', '1', '-i', astronaut, '-vf', 'scale=96:96', '-frames:v', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir, 'one-frame.mp4'));
    await ffmpeg('-f', 'lavfi', '-i', 'sine=d=0.5', join(dir, 'audio-only.m4a'));
    await ffmpeg('-f', 'lavfi', '-i', 'color=c=gray:s=9000x8:r=5', '-frames:v', '2', '-c:v', 'ffv1', join(dir, 'huge.mkv'));
    await writeFile(join(dir, 'zero-frames.y4m'), 'YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\n');
    await writeFile(join(dir, 'empty.mp4'), '');
    await writeFile(join(dir, 'notes.mp4'), 'this is a text file, not a video\n');
    const avi = await readFile(megamind);
    await writeFile(join(dir, 'truncated.avi'), avi.subarray(0, 300_000));
    const garbled = Buffer.from(avi.subarray(0, 200_000));
    for (let i = 0; i < 4096; i++) garbled[i] = (i * 7919) & 0xff;
    await writeFile(join(dir, 'corrupt-header.avi'), garbled);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Megamind.avi: 270 frames, 16 uniform centred frames at 720x528', async () => {
    const clip = await readClip(megamind);
    expect(clip).toMatchObject({ id: 'Megamind', kind: 'video', totalFrames: 270 });
    expect(clip.fps).toBeCloseTo(23.976, 3);
    expect(clip.indices).toEqual([8, 25, 42, 59, 75, 92, 109, 126, 143, 160, 177, 194, 210, 227, 244, 261]);
    expect(clip.frames).toHaveLength(16);
    for (const f of clip.frames) {
      expect([f.width, f.height]).toEqual([720, 528]);
      expect(f.rgb.length).toBe(720 * 528 * 3);
    }
    expect(clip.frames[1].time).toBeCloseTo(25 / 23.976, 6);
  });

  it('the select pass returns exactly source frame n (checked against a full decode)', async () => {
    const all = await decodeAll(megamind, 96);
    expect(all.frames).toHaveLength(270);
    const clip = await readClip(megamind, { frames: 16, mode: 'train', seed: 7, maxSide: 96 });
    clip.frames.forEach((f, k) => {
      expect(f.sourceIndex).toBe(clip.indices[k]);
      expect(Buffer.from(f.rgb).equals(all.frames[clip.indices[k]])).toBe(true);
    });
  });

  it('maxSide bounds the long side and keeps the aspect ratio', async () => {
    const clip = await readClip(megamind, { frames: 4, maxSide: 224 });
    expect(clip.frames[0].width).toBe(224);
    expect(Math.abs(clip.frames[0].height - 224 * 528 / 720)).toBeLessThanOrEqual(1);
  });

  it('the astronaut clip made from a still: 40 frames sampled to 16, frames differ (zoom)', async () => {
    const clip = await readClip(join(dir, 'astronaut.mp4'));
    expect(clip.totalFrames).toBe(40);
    expect(clip.fps).toBe(25);
    expect(clip.indices).toEqual(Array.from({ length: 16 }, (_, i) => Math.floor(1.25 + i * 2.5)));
    expect(Buffer.from(clip.frames[0].rgb).equals(Buffer.from(clip.frames[15].rgb))).toBe(false);
  });

  it('a 1-frame video is padded with its only frame', async () => {
    const clip = await readClip(join(dir, 'one-frame.mp4'), { frames: 8 });
    expect(clip.totalFrames).toBe(1);
    expect(clip.indices).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(clip.frames.every((f) => f === clip.frames[0])).toBe(true);
  });

  it('a truncated file still yields T frames from what decodes', async () => {
    const clip = await readClip(join(dir, 'truncated.avi'));
    expect(clip.frames).toHaveLength(16);
    expect(clip.totalFrames).toBeLessThan(270);
  });

  it('broken inputs give clear VisageErrors', async () => {
    const code = (p: string, opts = {}) => readClip(p, opts).then(() => 'resolved', (e) => e.code);
    expect(await code(join(dir, 'empty.mp4'))).toBe('MEDIA_EMPTY');
    expect(await code(join(dir, 'zero-frames.y4m'))).toBe('MEDIA_EMPTY');
    expect(await code(join(dir, 'notes.mp4'))).toBe('MEDIA_DECODE_FAILED');
    expect(await code(join(dir, 'audio-only.m4a'))).toBe('MEDIA_NO_VIDEO_STREAM');
    expect(['MEDIA_DECODE_FAILED', 'MEDIA_NO_VIDEO_STREAM']).toContain(await code(join(dir, 'corrupt-header.avi')));
    expect(await code(join(dir, 'huge.mkv'))).toBe('MEDIA_TOO_LARGE');
    expect(await code(megamind, { refuseAbove: 640 })).toBe('MEDIA_TOO_LARGE');
    expect(await code(join(dir, 'missing.mp4'))).toBe('INPUT_NOT_FOUND');
    expect(await code(megamind, { frames: 0 })).toBe('INGEST_OPTION_INVALID');
    const err = await readClip(join(dir, 'notes.mp4')).catch((e) => e);
    expect(err.message).toContain('notes.mp4');
    expect(err.hint).toBeTruthy();
  });

  it('aborting kills the ffmpeg child and rejects with the abort reason', async () => {
    // Abort once during the probe (ffprobe) and once during the decode pass (image2pipe).
    for (const phase of ['-count_packets', 'image2pipe']) {
      const ac = new AbortController();
      const pending = readClip(megamind, { frames: 64, signal: ac.signal, ffmpeg: await locateFfmpeg() });
      const outcome = pending.then(() => 'resolved', (e) => e);
      await childRunning(phase);
      ac.abort();
      expect(await outcome).toMatchObject({ name: 'AbortError' });
      for (let i = 0; i < 100 && (liveChildCount() > 0 || (await ffmpegChildren()).length > 0); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await ffmpegChildren()).toEqual([]);
      expect(liveChildCount()).toBe(0);
    }
    await expect(readClip(megamind, { signal: AbortSignal.abort(), ffmpeg: await locateFfmpeg() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('works with the npm static ffmpeg (no ffprobe): same frames as the system ffmpeg', async () => {
    const npm = await locateFfmpeg({ PATH: '/nonexistent' });
    expect(npm).toMatchObject({ source: 'npm', ffprobe: null });
    const a = await readClip(megamind, { frames: 4, maxSide: 64, ffmpeg: npm });
    const b = await readClip(megamind, { frames: 4, maxSide: 64 });
    expect(a.totalFrames).toBe(270);
    expect(a.indices).toEqual(b.indices);
    expect(a.frames[0].width).toBe(b.frames[0].width);
    // Different decoder builds: allow tiny differences, but the pictures must be the same.
    let diff = 0;
    for (let i = 0; i < a.frames[2].rgb.length; i++) diff += Math.abs(a.frames[2].rgb[i] - b.frames[2].rgb[i]);
    expect(diff / a.frames[2].rgb.length).toBeLessThan(2);
    expect(await readClip(join(dir, 'audio-only.m4a'), { ffmpeg: npm }).catch((e) => e.code)).toBe('MEDIA_NO_VIDEO_STREAM');
  });
});

describe('parseFfmpegLog', () => {
  it('reads size, fps and the final frame count; ignores codec tags like 0x31637661', () => {
    const log = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':",
      '  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 160x120 [SAR 1:1 DAR 4:3], 70 kb/s, 25 fps, 25 tbr, 12800 tbn (default)',
      'frame=    1 fps=0.0 q=-1.0 size=N/A', 'frame=   40 fps=0.0 q=-1.0 Lsize=N/A',
    ].join('\n');
    expect(parseFfmpegLog('a.mp4', 0, log)).toEqual({ width: 160, height: 120, fps: 25, frameCount: 40 });
    expect(() => parseFfmpegLog('a.m4a', 1, "Stream map '0:v:0' matches no streams.")).toThrow(expect.objectContaining({ code: 'MEDIA_NO_VIDEO_STREAM' }));
    expect(() => parseFfmpegLog('x.mp4', 1, 'x.mp4: Invalid data found when processing input')).toThrow(expect.objectContaining({ code: 'MEDIA_DECODE_FAILED' }));
  });
});
