/**
 * The landmarks level on real faces (../shared/data/faces) with the real converted models.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCache, OnnxSessionStore } from '@visage/core/models';
import { isVisageError } from '@visage/core';
import type { Frame } from '@visage/core';
import { alignedCrop, eyeAngle } from '../src/aligned-crop.ts';
import { FaceModels } from '../src/face-models.ts';
import { LANDMARKS_68, meshTo68 } from '../src/landmarks-68.ts';
import { renderLandmarks } from '../src/render-landmarks.ts';
import { trackFaces } from '../src/track-faces.ts';
import { extractLandmarks } from '../src/landmarks-level.ts';
import { iou } from '../src/box.ts';
import { FACES_DIR, haveFaces, loadFrame, stillClip, stillClipWithCrops, meanPointError } from '../../../test/helpers/still-clip.ts';

let cacheDir: string;
let store: OnnxSessionStore;
let models: FaceModels;
const present = haveFaces();

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-landmarks-'));
  store = new OnnxSessionStore({ cache: new ModelCache(cacheDir) });
  models = await FaceModels.load(store);
});
afterAll(async () => {
  await store.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

const blank = (w: number, h: number, i: number): Frame => ({ width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(90), sourceIndex: i });
const pt = (p: Float32Array, k: number) => ({ x: p[k * 3], y: p[k * 3 + 1] });

describe.runIf(present || process.env.CI === 'true')('landmarks on real faces', () => {
  it('detects the astronaut where human does, with a confident mesh inside the box', async () => {
    const frame = await loadFrame('astronaut.png');
    const [dets] = await models.detect([frame]);
    expect(dets).toHaveLength(1);
    expect(dets[0].score).toBeGreaterThan(0.8);
    // environment.md section 1 (human on tfjs): box [174, 76, 277, 180]; resampling differs slightly.
    [174, 76, 277, 180].forEach((v, i) => expect(Math.abs(dets[0].box[i] - v)).toBeLessThan(5));
    const [mesh] = await models.mesh([frame], [dets[0].faceBox]);
    expect(mesh!.confidence).toBeGreaterThan(0.9);
    const [x0, y0, x1, y1] = dets[0].faceBox;
    let inside = 0;
    for (let p = 0; p < 468; p++) if (mesh!.mesh[p * 3] > x0 && mesh!.mesh[p * 3] < x1 && mesh!.mesh[p * 3 + 1] > y0 && mesh!.mesh[p * 3 + 1] < y1) inside++;
    expect(inside).toBe(468);
  });

  it('gives a 68-point subset with frontal-face anatomy', async () => {
    const frame = await loadFrame('face_swapped.jpg');
    const [face] = await trackFaces(models, [frame]);
    const p = meshTo68(face.mesh!);
    expect(new Set(LANDMARKS_68).size).toBe(68);
    expect(Math.max(...LANDMARKS_68)).toBeLessThan(468);
    expect(pt(p, 0).x).toBeLessThan(pt(p, 8).x); // jaw runs image-left -> chin -> image-right
    expect(pt(p, 8).x).toBeLessThan(pt(p, 16).x);
    for (let k = 0; k <= 16; k++) expect(pt(p, 8).y).toBeGreaterThanOrEqual(pt(p, k).y - 1); // chin lowest
    expect(pt(p, 36).x).toBeLessThan(pt(p, 39).x); // right eye outer -> inner -> left eye inner -> outer
    expect(pt(p, 39).x).toBeLessThan(pt(p, 42).x);
    expect(pt(p, 42).x).toBeLessThan(pt(p, 45).x);
    expect(pt(p, 30).x).toBeGreaterThan(pt(p, 39).x); // nose tip between the eyes
    expect(pt(p, 30).x).toBeLessThan(pt(p, 42).x);
    expect(pt(p, 19).y).toBeLessThan(pt(p, 37).y); // brow above eye above nose above mouth above chin
    expect(pt(p, 37).y).toBeLessThan(pt(p, 30).y);
    expect(pt(p, 30).y).toBeLessThan(pt(p, 51).y);
    expect(pt(p, 51).y).toBeLessThan(pt(p, 57).y);
    expect(pt(p, 57).y).toBeLessThan(pt(p, 8).y);
  });

  for (const name of ['astronaut.png', 'messi5.jpg', 'face_swapped.jpg']) {
    it(`finds the face in >= 15/16 frames of a pan-and-zoom clip of ${name}`, async () => {
      const frames = await stillClip(name);
      const faces = await trackFaces(models, frames, { clipId: name });
      expect(faces.filter((f) => f.source !== 'none').length).toBeGreaterThanOrEqual(15);
    });
  }

  it('moves the mesh with the image: frames mapped back to the still agree within 3% of the face size', async () => {
    const still = await loadFrame('astronaut.png');
    const [ref] = await trackFaces(models, [still]);
    const { frames, crops } = await stillClipWithCrops('astronaut.png', { shift: 40, zoom: 0.3 });
    const faces = await trackFaces(models, frames);
    const faceSize = ref.box![2] - ref.box![0];
    for (let t = 0; t < frames.length; t++) {
      const s = crops[t].side / crops[t].out;
      let err = 0;
      for (const k of LANDMARKS_68) {
        const x = faces[t].mesh![k * 3] * s + crops[t].left;
        const y = faces[t].mesh![k * 3 + 1] * s + crops[t].top;
        err += Math.hypot(x - ref.mesh![k * 3], y - ref.mesh![k * 3 + 1]);
      }
      expect(err / 68 / faceSize, `frame ${t}`).toBeLessThan(0.03);
    }
  });

  it('detecting on keyframes only tracks as well, and re-detects where the mesh loses the face', async () => {
    const still = await loadFrame('astronaut.png');
    const [ref] = await trackFaces(models, [still]);
    const { frames, crops } = await stillClipWithCrops('astronaut.png', { shift: 40, zoom: 0.3 });
    // A cut between keyframes 4 and 8: frame 6 shows another face elsewhere in the picture.
    const { data } = await sharp(resolve(FACES_DIR, 'messi5.jpg')).resize(320, 320, { fit: 'cover' }).flop().raw().toBuffer({ resolveWithObject: true });
    frames[6] = { width: 320, height: 320, rgb: new Uint8Array(data), sourceIndex: 6 };
    const timings: Record<string, number> = {};
    const faces = await trackFaces(models, frames, { detectEvery: 4, timings });
    // Keyframes 0, 4, 8, 12 and the last (15) are detected; frame 6's interpolated box misses,
    // so it is detected on its own.
    expect(faces.map((f) => f.source[0]).join('')).toBe('dtttdtdtdtttdttd');
    const [alone] = await trackFaces(models, [frames[6]]);
    expect(iou(faces[6].box!, alone.box!)).toBeGreaterThan(0.9);
    expect(timings.detect).toBeGreaterThan(0);
    const faceSize = ref.box![2] - ref.box![0];
    for (let t = 0; t < frames.length; t++) {
      if (t === 6) continue;
      expect(meanPointError(faces[t].mesh!, crops[t], ref.mesh!, LANDMARKS_68) / faceSize, `frame ${t}`).toBeLessThan(0.03);
    }
  });

  it('extractLandmarks bundles faces, 68 points, crops, renders and crop maps per frame', async () => {
    const frames = await stillClip('face_swapped.jpg', { frames: 4 });
    frames[2] = blank(320, 320, 2);
    const level = await extractLandmarks(models, frames, { size: 112 });
    expect(level).toHaveLength(4);
    expect(level[2]).toMatchObject({ landmarks68: null, landmarks68InCrop: null, cropMap: null });
    expect(level[2].render.every((v) => v === 0)).toBe(true);
    const f = level[0];
    expect([f.crop.width, f.render.length, f.landmarks68!.length]).toEqual([112, 112 * 112 * 3, 204]);
    // In crop space the face fills the crop: every point inside, eyes level after alignment.
    for (let k = 0; k < 68; k++) {
      expect(f.landmarks68InCrop![k * 3]).toBeGreaterThan(0);
      expect(f.landmarks68InCrop![k * 3]).toBeLessThan(112);
    }
    expect(Math.abs(f.landmarks68InCrop![36 * 3 + 1] - f.landmarks68InCrop![45 * 3 + 1])).toBeLessThan(3);
  });

  it('flags frames without a face, and fails a clip with no face at all', async () => {
    const frames = await stillClip('face_swapped.jpg', { frames: 8 });
    frames[5] = blank(320, 320, 5);
    const faces = await trackFaces(models, frames);
    expect(faces[5]).toMatchObject({ source: 'none', box: null, mesh: null, score: 0 });
    expect(faces.filter((f) => f.source !== 'none')).toHaveLength(7);

    const empty = [0, 1, 2].map((i) => blank(200, 150, i));
    const err = await trackFaces(models, empty, { clipId: 'blank.mp4' }).catch((e) => e);
    expect(isVisageError(err) && err.code).toBe('NO_FACE_IN_CLIP');
    expect(err.message).toContain('blank.mp4');
    const allowed = await trackFaces(models, empty, { allowNoFace: true });
    expect(allowed.every((f) => f.source === 'none')).toBe(true);
  });

  it('rejects malformed frames with BAD_FRAME', async () => {
    const err = await models.detect([{ width: 10, height: 10, rgb: new Uint8Array(5), sourceIndex: 0 }]).catch((e) => e);
    expect(err.code).toBe('BAD_FRAME');
  });

  it('meshes rolled faces and aligned crops remove the roll', async () => {
    const rolled = async (deg: number): Promise<Frame> => {
      const { data, info } = await sharp(resolve(FACES_DIR, 'face_swapped.jpg')).rotate(deg, { background: '#000' })
        .removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, rgb: new Uint8Array(data), sourceIndex: 0 };
    };
    const deg = (rad: number) => (rad * 180) / Math.PI;
    const [upright] = await trackFaces(models, [await rolled(0)]);
    const base = deg(eyeAngle(upright.mesh!));
    for (const roll of [20, 30]) {
      const frame = await rolled(roll);
      const [face] = await trackFaces(models, [frame]);
      expect(Math.abs(deg(eyeAngle(face.mesh!)) - base - roll), `roll ${roll}`).toBeLessThan(3);
      const crop = alignedCrop(frame, face, 224);
      expect([crop.width, crop.height, crop.rgb.length]).toEqual([224, 224, 224 * 224 * 3]);
      const [again] = await trackFaces(models, [crop]);
      expect(Math.abs(deg(eyeAngle(again.mesh!))), `roll ${roll} after alignment`).toBeLessThan(3);
    }
    // Without the roll correction the mesh saturates (the reason `rotate` defaults on).
    const [plain] = await trackFaces(models, [await rolled(30)], { rotate: false });
    expect(deg(eyeAngle(plain.mesh!)) - base).toBeLessThan(20);
  });

  it('renders the 68 landmarks as dots and lines on black, aligned with the crop', async () => {
    const frame = await loadFrame('astronaut.png');
    const [face] = await trackFaces(models, [frame]);
    const img = renderLandmarks(face, 224);
    expect(img.length).toBe(224 * 224 * 3);
    let white = 0, gray = 0;
    for (let i = 0; i < img.length; i += 3) {
      if (img[i] === 255) white++;
      else if (img[i] === 128) gray++;
    }
    expect(white).toBeGreaterThan(68 * 3); // dots of ~9 px, some overlap
    expect(gray).toBeGreaterThan(300); // contour polylines
    expect(white + gray).toBeLessThan(224 * 224 * 0.2);
    // Landmarks fall on facial features of the aligned crop: the render's lit pixels are where
    // the crop is the face (not the black letterbox) and the nose tip lies near the centre.
    const crop = alignedCrop(frame, face, 224);
    const again = await trackFaces(models, [crop]);
    const nose = meshTo68(again[0].mesh!);
    const nx = Math.round(nose[30 * 3]), ny = Math.round(nose[30 * 3 + 1]);
    let near = false;
    for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) if (img[((ny + dy) * 224 + nx + dx) * 3] === 255) near = true;
    expect(near).toBe(true);
    expect(renderLandmarks({ box: null, score: 0, mesh: null }, 64).every((v) => v === 0)).toBe(true);
  });
});
