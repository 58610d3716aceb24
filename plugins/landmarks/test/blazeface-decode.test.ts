import { describe, expect, it } from 'vitest';
import { BLAZEFACE_ANCHORS, blazefaceOutputs, decodeBlazeface, generateAnchors, nonMaxSuppression } from '../src/blazeface-decode.ts';
import { type Box, enlargeToSquare, iou, lerpBox } from '../src/box.ts';

const logit = (p: number) => Math.log(p / (1 - p));

describe('blazeface anchors', () => {
  it('has 16x16x2 stride-16 anchors then 8x8x6 stride-32 anchors, centred in their cells', () => {
    const a = generateAnchors(256);
    expect(a.length / 2).toBe(BLAZEFACE_ANCHORS);
    expect([...a.subarray(0, 6)]).toEqual([8, 8, 8, 8, 24, 8]); // cell (0,0) twice, then (1,0)
    expect([a[2 * 511], a[2 * 511 + 1]]).toEqual([248, 248]);
    expect([a[2 * 512], a[2 * 512 + 1]]).toEqual([16, 16]);
    for (let k = 512; k < 518; k++) expect([a[2 * k], a[2 * k + 1]]).toEqual([16, 16]); // 6 per cell
    expect([a[2 * 895], a[2 * 895 + 1]]).toEqual([240, 240]);
  });
});

describe('decodeBlazeface', () => {
  const anchors = generateAnchors(256);
  /** One image's raw outputs: every logit -10 (sigmoid ~ 4.5e-5) but the entries'. */
  function outputsWith(entries: { r: number; p: number; dx: number; dy: number; w: number; h: number }[]) {
    const scores = new Float32Array(BLAZEFACE_ANCHORS).fill(-10);
    const regressors = new Float32Array(BLAZEFACE_ANCHORS * 16);
    for (const e of entries) {
      scores[e.r] = logit(e.p);
      regressors.set([e.dx, e.dy, e.w, e.h], e.r * 16);
      for (let k = 0; k < 6; k++) regressors.set([k, -k], e.r * 16 + 4 + 2 * k);
    }
    return blazefaceOutputs([
      { dims: [1, 512, 1], data: scores.slice(0, 512) }, { dims: [1, 512, 16], data: regressors.slice(0, 512 * 16) },
      { dims: [1, 384, 1], data: scores.slice(512) }, { dims: [1, 384, 16], data: regressors.slice(512 * 16) },
    ]);
  }

  it('decodes centre offset + anchor and size into a box, and keypoints relative to the anchor', () => {
    const r = 600; // a stride-32 anchor
    const [ax, ay] = [anchors[2 * r], anchors[2 * r + 1]];
    const [d] = decodeBlazeface(outputsWith([{ r, p: 0.9, dx: 3, dy: -2, w: 40, h: 50 }]), 0, anchors);
    expect(d.anchor).toBe(r);
    expect(d.score).toBeCloseTo(0.9, 6);
    expect(d.box).toEqual([ax + 3 - 20, ay - 2 - 25, ax + 3 + 20, ay - 2 + 25].map((v) => expect.closeTo(v, 4)));
    expect(d.keypoints[4]).toBeCloseTo(ax + 2, 5); // keypoint 2 = (2, -2) + anchor
    expect(d.keypoints[5]).toBeCloseTo(ay - 2, 5);
  });

  it('drops low scores and suppresses overlapping boxes (greedy, best first)', () => {
    const outputs = outputsWith([
      { r: 100, p: 0.8, dx: 0, dy: 0, w: 40, h: 40 },
      { r: 101, p: 0.95, dx: 0, dy: 0, w: 40, h: 40 }, // same anchor cell: overlaps r=100
      { r: 700, p: 0.6, dx: 0, dy: 0, w: 30, h: 30 }, // far away
      { r: 300, p: 0.1, dx: 0, dy: 0, w: 30, h: 30 }, // under minConfidence
    ]);
    const dets = decodeBlazeface(outputs, 0, anchors, { maxDetections: 5 });
    expect(dets.map((d) => d.anchor)).toEqual([101, 700]);
    expect(decodeBlazeface(outputs, 0, anchors).map((d) => d.anchor)).toEqual([101]); // human's maxDetected 1
  });

  it('NMS keeps boxes whose IoU is at or under the threshold', () => {
    const a = { box: [0, 0, 10, 10] as Box, score: 0.9 };
    const b = { box: [5, 0, 15, 10] as Box, score: 0.8 }; // IoU 1/3
    expect(nonMaxSuppression([a, b], 0.3, 5)).toEqual([a]);
    expect(nonMaxSuppression([b, a], 0.34, 5)).toEqual([a, b]);
  });

  it('finds the four raw outputs by shape, whatever their order, and reads image b of a batch at its own rows', () => {
    const s512 = new Float32Array(1024).fill(-10), r512 = new Float32Array(2 * 512 * 16);
    const s384 = new Float32Array(768).fill(-10), r384 = new Float32Array(2 * 384 * 16);
    s512[512 + 7] = logit(0.9); // image 1, anchor 7
    r512.set([1, 2, 30, 40], (512 + 7) * 16);
    s384[20] = logit(0.8); // image 0, anchor 512 + 20
    r384.set([-1, -2, 10, 20], 20 * 16);
    const outputs = blazefaceOutputs([
      { dims: [2, 384, 16], data: r384 }, { dims: [2, 512, 1], data: s512 },
      { dims: [2, 384, 1], data: s384 }, { dims: [2, 512, 16], data: r512 },
    ]);
    const [first] = decodeBlazeface(outputs, 0, anchors);
    const [second] = decodeBlazeface(outputs, 1, anchors);
    expect(first.anchor).toBe(532);
    expect(first.box).toEqual([anchors[1064] - 1 - 5, anchors[1065] - 2 - 10, anchors[1064] - 1 + 5, anchors[1065] - 2 + 10]);
    expect(second.anchor).toBe(7);
    expect(second.box).toEqual([anchors[14] + 1 - 15, anchors[15] + 2 - 20, anchors[14] + 1 + 15, anchors[15] + 2 + 20]);
    expect(() => blazefaceOutputs([{ dims: [2, 512, 1], data: s512 }])).toThrow(/\[N,512,16\] missing/);
  });
});

describe('boxes', () => {
  it('computes IoU, square enlargement and interpolation', () => {
    expect(iou([0, 0, 10, 10], [5, 5, 15, 15])).toBeCloseTo(25 / 175, 10);
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(enlargeToSquare([10, 20, 30, 60], 1.4)).toEqual([-8, 12, 48, 68].map((v) => expect.closeTo(v, 10)));
    expect(lerpBox([0, 0, 10, 10], [10, 10, 30, 30], 0.25)).toEqual([2.5, 2.5, 15, 15]);
  });
});
