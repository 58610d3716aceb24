/**
 * The expression level for one clip: per-frame CNN scores on the aligned face crops, fused over
 * the frames with a face (weight = the face's confidence), and the closed-set decision.
 */
import { errors } from '@visage/core';
import type { ClassScores, FaceFrame, Frame } from '@visage/core';
import { type ClosedSetDecision, decideClosedSet } from './closed-set.ts';
import { type FusionMode, fuseOverTime } from './temporal-fusion.ts';

/** Result of `expressionScores`. */
export interface ExpressionResult {
  /** Per frame: class probabilities, or null for a frame without a face. */
  perFrame: (ClassScores | null)[];
  /** Per frame fusion weight (the face score; 0 without a face). */
  weights: number[];
  /** Fused clip scores; null when no frame has a face. */
  fused: ClassScores | null;
  /** Closed-set decision on `fused`; null when no frame has a face. */
  decision: ClosedSetDecision | null;
}

/** Anything that turns face crops into class probabilities (the FER2013 CNN, face-api's model). */
export interface CropClassifier {
  classify(crops: Frame[]): Promise<ClassScores[]>;
}

/**
 * Classifies the face crops of one clip (`crops[t]` belongs to `faces[t]`; frames whose face has
 * no box are skipped) and fuses them over time.
 */
export async function expressionScores(
  classifier: CropClassifier,
  crops: Frame[],
  faces: FaceFrame[],
  opts: { fusion?: FusionMode } = {},
): Promise<ExpressionResult> {
  if (crops.length !== faces.length) throw errors.faceInputMismatch('expressionScores', `${crops.length} crops but ${faces.length} faces`);
  const withFace = faces.flatMap((f, t) => (f.box ? [t] : []));
  const scores = await classifier.classify(withFace.map((t) => crops[t]));
  const perFrame: (ClassScores | null)[] = faces.map(() => null);
  withFace.forEach((t, i) => (perFrame[t] = scores[i]));
  const weights = faces.map((f) => (f.box ? f.score : 0));
  const fused = fuseOverTime(perFrame, weights, opts.fusion);
  return { perFrame, weights, fused, decision: fused ? decideClosedSet(fused) : null };
}
