import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../ffmpeg-locate.ts';
import { liveDecoderCount, PpmStreamParser, SceneScoreParser, streamFrames, type StreamedFrame } from '../stream-frames.ts';
import { openWindowStream, type VideoWindow } from '../stream-windows.ts';
import { decodeVideoFrames } from '../video-decode.ts';
import { haveShared } from '../../../test/helpers/shared-data.ts';
import { makeCutVideo } from '../../../test/helpers/window-media.ts';

const ppm = (w: number, h: number, fill: number) => Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, fill)]);

describe('PpmStreamParser', () => {
  it('splits images whatever the chunk boundaries, each in a buffer of its own', () => {
    const stream = Buffer.concat([ppm(3, 2, 7), ppm(1, 1, 0x30), ppm(2, 2, 0x0a)]);
    for (const size of [1, 2, 5, 17, stream.length]) {
      const p = new PpmStreamParser();
      const out = [];
      for (let i = 0; i < stream.length; i += size) out.push(...p.push(stream.subarray(i, i + size)));
      expect(out.map((f) => [f.width, f.height, f.rgb.length, f.rgb[0]])).toEqual([[3, 2, 18, 7], [1, 1, 3, 0x30], [2, 2, 12, 0x0a]]);
      expect(out[0].rgb.buffer).not.toBe(out[1].rgb.buffer);
      expect(p.partial).toBe(false);
    }
  });

  it('says when the stream stopped inside an image, and refuses what is not PPM', () => {
    const p = new PpmStreamParser();
    p.push(ppm(4, 4, 1).subarray(0, 30));
    expect(p.partial).toBe(true);
    expect(() => new PpmStreamParser().push(Buffer.from('GIF89a....'))).toThrow(/PPM header/);
  });
});

describe('SceneScoreParser', () => {
  it('pairs each score with its frame across chunk boundaries and keeps other lines as the log', () => {
    const p = new SceneScoreParser();
    const text = '[Parsed_metadata_1 @ 0x55] frame:0    pts:0  pts_time:0\n[Parsed_metadata_1 @ 0x55] lavfi.scene_score=0.000000\nInput #0 ...\n[Parsed_metadata_1 @ 0x55] frame:1    pts:512  pts_time:0.04\n[Parsed_metadata_1 @ 0x55] lavfi.scene_score=0.906462\n';
    const got = [...p.push(text.slice(0, 70)), ...p.push(text.slice(70))];
    expect(got).toEqual([[0, 0], [1, 0.906462]]);
    expect(p.log).toBe('Input #0 ...\n');
  });
});

describe.runIf(haveShared('faces/Megamind.avi'))('streaming a real video', () => {
  let dir: string;
  let video: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'visage-stream-'));
    video = makeCutVideo(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('yields every frame once, in order, identical to the per-clip decoder, with a high scene score only at the cut', async () => {
    const tools = await locateFfmpeg();
    const frames: StreamedFrame[] = [];
    for await (const f of streamFrames(video, tools)) frames.push(f);
    expect(frames.map((f) => f.index)).toEqual([...Array(120).keys()]);
    const cuts = frames.filter((f) => f.scene >= 0.4).map((f) => f.index);
    expect(cuts).toEqual([72]);
    const ref = await decodeVideoFrames(video, [0, 71, 72, 119], 24, 512, tools);
    for (const r of ref) expect(Buffer.from(frames[r.sourceIndex].rgb).equals(Buffer.from(r.rgb))).toBe(true);
  });

  it('scales with maxSide and reports no scores when they are off', async () => {
    const tools = await locateFfmpeg();
    const frames: StreamedFrame[] = [];
    for await (const f of streamFrames(video, tools, { maxSide: 128, sceneScores: false })) frames.push(f);
    expect(frames).toHaveLength(120);
    expect(frames.every((f) => f.width === 128 && f.height === 128 && f.scene === 0)).toBe(true);
  });

  it('gives 8-bit RGB for a 10-bit source, like the per-clip decoder', async () => {
    const tools = await locateFfmpeg();
    const tenBit = path.join(dir, 'ten-bit.mkv');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p10le', tenBit]);
    const frames: StreamedFrame[] = [];
    for await (const f of streamFrames(tenBit, tools, { sceneScores: false })) frames.push(f);
    expect(frames.map((f) => [f.width, f.height, f.rgb.length])).toEqual(Array(10).fill([96, 64, 96 * 64 * 3]));
    const ref = await decodeVideoFrames(tenBit, [0, 9], 10, 96, tools);
    for (const r of ref) expect(Buffer.from(frames[r.sourceIndex].rgb).equals(Buffer.from(r.rgb))).toBe(true);
  });

  it('kills the decoder when the consumer stops early, and on abort', async () => {
    const tools = await locateFfmpeg();
    let n = 0;
    for await (const f of streamFrames(video, tools)) if (++n === 3 || f.index > 3) break;
    expect(n).toBe(3);
    await expect.poll(liveDecoderCount).toBe(0);
    const abort = new AbortController();
    const seen: number[] = [];
    await expect((async () => {
      for await (const f of streamFrames(video, tools, { signal: abort.signal })) {
        seen.push(f.index);
        if (f.index === 5) abort.abort(new Error('stop here'));
      }
    })()).rejects.toThrow('stop here');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    await expect.poll(liveDecoderCount).toBe(0);
  });

  it('cuts windows at the shot change and samples each as a clip of its own', async () => {
    const { info, windows } = await openWindowStream(video, { window: { value: 1, unit: 's' }, stride: { value: 12, unit: 'f' }, frames: 4 });
    expect(info).toEqual({ fps: 24, length: 24, stride: 12 });
    const got: VideoWindow[] = [];
    for await (const w of windows) got.push(w);
    expect(got.map((w) => [w.shot, w.first, w.end, w.start, w.endTime])).toEqual([
      [0, 0, 24, 0, 1], [0, 12, 36, 0.5, 1.5], [0, 24, 48, 1, 2], [0, 36, 60, 1.5, 2.5], [0, 48, 72, 2, 3],
      [1, 72, 96, 3, 4], [1, 84, 108, 3.5, 4.5], [1, 96, 120, 4, 5],
    ]);
    // The window's frames are sampled as a 24-frame clip's are (sampleIndices, test mode), offset to the window.
    expect(got[5].clip.indices).toEqual([75, 81, 87, 93]);
    expect(got[5].clip.frames.map((f) => f.sourceIndex)).toEqual([75, 81, 87, 93]);
    expect(got[5].clip.frames[0].time).toBeCloseTo(75 / 24, 9);
  });

  it('makes no cuts with threshold 1', async () => {
    const { windows } = await openWindowStream(video, { window: { value: 48, unit: 'f' }, sceneThreshold: 1, frames: 2 });
    const got: VideoWindow[] = [];
    for await (const w of windows) got.push(w);
    expect(got.map((w) => [w.shot, w.first, w.end])).toEqual([[0, 0, 48], [0, 48, 96], [0, 72, 120]]);
  });
});
