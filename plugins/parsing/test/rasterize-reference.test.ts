/**
 * The active-edge fillPolygon and the word-at-a-time classArea give, bit for bit, what the
 * versions before them gave (reference-parsing.ts): on every region of real meshes (the landmarks
 * level on 16 frames of the bundled sample and of the shared Megamind.avi) and on edge cases
 * (vertices on pixel centres and edges, horizontal and degenerate edges, self-intersections,
 * polygons partly or wholly off the raster, huge and non-finite coordinates, unaligned maps).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxSessionStore } from '@visage/core/models';
import { mulberry32 } from '@visage/core/testing';
import { readClip } from '@visage/core/media';
import type { FaceFrame } from '@visage/core';
import { alignmentMap, FaceModels, trackFaces } from '@visage/landmarks';
import { meshToCrop } from '../src/aligned-crop.ts';
import { PARSING_CLASSES, PARSING_LABEL, type ParsingMap } from '../src/classes.ts';
import { MESH_REGION_ORDER } from '../src/mesh-regions.ts';
import { parseFromMesh } from '../src/parse-from-mesh.ts';
import { classArea } from '../src/parsing-stats.ts';
import { fillPolygon } from '../src/rasterize.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../../../test/helpers/shared-data.ts';
import { referenceClassArea, referenceFillPolygon } from './reference-parsing.ts';

/** Both fills of one polygon on copies of `base`; the raster bytes must agree. */
function expectSameFill(base: Uint8Array, size: number, points: ArrayLike<number>, polygon: readonly number[], what: string): void {
  const mine = base.slice();
  const theirs = base.slice();
  fillPolygon(mine, size, points, polygon, 7);
  referenceFillPolygon(theirs, size, points, polygon, 7);
  expect(Buffer.from(mine).equals(Buffer.from(theirs)), what).toBe(true);
}

const clips = [path.join(REPO_ROOT, 'samples/astronaut.mp4'), ...(haveShared('faces/Megamind.avi') ? [path.join(FACES_DIR, 'Megamind.avi')] : [])];

describe('parsing on real meshes, against the previous implementation', () => {
  const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
  const faces: { clip: string; face: FaceFrame }[] = [];
  beforeAll(async () => {
    const models = await FaceModels.load(store);
    for (const clip of clips) {
      const { frames } = await readClip(clip, { frames: 16 });
      for (const face of await trackFaces(models, frames, { allowNoFace: true })) faces.push({ clip: path.basename(clip), face });
    }
  });
  afterAll(() => store.dispose());

  it('fills every region of every frame to the same pixels, over the regions filled before it', () => {
    const withMesh = faces.filter((f) => f.face.mesh && f.face.box);
    expect(withMesh.length).toBeGreaterThanOrEqual(16 * clips.length - 2);
    for (const [k, { clip, face }] of withMesh.entries()) {
      for (const size of [224, 97]) {
        const points = meshToCrop(face.mesh!, alignmentMap(face, size)!);
        const labels = new Uint8Array(size * size);
        for (const region of MESH_REGION_ORDER) {
          expectSameFill(labels, size, points, region.polygon, `${clip} face ${k} ${region.label} at ${size}`);
          referenceFillPolygon(labels, size, points, region.polygon, MESH_REGION_ORDER.indexOf(region) + 1);
        }
      }
    }
  });

  it('parses every frame to the map the previous fill gave, call after call (the crop points are reused)', () => {
    for (const [k, { clip, face }] of faces.entries()) {
      const cropMap = alignmentMap(face, 224) ?? undefined;
      const map = parseFromMesh(face, 224, cropMap);
      const reference = new Uint8Array(224 * 224);
      if (face.mesh && face.box) {
        const points = meshToCrop(face.mesh, cropMap!);
        for (const r of MESH_REGION_ORDER) referenceFillPolygon(reference, 224, points, r.polygon, PARSING_LABEL[r.label]);
      }
      expect(Buffer.from(map.labels).equals(Buffer.from(reference)), `${clip} frame ${k}`).toBe(true);
    }
  });

  it('counts every class of the parsed maps as the byte loop does', () => {
    let skin = 0;
    for (const { face } of faces) {
      const map = parseFromMesh(face, 224, alignmentMap(face, 224) ?? undefined);
      for (const name of PARSING_CLASSES) expect(classArea(map, name), name).toBe(referenceClassArea(map, name));
      skin += classArea(map, 'skin');
    }
    expect(skin / faces.length).toBeGreaterThan(0.2); // real faces, not empty maps
  });
});

describe('fillPolygon edge cases, against the previous implementation', () => {
  it('fills squares and diamonds whose vertices lie on pixel centres, pixel edges and near them', () => {
    const size = 16;
    const base = new Uint8Array(size * size);
    for (const o of [0, 0.5, 1, 1e-9, -1e-9, 0.5 + 1e-12, 0.5 - 1e-12, 2 ** -40]) {
      expectSameFill(base, size, [2 + o, 2 + o, 9 + o, 2 + o, 9 + o, 9 + o, 2 + o, 9 + o], [0, 1, 2, 3], `square +${o}`);
      expectSameFill(base, size, [8 + o, 1.5, 14.5, 8 + o, 8 + o, 14.5, 1.5, 8 + o], [0, 1, 2, 3], `diamond +${o}`);
    }
  });

  it('fills degenerate, self-intersecting and off-raster polygons the same', () => {
    const size = 20;
    const base = new Uint8Array(size * size).fill(3);
    const cases: [string, number[], number[]][] = [
      ['two vertices', [1, 1, 9, 9], [0, 1]],
      ['all on one row', [1, 4.5, 9, 4.5, 15, 4.5], [0, 1, 2]],
      ['a zero-area sliver', [1, 1, 5, 5, 9, 9], [0, 1, 2]],
      ['a repeated vertex', [1, 1, 9, 2, 9, 2, 3, 12], [0, 1, 2, 3]],
      ['a bow tie', [1, 1, 15, 15, 15, 1, 1, 15], [0, 1, 2, 3]],
      ['a star (even-odd holes)', [10, 0, 13, 19, 1, 7, 19, 7, 7, 19], [0, 1, 2, 3, 4]],
      ['wholly above', [1, -9, 9, -9, 5, -1], [0, 1, 2]],
      ['wholly below', [1, 29, 9, 29, 5, 21], [0, 1, 2]],
      ['wholly left', [-9, 1, -1, 9, -5, 18], [0, 1, 2]],
      ['across every side', [-5, -5, 25, -3, 27, 26, -4, 24], [0, 1, 2, 3]],
      ['bottom edge on the last row centre', [2, 2, 12, 2, 12, 19.5, 2, 19.5], [0, 1, 2, 3]],
      ['huge coordinates', [-1e200, -1e200, 1e200, 3, 4, 1e200], [0, 1, 2]],
      ['coordinates whose products overflow', [-1e300, 2, 1e300, 2.5, 0, 1e300, 5, -1e300], [0, 1, 2, 3]],
      ['a NaN vertex', [1, 1, 9, NaN, 5, 15], [0, 1, 2]],
      ['an infinite vertex', [1, 1, 9, Infinity, 5, 15], [0, 1, 2]],
      ['indices reused out of order', [1, 1, 17, 3, 9, 18, 2, 11], [3, 0, 2, 1, 0, 2]],
    ];
    for (const [what, points, polygon] of cases) expectSameFill(base, size, points, polygon, what);
  });

  it('fills seeded random polygons on small and odd rasters the same', () => {
    const next = mulberry32(14);
    for (let trial = 0; trial < 400; trial++) {
      const size = 8 + Math.floor(next() * 40);
      const n = 3 + Math.floor(next() * 40);
      const grid = trial % 3 === 0; // vertices on the half-pixel grid: many exact ties with row centres
      const points = Array.from({ length: 2 * n }, () => {
        const v = next() * (size + 10) - 5;
        return grid ? Math.round(v * 2) / 2 : v;
      });
      const polygon = Array.from({ length: n }, (_, k) => k);
      expectSameFill(new Uint8Array(size * size), size, points, polygon, `trial ${trial}`);
    }
  });

  it('fills seeded polygons whose crossings overflow to infinities and NaN the same', () => {
    const next = mulberry32(308);
    for (let trial = 0; trial < 300; trial++) {
      const size = 8 + Math.floor(next() * 12);
      const n = 3 + Math.floor(next() * 8);
      // x at +-1e308 makes x_b - x_a infinite; a vertex on a row centre then gives 0 * Infinity.
      const points = Array.from({ length: n }, () => [next() < 0.5 ? (next() < 0.5 ? -1e308 : 1e308) : next() * size, Math.round(next() * 2 * size) / 2]).flat();
      expectSameFill(new Uint8Array(size * size), size, points, Array.from({ length: n }, (_, k) => k), `trial ${trial}`);
    }
  });

  it('gives later calls with fewer vertices the right result after a larger polygon grew its scratch space', () => {
    const big = Array.from({ length: 400 }, (_, k) => [50 + 40 * Math.cos(k / 31.8), 50 + 40 * Math.sin(k / 31.8)]).flat();
    expectSameFill(new Uint8Array(100 * 100), 100, big, Array.from({ length: 200 }, (_, k) => k), 'circle of 200 vertices');
    expectSameFill(new Uint8Array(100 * 100), 100, [10, 10, 90, 20, 40, 80], [0, 1, 2], 'triangle after it');
  });
});

describe('classArea edge cases, against the byte loop', () => {
  it('counts maps at every byte offset and odd sizes, every label value', () => {
    const next = mulberry32(7);
    for (const size of [1, 2, 3, 5, 8, 13, 224]) {
      for (let offset = 0; offset < 4; offset++) {
        const buffer = new Uint8Array(offset + size * size + 3);
        for (let i = 0; i < buffer.length; i++) buffer[i] = next() < 0.4 ? 1 : Math.floor(next() * (next() < 0.5 ? 12 : 256));
        const map: ParsingMap = { size, labels: buffer.subarray(offset, offset + size * size) };
        for (const name of PARSING_CLASSES) expect(classArea(map, name), `${name} size ${size} offset ${offset}`).toBe(referenceClassArea(map, name));
      }
    }
  });

  it('counts all-label and no-label maps exactly (every byte counter at its limit)', () => {
    for (const size of [31, 224, 1024]) {
      for (const fill of [0, 1, 9, 128, 129, 137, 255]) { // 128 + label: that label with the top bit set
        const map: ParsingMap = { size, labels: new Uint8Array(size * size).fill(fill) };
        for (const name of PARSING_CLASSES) expect(classArea(map, name), `${name} in a ${size}-map of ${fill}`).toBe(referenceClassArea(map, name));
      }
    }
  });
});
