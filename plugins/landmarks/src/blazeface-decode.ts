/**
 * BlazeFace (short-range, 256x256 input) output decoding, as in @vladmandic/human
 * `src/face/blazeface.ts` + `facemeshutil.ts`:
 * - the four raw outputs are the scores [N, 512, 1], [N, 384, 1] and regressors [N, 512, 16],
 *   [N, 384, 16] of the 512 stride-16 anchors and the 384 stride-32 anchors (anchor rows 0..511,
 *   then 512..895);
 * - a score is a logit; regressor columns 0..1 are the box centre offset from its anchor, 2..3 its
 *   size, 4..15 six keypoints (x, y) offset from the anchor, all in 256-px input units.
 * They are decoded where they lie: copying them into human's [896, 17] rows cost a fresh 61 kB
 * array per frame.
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

/** One detector call's raw outputs, by role, for every image of the batch. */
export interface BlazefaceOutputs {
  scores512: Float32Array;
  regressors512: Float32Array;
  scores384: Float32Array;
  regressors384: Float32Array;
}

/** The data of the output shaped [N, rows, cols]. */
function outputData(outputs: readonly { dims: readonly number[]; data: Float32Array }[], rows: number, cols: number): Float32Array {
  for (const o of outputs) if (o.dims[1] === rows && o.dims[2] === cols) return o.data;
  throw new Error(`blazeface output [N,${rows},${cols}] missing`);
}

/** The four raw outputs of a batch, matched by their row count (512 or 384) and width (1 score, 16 regressors). */
export function blazefaceOutputs(outputs: readonly { dims: readonly number[]; data: Float32Array }[]): BlazefaceOutputs {
  return {
    scores512: outputData(outputs, 512, 1),
    regressors512: outputData(outputs, 512, 16),
    scores384: outputData(outputs, 384, 1),
    regressors384: outputData(outputs, 384, 16),
  };
}

/**
 * Decodes image `image` of the batch into boxes after greedy NMS, highest score first, in
 * detector-input pixels.
 */
export function decodeBlazeface(outputs: BlazefaceOutputs, image: number, anchors: Float32Array, opts: DecodeOptions = {}): RawDetection[] {
  const { minConfidence = 0.2, iouThreshold = 0.1, maxDetections = 1 } = opts;
  const candidates: RawDetection[] = [];
  const { scores512, regressors512, scores384, regressors384 } = outputs;
  collectCandidates(candidates, scores512, regressors512, image * 512, 0, 512, anchors, minConfidence);
  collectCandidates(candidates, scores384, regressors384, image * 384, 512, 384, anchors, minConfidence);
  return nonMaxSuppression(candidates, iouThreshold, maxDetections);
}

/**
 * Pushes the candidates among `count` anchors from `firstAnchor` on, whose logits are
 * `scores[offset..offset + count)` and regressors the matching 16-wide rows of `regressors`.
 */
function collectCandidates(
  candidates: RawDetection[], scores: Float32Array, regressors: Float32Array, offset: number,
  firstAnchor: number, count: number, anchors: Float32Array, minConfidence: number,
): void {
  // Logits far enough under the threshold's logit skip the exp. The margin moves the score by at
  // least 1e-8 (the sigmoid's slope is >= 0.0099 here), far above its rounding, so the kept set
  // is the one the sigmoid test alone gives.
  const skipBelow = minConfidence > 0 && minConfidence <= 0.99 ? Math.log(minConfidence / (1 - minConfidence)) - 1e-6 : -Infinity;
  for (let i = 0; i < count; i++) {
    const logit = scores[offset + i];
    if (logit < skipBelow) continue;
    const score = sigmoid(logit);
    if (score < minConfidence) continue;
    const r = firstAnchor + i;
    const o = (offset + i) * 16;
    const ax = anchors[2 * r], ay = anchors[2 * r + 1];
    const cx = regressors[o] + ax, cy = regressors[o + 1] + ay;
    const w = regressors[o + 2], h = regressors[o + 3];
    const keypoints = new Float32Array(12);
    for (let k = 0; k < 6; k++) {
      keypoints[2 * k] = regressors[o + 4 + 2 * k] + ax;
      keypoints[2 * k + 1] = regressors[o + 5 + 2 * k] + ay;
    }
    candidates.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, keypoints, anchor: r });
  }
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
