/**
 * The landmarks level's detector policies on real faces and the real converted models: `every`
 * (BlazeFace on every frame, the default) and `track` (BlazeFace on the first frame and when the face
 * followed from the previous frame's mesh is lost).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCache, OnnxSessionStore } from '@visage/core/models';
import type { Frame } from '@visage/core';
import { createHost } from '@visage/core/internal';
import { readClip } from '@visage/core/media';
import { FaceModels } from '../src/face-models.ts';
import { LANDMARKS_68 } from '../src/landmarks-68.ts';
import { trackFaces } from '../src/track-faces.ts';
import { boxFromMesh, insideFraction } from '../src/mesh-tracking.ts';
import { iou } from '../src/box.ts';
import type { LandmarksData } from '../src/index.ts';
import { FACES_DIR, haveFaces, loadFrame, stillClipWithCrops, meanPointError } from '../../../test/helpers/still-clip.ts';
import { haveShared } from '../../../test/helpers/shared-data.ts';

let cacheDir: string;
let store: OnnxSessionStore;
let models: FaceModels;
const present = haveFaces();
const MEGAMIND = join(FACES_DIR, 'Megamind.avi');

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-detector-policy-'));
  store = new OnnxSessionStore({ cache: new ModelCache(cacheDir), intraOpNumThreads: 1 });
  models = await FaceModels.load(store);
});
afterAll(async () => {
  await store.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Frame `t` of a still shifted right by `dx` px on a gray canvas of the same size (the face leaves by the right edge). */
async function shifted(name: string, dx: number, t: number): Promise<Frame> {
  const f = await loadFrame(name, t);
  const rgb = new Uint8Array(f.rgb.length).fill(90);
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x + dx < f.width; x++) rgb.set(f.rgb.subarray((y * f.width + x) * 3, (y * f.width + x) * 3 + 3), (y * f.width + x + dx) * 3);
  }
  return { ...f, rgb };
}

describe('box geometry of the track policy', () => {
  it('measures how much of a box is inside the frame', () => {
    expect(insideFraction([0, 0, 10, 10], 100, 100)).toBe(1);
    expect(insideFraction([90, 0, 110, 10], 100, 100)).toBe(0.5);
    expect(insideFraction([-30, -30, -10, -10], 100, 100)).toBe(0);
  });
});

describe.runIf(present || process.env.CI === 'true')('detector policies on real faces', () => {
  it('a box from the mesh frames the face as the detector\'s box does', async () => {
    for (const name of ['astronaut.png', 'messi5.jpg', 'face_swapped.jpg']) {
      const [face] = await trackFaces(models, [await loadFrame(name)]);
      expect(iou(boxFromMesh(face.mesh!, true).box, face.box!), name).toBeGreaterThan(0.75);
    }
  });

  it('track detects once on a pan-and-zoom, follows the face from the mesh, and re-detects after a cut', async () => {
    const still = await loadFrame('astronaut.png');
    const [ref] = await trackFaces(models, [still]);
    const { frames, crops } = await stillClipWithCrops('astronaut.png', { shift: 40, zoom: 0.3 });
    // A cut at frame 6: another face elsewhere in the picture, then back to the astronaut.
    const { data } = await sharp(resolve(FACES_DIR, 'messi5.jpg')).resize(320, 320, { fit: 'cover' }).flop().raw().toBuffer({ resolveWithObject: true });
    frames[6] = { width: 320, height: 320, rgb: new Uint8Array(data), sourceIndex: 6 };
    const faces = await trackFaces(models, frames, { detector: 'track' });
    // Detected on the first frame, on the cut (the mesh flag drops in the old box) and on the way
    // back; tracked everywhere else.
    expect(faces.map((f) => f.source[0]).join('')).toBe('dtttttddtttttttt');
    const [alone] = await trackFaces(models, [frames[6]]);
    expect(iou(faces[6].box!, alone.box!)).toBeGreaterThan(0.5);
    const faceSize = ref.box![2] - ref.box![0];
    for (let t = 0; t < frames.length; t++) {
      if (t === 6) continue;
      expect(meanPointError(faces[t].mesh!, crops[t], ref.mesh!, LANDMARKS_68) / faceSize, `frame ${t}`).toBeLessThan(0.03);
    }
  });

  it('track re-detects when the face leaves the frame, and finds none there', async () => {
    const frames = await Promise.all([0, 20, 40, 400, 400, 0].map((dx, t) => shifted('face_swapped.jpg', dx, t)));
    const timings: Record<string, number> = {};
    const faces = await trackFaces(models, frames, { detector: 'track', timings });
    expect(faces.map((f) => f.source)).toEqual(['detected', 'tracked', 'tracked', 'none', 'none', 'detected']);
    expect(timings.detect).toBeGreaterThan(0);
  });

  it('a clip that follows a face track by rank (--window) is detected on every frame under either policy', async () => {
    const { frames } = await stillClipWithCrops('astronaut.png', { frames: 6 });
    const ranked = await trackFaces(models, frames, { follow: 0 });
    expect(ranked.every((f) => f.source === 'detected')).toBe(true);
    expect(await trackFaces(models, frames, { follow: 0, detector: 'track' })).toEqual(ranked);
  });

  it('gives the same faces with one thread as with onnxruntime\'s default threads', async () => {
    const pooled = new OnnxSessionStore({ cache: new ModelCache(cacheDir) });
    try {
      const { frames } = await stillClipWithCrops('messi5.jpg', { frames: 8 });
      const one = await trackFaces(models, frames, { detector: 'track' });
      expect(await trackFaces(await FaceModels.load(pooled), frames, { detector: 'track' })).toEqual(one);
    } finally {
      await pooled.dispose();
    }
  });
});

describe.runIf(haveShared('faces/Megamind.avi'))('detector policies on Megamind.avi (16 frames 0.7 s apart, with cuts)', () => {
  it('every is the default; track detects on fewer frames and keeps a face on every frame', async () => {
    const { frames } = await readClip(MEGAMIND, { frames: 16 });
    const every = await trackFaces(models, frames);
    expect(await trackFaces(models, frames, { detector: 'every' })).toEqual(every);
    const track = await trackFaces(models, frames, { detector: 'track' });
    expect(every.every((f) => f.source === 'detected')).toBe(true);
    expect(track.every((f) => f.source !== 'none')).toBe(true);
    expect(track.filter((f) => f.source === 'detected').length).toBeLessThan(8);
  }, 60_000);

  it('the landmarks option reaches the level through a preset', async () => {
    const host = createHost({ logLevel: 'error', cacheDir, modelThreads: 1 });
    const pipeline = await host.pipeline({ set: ['stages.levels.landmarks.options.detector="track"'] });
    try {
      const { levels } = await pipeline.levels({ path: MEGAMIND });
      const frames = (levels.landmarks.data as LandmarksData).frames;
      expect(levels.landmarks.summary).toMatchObject({ frames: 16, framesWithFace: 16 });
      expect(levels.landmarks.summary!.tracked).toBe(frames.filter((f) => f.face.source === 'tracked').length);
      expect(levels.landmarks.summary!.tracked).toBeGreaterThan(8);
    } finally {
      await pipeline.dispose();
      await host.dispose();
    }
  }, 60_000);
});
