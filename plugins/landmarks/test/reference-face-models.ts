/**
 * The face models' output post-processing as it was before issue 14's main-thread work (main
 * 4d3b656): BlazeFace's four raw outputs copied into a fresh [896, 17] array per image, then
 * decoded row by row; FaceMesh points mapped to the frame and into the crop with Math.hypot per
 * point. Kept verbatim
 * as the reference the new code must match (face-models-reference.test.ts) and as the "before"
 * rows of bench/levels/levels-js.bench.ts.
 */
import { type Affine, invertAffine } from '@visage/core/models';
import { BLAZEFACE_ANCHORS, type DecodeOptions, nonMaxSuppression, type RawDetection } from '../src/blazeface-decode.ts';
import { MESH_POINTS } from '../src/face-models.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The data of the output shaped [N, rows, cols]. */
function outputData(outputs: readonly { dims: readonly number[]; data: Float32Array }[], rows: number, cols: number): Float32Array {
  for (const o of outputs) if (o.dims[1] === rows && o.dims[2] === cols) return o.data;
  throw new Error(`blazeface output [N,${rows},${cols}] missing`);
}

/** The batch's outputs reassembled into [N, 896, 17] rows: [512 rows, 384 rows], score in column 0. */
export function referenceAssembleRows(outputs: { dims: readonly number[]; data: Float32Array }[], batch: number): Float32Array[] {
  const s512 = outputData(outputs, 512, 1), r512 = outputData(outputs, 512, 16);
  const s384 = outputData(outputs, 384, 1), r384 = outputData(outputs, 384, 16);
  const result: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const rows = new Float32Array(BLAZEFACE_ANCHORS * 17);
    for (let i = 0; i < 512; i++) {
      rows[i * 17] = s512[b * 512 + i];
      rows.set(r512.subarray((b * 512 + i) * 16, (b * 512 + i + 1) * 16), i * 17 + 1);
    }
    for (let i = 0; i < 384; i++) {
      const r = 512 + i;
      rows[r * 17] = s384[b * 384 + i];
      rows.set(r384.subarray((b * 384 + i) * 16, (b * 384 + i + 1) * 16), r * 17 + 1);
    }
    result.push(rows);
  }
  return result;
}

/** One image's [896, 17] rows decoded into boxes after greedy NMS. */
export function referenceDecodeRows(rows: Float32Array, anchors: Float32Array, opts: DecodeOptions = {}): RawDetection[] {
  const { minConfidence = 0.2, iouThreshold = 0.1, maxDetections = 1 } = opts;
  const candidates: RawDetection[] = [];
  for (let r = 0; r < BLAZEFACE_ANCHORS; r++) {
    const o = r * 17;
    const score = sigmoid(rows[o]);
    if (score < minConfidence) continue;
    const ax = anchors[2 * r], ay = anchors[2 * r + 1];
    const cx = rows[o + 1] + ax, cy = rows[o + 2] + ay;
    const w = rows[o + 3], h = rows[o + 4];
    const keypoints = new Float32Array(12);
    for (let k = 0; k < 6; k++) {
      keypoints[2 * k] = rows[o + 5 + 2 * k] + ax;
      keypoints[2 * k + 1] = rows[o + 6 + 2 * k] + ay;
    }
    candidates.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, keypoints, anchor: r });
  }
  return nonMaxSuppression(candidates, iouThreshold, maxDetections);
}

/** Face `k`'s points of a FaceMesh output, from crop pixels to the frame's pixels through `m`. */
export function referenceMeshToFrame(mesh: Float32Array, k: number, m: Affine): Float32Array {
  const pts = new Float32Array(MESH_POINTS * 3);
  for (let p = 0; p < MESH_POINTS; p++) {
    const o = k * MESH_POINTS * 3 + p * 3;
    pts[p * 3] = m[0] * mesh[o] + m[1] * mesh[o + 1] + m[2];
    pts[p * 3 + 1] = m[3] * mesh[o] + m[4] * mesh[o + 1] + m[5];
    pts[p * 3 + 2] = Math.hypot(m[0], m[3]) * mesh[o + 2];
  }
  return pts;
}

/** Source-frame points (x, y, z triples) mapped into the crop's pixel space. */
export function referenceToCropSpace(points: Float32Array, map: Affine): Float32Array {
  const inv = invertAffine(map);
  const out = new Float32Array(points.length);
  for (let p = 0; p < points.length; p += 3) {
    out[p] = inv[0] * points[p] + inv[1] * points[p + 1] + inv[2];
    out[p + 1] = inv[3] * points[p] + inv[4] * points[p + 1] + inv[5];
    out[p + 2] = points[p + 2] * Math.hypot(inv[0], inv[3]);
  }
  return out;
}
