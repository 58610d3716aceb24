import { describe, expect, it } from 'vitest';
import { PARSING_CLASSES, PARSING_LABEL } from '../src/classes.ts';
import { LOWER_LIP } from '../src/mesh-regions.ts';
import { parseFromMesh } from '../src/parse-from-mesh.ts';
import { classArea, parsingStats } from '../src/parsing-stats.ts';
import { canonicalFace } from './canonical-face.ts';

describe('parseFromMesh on the canonical face', () => {
  const map = parseFromMesh(canonicalFace(40, 30, 300));
  const stats = parsingStats(map);
  const cy = (name: keyof typeof stats) => stats[name].centroid![1];
  const cx = (name: keyof typeof stats) => stats[name].centroid![0];

  it('is a 224 x 224 map that uses every feature class', () => {
    expect(map.size).toBe(224);
    expect(map.labels.length).toBe(224 * 224);
    for (const name of PARSING_CLASSES) {
      if (name === 'inner_mouth') continue; // the canonical mouth is closed
      expect(stats[name].area, name).toBeGreaterThan(0);
    }
  });

  it('classArea gives each class\'s area exactly as parsingStats does', () => {
    for (const name of PARSING_CLASSES) expect(classArea(map, name), name).toBe(stats[name].area);
    expect(classArea(map, 'skin')).toBeGreaterThan(0.1);
  });

  it('places the features in anatomical order', () => {
    expect(cy('left_brow')).toBeLessThan(cy('left_eye'));
    expect(cy('right_brow')).toBeLessThan(cy('right_eye'));
    expect(cy('left_eye')).toBeLessThan(cy('nose'));
    expect(cy('right_eye')).toBeLessThan(cy('nose'));
    expect(cy('nose')).toBeLessThan(cy('upper_lip'));
    expect(cy('upper_lip')).toBeLessThan(cy('lower_lip'));
    // Subject's right eye is on the image's left for a non-mirrored face.
    expect(cx('right_eye')).toBeLessThan(112);
    expect(cx('left_eye')).toBeGreaterThan(112);
    expect(cx('right_brow')).toBeLessThan(112);
    expect(cx('left_brow')).toBeGreaterThan(112);
    expect(Math.abs(cx('nose') - 112)).toBeLessThan(3);
  });

  it('is mostly skin inside the face oval, and background outside it', () => {
    const faceArea = 1 - stats.background.area;
    expect(stats.skin.area / faceArea).toBeGreaterThan(0.8);
    // The corners of the crop are outside the oval.
    for (const p of [0, 223, 223 * 224, 224 * 224 - 1]) expect(map.labels[p]).toBe(PARSING_LABEL.background);
  });

  it('depends only on the face in its box: moved and rescaled faces give the same map', () => {
    const moved = parseFromMesh(canonicalFace(517, 211, 300));
    expect(moved.labels).toEqual(map.labels);
    const scaled = parseFromMesh(canonicalFace(10, 10, 900));
    let differ = 0;
    for (let p = 0; p < map.labels.length; p++) if (scaled.labels[p] !== map.labels[p]) differ++;
    expect(differ / map.labels.length).toBeLessThan(0.002); // float rounding on region borders only
  });

  it('follows a mirrored face: the subject-right eye moves to the image right', () => {
    const mirrored = parsingStats(parseFromMesh(canonicalFace(40, 30, 300, true)));
    expect(mirrored.right_eye.centroid![0]).toBeGreaterThan(112);
    expect(mirrored.left_eye.centroid![0]).toBeLessThan(112);
  });

  it('labels an open mouth as inner_mouth, growing with the opening', () => {
    const areas = [0, 10, 25].map((drop) => {
      const face = canonicalFace(40, 30, 300);
      // Lower the lower lip (its inner and outer contours, not the corners) by `drop` pixels.
      const corners = new Set([61, 291, 78, 308]);
      const lowerLip = new Set(LOWER_LIP.filter((k) => !corners.has(k)));
      for (const k of lowerLip) face.mesh![3 * k + 1] += drop;
      return parsingStats(parseFromMesh(face)).inner_mouth.area;
    });
    expect(areas[1]).toBeGreaterThan(areas[0]);
    expect(areas[2]).toBeGreaterThan(areas[1] * 1.8);
  });

  it('uses a given crop map: a rotated face under the matching rotated map parses upright', () => {
    const theta = (25 * Math.PI) / 180;
    const [cx, cy, side] = [190, 180, 300]; // centre and side of canonicalFace(40, 30, 300)'s box
    const face = canonicalFace(40, 30, 300);
    const mesh = face.mesh!;
    for (let k = 0; k < 468; k++) {
      const dx = mesh[3 * k] - cx;
      const dy = mesh[3 * k + 1] - cy;
      mesh[3 * k] = cx + Math.cos(theta) * dx - Math.sin(theta) * dy;
      mesh[3 * k + 1] = cy + Math.sin(theta) * dx + Math.cos(theta) * dy;
    }
    const s = side / 224;
    const c = Math.cos(theta) * s;
    const n = Math.sin(theta) * s;
    const upright = parseFromMesh(face, 224, [c, -n, cx - c * 112 + n * 112, n, c, cy - n * 112 - c * 112]);
    let differ = 0;
    for (let p = 0; p < map.labels.length; p++) if (upright.labels[p] !== map.labels[p]) differ++;
    expect(differ / map.labels.length).toBeLessThan(0.002);
    // Without the map, the same face is parsed tilted.
    const tilted = parsingStats(parseFromMesh(face));
    expect(tilted.left_eye.centroid![1] - tilted.right_eye.centroid![1]).toBeGreaterThan(20);
  });

  it('honours the map size', () => {
    const big = parseFromMesh(canonicalFace(40, 30, 300), 448);
    const bigStats = parsingStats(big);
    expect(big.labels.length).toBe(448 * 448);
    expect(Math.abs(bigStats.skin.area - stats.skin.area)).toBeLessThan(0.005);
  });
});

describe('parseFromMesh edge cases', () => {
  it('returns an all-background map for a frame without a face', () => {
    const map = parseFromMesh({ box: null, score: 0, mesh: null });
    expect(map.labels.every((l) => l === 0)).toBe(true);
    const noArea = parseFromMesh({ box: [5, 5, 5, 9], score: 1, mesh: canonicalFace(0, 0, 10).mesh });
    expect(noArea.labels.every((l) => l === 0)).toBe(true);
  });

  it('rejects a bad size with PARSING_SIZE_INVALID', () => {
    const face = canonicalFace(0, 0, 100);
    for (const size of [0, 3.5, -224, 100000]) {
      expect(() => parseFromMesh(face, size)).toThrow(expect.objectContaining({ code: 'PARSING_SIZE_INVALID' }));
    }
  });
});
