/**
 * The built-in describer on a real face: the astronaut photo warped so its lip corners pull up and
 * outward over 8 frames, run through the real landmarks models (plugins/landmarks), and the same
 * photo held still with small camera shifts.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '@visage/core';
import { OnnxSessionStore } from '@visage/core/models';
import { FaceModels, trackFaces } from '@visage/landmarks';
import { ACTION_UNITS, computeActionUnits } from '../src/action-units.ts';
import { NO_CHANGE_SENTENCE, describeActionUnits } from '../src/au-describer.ts';
import { renderAuPlot } from '../src/au-plot.ts';
import { EYE_OUTER, LIP_CORNER } from '../src/mesh-indices.ts';
import { pullLipCorners } from './helpers/smile-warp.ts';

const ASTRONAUT = resolve(import.meta.dirname, '../../../../shared/data/faces/astronaut.png');
// Outside CI a checkout without the shared media skips; in CI the missing file fails the test.
const needsMedia = existsSync(ASTRONAUT) || process.env.CI === 'true' ? describe : describe.skip;

async function loadRegion(left = 0, top = 0, size?: number): Promise<Frame> {
  let img = sharp(ASTRONAUT).removeAlpha();
  if (size) img = img.extract({ left, top, width: size, height: size });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data), sourceIndex: 0 };
}

/** Spearman-free monotonicity: the fraction of frame pairs (i < j) with v[i] <= v[j] + tol. */
function orderedPairs(v: number[], tol: number): number {
  let ok = 0, all = 0;
  for (let i = 0; i < v.length; i++) for (let j = i + 1; j < v.length; j++) { all++; if (v[i] <= v[j] + tol) ok++; }
  return ok / all;
}

needsMedia('action units on a real face mesh', () => {
  let store: OnnxSessionStore;
  let models: FaceModels;
  beforeAll(async () => {
    store = new OnnxSessionStore();
    models = await FaceModels.load(store);
  });
  afterAll(async () => { await store?.dispose(); });

  it('reports AU12 rising when the lip corners are warped up and outward', async () => {
    const photo = await loadRegion();
    const [first] = await trackFaces(models, [photo]);
    const m = first.mesh!;
    const pt = (i: number): [number, number] => [m[i * 3], m[i * 3 + 1]];
    const iod = Math.hypot(pt(EYE_OUTER.left)[0] - pt(EYE_OUTER.right)[0], pt(EYE_OUTER.left)[1] - pt(EYE_OUTER.right)[1]);
    const T = 8;
    const frames = Array.from({ length: T }, (_, t) => ({
      ...pullLipCorners(photo, { right: pt(LIP_CORNER.right), left: pt(LIP_CORNER.left) }, (t / (T - 1)) * 0.15 * iod, 0.2 * iod),
      sourceIndex: t,
    }));
    const faces = await trackFaces(models, frames);
    expect(faces.every((f) => f.mesh !== null)).toBe(true);

    const s = computeActionUnits(faces);
    const au12 = s.intensity.AU12;
    expect(s.neutralFrame).toBe(0);
    expect(au12[T - 1] - au12[0]).toBeGreaterThan(0.4);
    expect(orderedPairs(au12, 0.05)).toBe(1);
    expect(Math.max(...s.intensity.AU15)).toBeLessThan(0.1); // the corners do not go down
    expect(Math.max(...s.intensity.AU1, ...s.intensity.AU2)).toBeLessThan(0.1); // the brows are untouched

    const sentences = describeActionUnits(s);
    expect(sentences).toContain('The lip corners pull up and outward from frame 1 to frame 8.');
    expect(sentences.join(' ')).not.toMatch(/brows rise|lip corners pull down/);

    const png = await renderAuPlot(s);
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('reports no change on a still face seen through small camera shifts', async () => {
    const frames = await Promise.all(Array.from({ length: 8 }, (_, t) => loadRegion(10 + ((t * 3) % 7), 10 + ((t * 5) % 9), 480)));
    const faces = await trackFaces(models, frames);
    const s = computeActionUnits(faces);
    for (const au of ACTION_UNITS) expect(Math.max(...s.intensity[au]), au).toBeLessThan(0.2);
    expect(describeActionUnits(s)).toEqual([NO_CHANGE_SENTENCE]);
  });
});
