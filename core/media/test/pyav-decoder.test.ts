// The pooled PyAV decoder against the ffmpeg command, on real media: the shared Megamind.avi and
// clips this test encodes with ffmpeg in many pixel formats, colour tags, sizes and containers.
// scripts/install.sh installs python3-av, so the decoder must be there (the first test says so).
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrown } from '../../testing.ts';
import type { FfmpegTools } from '../ffmpeg-locate.ts';
import { decoderChoice, pyavDecoder, pyavDecoderPids, pyavDecoderStats } from '../pyav-decoder.ts';
import { readClip, type ReadClipOptions } from '../read-clip.ts';
import { decoderFixture, testsrc, type DecoderFixture } from './decoder-fixture.ts';
import { facesDir, haveSharedFaces } from './shared-data.ts';

const run = promisify(execFile);
const megamind = join(facesDir, 'Megamind.avi');
let dir = '';
let tools: FfmpegTools;
let encode: DecoderFixture['encode'];

/** Reads `path` through the pooled decoder and through the ffmpeg command; says which path served. */
async function bothWays(path: string, opts: ReadClipOptions) {
  const before = { ...pyavDecoderStats };
  const fast = await readClip(path, opts);
  const served = pyavDecoderStats.decoded > before.decoded ? 'pyav' : 'ffmpeg';
  const slow = await readClip(path, { ...opts, ffmpeg: tools });
  return { fast, slow, served };
}

function expectSameClip(a: Awaited<ReturnType<typeof readClip>>, b: Awaited<ReturnType<typeof readClip>>): void {
  expect({ fps: a.fps, totalFrames: a.totalFrames, indices: a.indices }).toEqual({ fps: b.fps, totalFrames: b.totalFrames, indices: b.indices });
  expect(a.frames.length).toBe(b.frames.length);
  a.frames.forEach((f, k) => {
    expect([f.width, f.height, f.sourceIndex, f.time]).toEqual([b.frames[k].width, b.frames[k].height, b.frames[k].sourceIndex, b.frames[k].time]);
    // Byte for byte: Buffer.equals is one memcmp, and a failure names the frame.
    expect(Buffer.from(f.rgb).equals(Buffer.from(b.frames[k].rgb)), `frame ${k}`).toBe(true);
  });
}

/** pids of this process's python children that are not zombies (Linux /proc). */
async function pythonChildren(parent = process.pid): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
    if (m && Number(m[3]) === parent && /python/.test(m[1]) && m[2] !== 'Z') found.push(Number(pid));
  }
  return found;
}

describe.skipIf(!haveSharedFaces())('the pooled PyAV decoder', () => {
  const fixture = decoderFixture('visage-pyav-');
  beforeAll(() => {
    ({ dir, tools, encode } = fixture);
  });

  it('runs here (scripts/install.sh installs python3-av) and is the default', async () => {
    expect(decoderChoice({})).toBe('auto');
    expect(await pyavDecoder()).not.toBeNull();
  });

  it('gives the ffmpeg command\'s bytes for every pixel format, colour tag, size and container', async () => {
    const sources = [
      megamind,
      await encode('bt709.mp4', ...testsrc('640x360'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'),
      await encode('full-range.mp4', ...testsrc('320x240'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-color_range', 'pc'),
      await encode('mjpeg.avi', ...testsrc('320x240'), '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p'),
      await encode('odd-444.mkv', ...testsrc('65x49'), '-c:v', 'libx264', '-pix_fmt', 'yuv444p'),
      await encode('ten-bit.mkv', ...testsrc('320x240'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p10le'),
      await encode('vp9.webm', ...testsrc('320x240', 1), '-c:v', 'libvpx-vp9', '-b:v', '200k', '-deadline', 'realtime'),
      await encode('rgb.mkv', ...testsrc('160x120'), '-c:v', 'png', '-pix_fmt', 'rgb24'),
      await encode('gray.mkv', ...testsrc('160x120'), '-c:v', 'ffv1', '-pix_fmt', 'gray'),
      await encode('mpeg2.ts', ...testsrc('320x240'), '-c:v', 'mpeg2video', '-bf', '2'),
    ];
    for (const path of sources) {
      for (const opts of [{ frames: 16 }, { frames: 5, maxSide: 100 }, { frames: 8, mode: 'train' as const, seed: 3 }]) {
        const { fast, slow, served } = await bothWays(path, opts);
        expect(`${path} ${served}`).toBe(`${path} pyav`);
        expectSameClip(fast, slow);
      }
    }
  }, 120_000);

  it('passes a rotated mp4 (display matrix) to the ffmpeg command, which turns it upright', async () => {
    const plain = await encode('plain.mp4', ...testsrc('64x48', 1), '-c:v', 'libx264', '-pix_fmt', 'yuv420p');
    const rotated = await encode('rotated.mp4', '-i', plain, '-c', 'copy', '-metadata:s:v', 'rotate=90');
    const before = pyavDecoderStats.declined;
    const { fast, slow, served } = await bothWays(rotated, { frames: 4 });
    expect(served).toBe('ffmpeg');
    expect(pyavDecoderStats.declined).toBe(before + 1);
    expect([fast.frames[0].width, fast.frames[0].height]).toEqual([48, 64]);
    expectSameClip(fast, slow);
    expect((await bothWays(plain, { frames: 4 })).served).toBe('pyav');
  });

  it('leaves broken files to the ffmpeg command, whose errors users get', async () => {
    const notVideo = join(dir, 'notes.mp4');
    await run('sh', ['-c', `printf 'not a video' > ${notVideo}`]);
    const audio = await encode('audio.m4a', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac');
    for (const path of [notVideo, audio]) {
      const viaFast = await readClip(path).catch((e) => e);
      const viaCommand = await readClip(path, { ffmpeg: tools }).catch((e) => e);
      expect([viaFast.code, viaFast.message]).toEqual([viaCommand.code, viaCommand.message]);
    }
    // The decoder survives them: the next clip is served by it.
    expect((await bothWays(megamind, { frames: 2 })).served).toBe('pyav');
  });

  it('an abort kills the busy decoder and rejects with the reason; the next clip gets a new one', async () => {
    // A clip whose decode takes far longer than its probe, so that the abort lands mid-decode.
    const long = await encode('long.mkv', ...testsrc('640x480', 12), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
    await readClip(long, { frames: 2 });
    const before = pyavDecoderPids();
    expect(before.length).toBeGreaterThan(0);
    const ac = new AbortController();
    const pending = readClip(long, { frames: 256, signal: ac.signal }).then(() => 'resolved', (e) => e);
    setTimeout(() => ac.abort(), 40);
    expect(await pending).toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 100 && (await pythonChildren()).length >= before.length + 1; i++) await new Promise((r) => setTimeout(r, 10));
    const after = pyavDecoderPids();
    expect(before.filter((p) => !after.includes(p)).length).toBe(1);
    expect((await bothWays(megamind, { frames: 2 })).served).toBe('pyav');
  });

  it('a decoder that died between clips is replaced', async () => {
    await readClip(megamind, { frames: 2 });
    for (const pid of pyavDecoderPids()) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    const { fast, slow, served } = await bothWays(megamind, { frames: 3 });
    expectSameClip(fast, slow);
    // The dead ones are dropped before a clip is handed to them, so even this clip gets a new one.
    expect(served).toBe('pyav');
    expect((await bothWays(megamind, { frames: 3 })).served).toBe('pyav');
  });

  it('idle decoders never keep a finished run alive, and die with it', async () => {
    const script = `import { readClip } from ${JSON.stringify(resolve('core/media/read-clip.ts'))};
      import { pyavDecoderPids } from ${JSON.stringify(resolve('core/media/pyav-decoder.ts'))};
      const c = await readClip(${JSON.stringify(megamind)}, { frames: 2 });
      console.log(c.frames.length, pyavDecoderPids().join(','));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const t0 = Date.now();
    const code = await new Promise((r) => child.on('close', r));
    const [frames, pids] = out.trim().split(' ');
    expect([code, frames]).toEqual([0, '2']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const servers = pids.split(',').map(Number);
    expect(servers.length).toBeGreaterThan(0);
    const running = async () => (await Promise.all(servers.map((p) => readFile(`/proc/${p}/stat`, 'utf8').catch(() => '')))).filter((s) => s && !/^\d+ \(.*\) Z/.test(s));
    for (let i = 0; i < 100 && (await running()).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await running()).toEqual([]);
  });

  it('a decoder\'s memory stays flat over many clips (PyAV\'s reference cycles are collected)', async () => {
    const clip = await encode('many.mp4', ...testsrc('640x360', 1), '-c:v', 'libx264', '-pix_fmt', 'yuv420p');
    const rssMiB = () => pyavDecoderPids().reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]), 0) / 1024;
    for (let i = 0; i < 20; i++) await readClip(clip, { frames: 5 });
    const warm = rssMiB();
    for (let i = 0; i < 120; i++) await readClip(clip, { frames: 5 });
    // Without the collection after each request this clip grew a server by about 0.25 MiB per read.
    expect(rssMiB() - warm).toBeLessThan(12);
  }, 60_000);

  it('VISAGE_DECODER chooses; a bad value or a missing PyAV under `pyav` is refused with a hint', async () => {
    expect(await pyavDecoder({ VISAGE_DECODER: 'ffmpeg' })).toBeNull();
    expect(thrown(() => decoderChoice({ VISAGE_DECODER: 'gstreamer' }), { code: 'DECODER_UNKNOWN', exitCode: 2 }).hint).toContain('auto, pyav, ffmpeg');
    // auto without PyAV: the ffmpeg command, silently.
    expect(await pyavDecoder({ VISAGE_PYTHON: '/bin/false' })).toBeNull();
    const err = await pyavDecoder({ VISAGE_DECODER: 'pyav', VISAGE_PYTHON: '/bin/false' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DECODER_UNAVAILABLE', exitCode: 2 });
    expect(err.hint).toContain('python3-av');
  });
});
