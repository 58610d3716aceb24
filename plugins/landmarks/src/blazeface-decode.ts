/**
 * BlazeFace (short-range, 256x256 input) output decoding, as in @vladmandic/human
 * `src/face/blazeface.ts` + `facemeshutil.ts`:
 * - the four raw outputs, sorted by size, are the scores and regressors of the 512 stride-16
 *   anchors and the 384 stride-32 anchors; rows are concatenated as [512 rows, 384 rows] x 17;
 * - column 0 is a logit; columns 1..2 the box centre offset from its anchor, 3..4 its size,
 *   5..16 six keypoints (x, y) offset from the anchor, all in 256-px input units.
 */
import { type Box, iou } from './box.ts';

/** Detector input side. */
export const BLAZEFACE_SIZE = 256;
/** Rows of the decoded output: 16*16*2 + 8*8*6. */
export const BLAZEFACE_ANCHORS = 896;

/** Anchor centres (x, y) in input pixels: strides [16, 32], anchors per cell [2, 6]. */
export function generateAnchors(inputSize = BLAZEFACE_SIZE): Float32Array {
  const spec = [{ stride: inputSize / 16, perCell: 2 }, { stride: inputSize / 8, perCell: 6 }];
  const out: number[] = [];
  for (const { stride, perCell } of spec) {
    const cells = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++) {
        for (let n = 0; n < perCell; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

/** One decoded candidate in detector-input pixels. */
export interface RawDetection {
  box: Box;
  score: number;
  /** 6 keypoints (right eye, left eye, nose, mouth, right ear, left ear) as x, y pairs. */
  keypoints: Float32Array;
  /** Row index into the 896 anchors. */
  anchor: number;
}

/** Options of `decodeBlazeface`. */
export interface DecodeOptions {
  /** Minimum sigmoid score to keep a candidate (human: 0.2). */
  minConfidence?: number;
  /** NMS IoU threshold (human: 0.1). */
  iouThreshold?: number;
  /** How many faces to keep after NMS (human: 1). */
  maxDetections?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Decodes one image's [896, 17] rows (see file comment) into boxes after greedy NMS, highest
 * score first, in detector-input pixels.
 */
export function decodeBlazeface(rows: Float32Array, anchors: Float32Array, opts: DecodeOptions = {}): RawDetection[] {
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

// Hot per-frame code uses module-level functions and plain loops, not closures made per call: V8
// drops a dead closure's optimized code at a full GC, so per-call closures were compiled again
// every few clips (README, "Face models and plumbing per clip").
const byScoreDescending = (a: { score: number }, b: { score: number }) => b.score - a.score;

/** Greedy NMS (tf.image.nonMaxSuppression semantics: drop a box whose IoU with a kept one > threshold). */
export function nonMaxSuppression<T extends { box: Box; score: number }>(items: T[], iouThreshold: number, max: number): T[] {
  const sorted = [...items].sort(byScoreDescending);
  const kept: T[] = [];
  for (const c of sorted) {
    if (kept.length >= max) break;
    if (overlapsNone(kept, c.box, iouThreshold)) kept.push(c);
  }
  return kept;
}

function overlapsNone(kept: readonly { box: Box }[], box: Box, iouThreshold: number): boolean {
  for (const k of kept) if (!(iou(k.box, box) <= iouThreshold)) return false;
  return true;
}

/** The data of the output shaped [N, rows, cols]. */
function outputData(outputs: readonly { dims: readonly number[]; data: Float32Array }[], rows: number, cols: number): Float32Array {
  for (const o of outputs) if (o.dims[1] === rows && o.dims[2] === cols) return o.data;
  throw new Error(`blazeface output [N,${rows},${cols}] missing`);
}

/**
 * Reassembles the four raw blazeface outputs of a batch into [N, 896, 17] rows:
 * outputs are matched by their row count (512 or 384) and width (1 scores, 16 regressors).
 */
export function assembleRows(outputs: { dims: readonly number[]; data: Float32Array }[], batch: number): Float32Array[] {
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
