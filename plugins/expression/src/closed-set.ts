/**
 * Closed-set decision over class probabilities, with a known-ness score: the maximum softmax
 * probability (MSP, Hendrycks & Gimpel 2017), the standard open-set baseline. The open-set
 * plugin may threshold it; this module only reports it.
 */
import { errors } from '@visage/core';
import { closedSetChoice } from '@visage/core/metrics';
import type { ClassScores } from '@visage/core';

/** The decision for one clip. */
export interface ClosedSetDecision {
  /** Class with the highest probability. */
  label: string;
  /** Its probability. */
  probability: number;
  /** Known-ness: max softmax probability (equal to `probability` here), 1/K..1. */
  knownness: number;
  /** The (normalised) probabilities the decision was made on. */
  probabilities: ClassScores;
}

/**
 * Picks the arg-max class. `input: 'probabilities'` (default) expects non-negative scores and
 * renormalises them to sum 1; `input: 'logits'` applies a softmax first.
 */
export function decideClosedSet(scores: ClassScores, opts: { input?: 'probabilities' | 'logits' } = {}): ClosedSetDecision {
  const labels = Object.keys(scores);
  if (labels.length === 0) throw errors.faceInputMismatch('decideClosedSet', 'no classes');
  // One loop, not map() then some() and reduce(): map's result arrays come in more than one hidden
  // class, and expressionScores, where this is inlined, went back to the interpreter on "wrong map"
  // about once per 40 clips.
  let finite = true, negative = false, sum = 0;
  for (const k of labels) {
    const v = scores[k];
    if (!Number.isFinite(v)) finite = false;
    if (v < 0) negative = true;
    sum += v;
  }
  if (!finite) throw errors.faceInputMismatch('decideClosedSet', 'scores must be finite');
  if (opts.input !== 'logits') {
    if (negative) throw errors.faceInputMismatch('decideClosedSet', 'probabilities must be >= 0 (pass input: "logits" for raw scores)');
    if (sum <= 0) throw errors.faceInputMismatch('decideClosedSet', 'probabilities sum to 0');
  }
  const { label, probabilities, knownness } = closedSetChoice(scores, opts.input ?? 'probabilities');
  return { label: label!, probability: knownness, knownness, probabilities };
}
