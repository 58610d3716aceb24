/**
 * The mesh-derived parsing map of real photos, with the real landmarks level (BlazeFace +
 * FaceMesh from plugins/landmarks). Needs ../shared/data/faces: skipped locally when missing,
 * FAILS under CI.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '@visage/core/media';
import { warpToFrame, OnnxSessionStore } from '@visage/core/models';
import type { FaceFrame, Frame } from '@visage/core';
import { alignedCrop, alignmentMap, FaceModels, trackFaces } from '@visage/landmarks';
import { boxCropMap } from '../src/aligned-crop.ts';
import { PARSING_LABEL, type ParsingClass, type ParsingMap } from '../src/classes.ts';
import { parseFromMesh } from '../src/parse-from-mesh.ts';
import { parsingStats } from '../src/parsing-stats.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const facesDir = resolve(repoRoot, '../shared/data/faces');
const PHOTOS = ['astronaut.png', 'face_swapped.jpg', 'messi5.jpg'];
const present = PHOTOS.every((p) => existsSync(resolve(facesDir, p)));

describe('shared face photos', () => {
  it.runIf(process.env.CI === 'true')('are present under CI', () => {
    expect(present, `missing test photos in ${facesDir}`).toBe(true);
  });
});

describe.skipIf(!present)('parseFromMesh on real photos (real FaceMesh)', () => {
  const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
  const parsed = new Map<string, { frame: Frame; face: FaceFrame; map: ParsingMap }>();

  beforeAll(async () => {
    const models = await FaceModels.load(store);
    for (const name of PHOTOS) {
      const image = await decodePng(await readFile(resolve(facesDir, name)));
      const frame: Frame = { ...image, sourceIndex: 0 };
      const [face] = await trackFaces(models, [frame], { clipId: name });
      parsed.set(name, { frame, face, map: parseFromMesh(face) });
    }
  });
  afterAll(() => store.dispose());

  it('lays out the astronaut\'s features: eyes above the nose, lips below, sides right', () => {
    const { map } = parsed.get('astronaut.png')!;
    const s = parsingStats(map);
    const y = (c: ParsingClass) => s[c].centroid![1];
    const x = (c: ParsingClass) => s[c].centroid![0];
    for (const eye of ['left_eye', 'right_eye'] as const) {
      expect(y(eye)).toBeLessThan(y('nose'));
      expect(y(`${eye.split('_')[0]}_brow` as ParsingClass)).toBeLessThan(y(eye));
    }
    expect(y('upper_lip')).toBeGreaterThan(y('nose'));
    expect(y('lower_lip')).toBeGreaterThan(y('upper_lip'));
    // A frontal, non-mirrored photo: the subject's right eye is on the image's left.
    expect(x('right_eye')).toBeLessThan(x('nose'));
    expect(x('left_eye')).toBeGreaterThan(x('nose'));
    // She smiles with her teeth showing.
    expect(s.inner_mouth.area).toBeGreaterThan(0.003);
  });

  it('is mostly skin inside the face oval', () => {
    for (const name of PHOTOS) {
      const s = parsingStats(parsed.get(name)!.map);
      const face = 1 - s.background.area;
      expect(face, name).toBeGreaterThan(0.2);
      expect(s.skin.area / face, name).toBeGreaterThan(0.75);
    }
  });

  /** Mean luma of the crop pixels under each label. */
  const lumaByLabel = (crop: Uint8Array, map: ParsingMap) => (label: number) => {
    let sum = 0;
    let n = 0;
    map.labels.forEach((l, p) => {
      if (l !== label) return;
      sum += 0.299 * crop[3 * p] + 0.587 * crop[3 * p + 1] + 0.114 * crop[3 * p + 2];
      n++;
    });
    return sum / n;
  };

  it('lines up with the photo: eye regions are darker than skin, on every photo', () => {
    for (const name of PHOTOS) {
      const { frame, face, map } = parsed.get(name)!;
      const luma = lumaByLabel(warpToFrame(frame, boxCropMap(face.box!, map.size), map.size, map.size).rgb, map);
      const skin = luma(PARSING_LABEL.skin);
      expect(luma(PARSING_LABEL.left_eye), name).toBeLessThan(0.8 * skin);
      expect(luma(PARSING_LABEL.right_eye), name).toBeLessThan(0.8 * skin);
    }
  });

  it('overlays the landmarks level\'s aligned crop when given its alignment map (eyes level)', () => {
    for (const name of PHOTOS) {
      const { frame, face } = parsed.get(name)!;
      const map = parseFromMesh(face, 224, alignmentMap(face, 224)!);
      const s = parsingStats(map);
      expect(Math.abs(s.left_eye.centroid![1] - s.right_eye.centroid![1]), name).toBeLessThan(4);
      const luma = lumaByLabel(alignedCrop(frame, face, 224).rgb, map);
      expect(luma(PARSING_LABEL.left_eye), name).toBeLessThan(0.8 * luma(PARSING_LABEL.skin));
    }
  });
});
