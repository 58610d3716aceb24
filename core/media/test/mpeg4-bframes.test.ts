// The PyAV decoder's MPEG-4 Part 2 path (core/media/mpeg4_bframes.py): it skips the B-frames no
// sampled index needs and must still give the ffmpeg command's bytes, frame for frame. Sources: the
// shared Megamind.avi (XviD with packed B-frames) and clips this test encodes or cuts with ffmpeg.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FfmpegTools } from '../ffmpeg-locate.ts';
import { pythonForDecoder, pyavDecoderStats } from '../pyav-decoder.ts';
import { readClip, type ReadClipOptions } from '../read-clip.ts';
import { decoderFixture, run, testsrc, type DecoderFixture } from './decoder-fixture.ts';
import { facesDir, haveSharedFaces } from './shared-data.ts';

const megamind = join(facesDir, 'Megamind.avi');
const mediaDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let dir = '';
let tools: FfmpegTools;
let encode: DecoderFixture['encode'];

/** Picture types in decoder output order (select's n), from ffprobe. */
async function pictureTypes(path: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pict_type', '-of', 'csv=p=0', path]);
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe.skipIf(!haveSharedFaces())('the MPEG-4 Part 2 B-frame skipping of the PyAV decoder', () => {
  const fixture = decoderFixture('visage-mpeg4-');
  beforeAll(() => {
    ({ dir, tools, encode } = fixture);
  });

  it('skips exactly the B-frames before the last wanted one that are not wanted, and gives the ffmpeg command\'s bytes', async () => {
    const sources = [
      megamind, // XviD, packed B-frames (a P and the next B in one packet, then a "not coded" placeholder)
      await encode('bf2.avi', ...testsrc('320x240', 4), '-c:v', 'mpeg4', '-bf', '2', '-g', '25'),
      await encode('bf1.mp4', ...testsrc('320x240', 4), '-c:v', 'mpeg4', '-bf', '1', '-g', '12', '-q:v', '4'),
      await encode('bf3.mkv', ...testsrc('320x240', 4), '-c:v', 'mpeg4', '-bf', '3', '-g', '30', '-q:v', '6'),
      // A stream copy from 2.5 s: starts at a key frame, but the packed B-frames around it remain.
      await encode('cut.avi', '-ss', '2.5', '-i', megamind, '-c:v', 'copy', '-an', '-t', '4'),
    ];
    let fastPathFiles = 0;
    for (const path of sources) {
      const types = await pictureTypes(path);
      for (const opts of [{ frames: 16 }, { frames: 5, maxSide: 100 }, { frames: 9, mode: 'train', seed: 3 }] as ReadClipOptions[]) {
        const before = { ...pyavDecoderStats };
        const fast = await readClip(path, opts);
        expect(pyavDecoderStats.decoded, path).toBe(before.decoded + 1);
        const slow = await readClip(path, { ...opts, ffmpeg: tools });
        expect(fast.indices).toEqual(slow.indices);
        fast.frames.forEach((f, k) => expect(Buffer.from(f.rgb).equals(Buffer.from(slow.frames[k].rgb)), `${path} frame ${k}`).toBe(true));
        expect(fast.frames.length).toBe(slow.frames.length);
        // The decoder stops after the last wanted frame: B-frames after it are not decoded at all.
        const last = Math.max(...fast.indices);
        const wanted = new Set(fast.indices);
        const unwantedB = types.slice(0, last + 1).filter((t, n) => t === 'B' && !wanted.has(n)).length;
        expect(pyavDecoderStats.bFramesSkipped - before.bFramesSkipped, path).toBe(unwantedB);
        if (unwantedB > 0) fastPathFiles++;
      }
    }
    expect(fastPathFiles).toBeGreaterThanOrEqual(sources.length * 2);
  }, 120_000);

  it('decodes a damaged stream frame by frame (error concealment need not survive skipped frames), with the ffmpeg command\'s bytes', async () => {
    // Megamind.avi with 200 bytes of noise at three places: the decoder conceals the damaged
    // macroblocks. Skipping B-frames changed the concealed pictures here before errors sent the clip
    // to the full decode.
    const bytes = await readFile(megamind);
    let seed = 3;
    for (const at of [300_000, 500_000, 700_000]) {
      for (let i = 0; i < 200; i++) bytes[at + i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    }
    const damaged = join(dir, 'damaged.avi');
    await writeFile(damaged, bytes);
    for (const opts of [{ frames: 16 }, { frames: 9, mode: 'train', seed: 5 }] as ReadClipOptions[]) {
      const before = { ...pyavDecoderStats };
      const fast = await readClip(damaged, opts);
      expect(pyavDecoderStats.decoded).toBe(before.decoded + 1);
      expect(pyavDecoderStats.bFramesSkipped).toBe(before.bFramesSkipped);
      const slow = await readClip(damaged, { ...opts, ffmpeg: tools });
      expect(fast.frames.length).toBe(slow.frames.length);
      fast.frames.forEach((f, k) => expect(Buffer.from(f.rgb).equals(Buffer.from(slow.frames[k].rgb)), `frame ${k}`).toBe(true));
    }
  });

  it('decodes every frame when the replay of the decoder disagrees with it, with the same bytes', async () => {
    // A replay blind to DivX's "packed B-frames" flag: it hands the decoder whole packets, so the
    // decoder keeps each packed B-frame and outputs it one call later than the replay says. The
    // check of every output frame (type and call) must catch that, and the decode fall back.
    const script = `
import importlib.util, json, sys
sys.path.insert(0, ${JSON.stringify(mediaDir)})
spec = importlib.util.spec_from_file_location("pyav_server", ${JSON.stringify(join(mediaDir, 'pyav-server.py'))})
server = importlib.util.module_from_spec(spec); spec.loader.exec_module(server)
import mpeg4_bframes
req = {"path": ${JSON.stringify(megamind)}, "indices": [3, 40, 41, 100], "maxSide": None, "maxBytes": 1 << 30}
good = dict(req, out=${JSON.stringify(join(dir, 'good.ppm'))})
bad = dict(req, out=${JSON.stringify(join(dir, 'bad.ppm'))})
print(json.dumps(server.decode(good)))
import re
mpeg4_bframes.DIVX = re.compile(b"never matches")
c, s = server.open_video(req["path"])
with c:
    print(json.dumps(server.decode_skipping_bframes(c, s, bad, set(req["indices"]), 100)))
print(json.dumps(server.decode(bad)))
`;
    const { stdout } = await run(pythonForDecoder(), ['-c', script]);
    const [good, unsure, fallback] = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(good).toEqual({ frames: 4, skipped: expect.any(Number) });
    expect(good.skipped).toBeGreaterThan(30);
    expect(unsure).toBeNull();
    expect(fallback).toEqual({ frames: 4 });
    expect((await readFile(join(dir, 'bad.ppm'))).equals(await readFile(join(dir, 'good.ppm')))).toBe(true);
  });
});
