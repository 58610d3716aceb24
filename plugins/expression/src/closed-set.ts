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
  const values = labels.map((k) => scores[k]);
  if (labels.length === 0) throw errors.faceInputMismatch('decideClosedSet', 'no classes');
  if (values.some((v) => !Number.isFinite(v))) throw errors.faceInputMismatch('decideClosedSet', 'scores must be finite');
  if (opts.input !== 'logits') {
    if (values.some((v) => v < 0)) throw errors.faceInputMismatch('decideClosedSet', 'probabilities must be >= 0 (pass input: "logits" for raw scores)');
    if (values.reduce((a, b) => a + b, 0) <= 0) throw errors.faceInputMismatch('decideClosedSet', 'probabilities sum to 0');
  }
  const { label, probabilities, knownness } = closedSetChoice(scores, opts.input ?? 'probabilities');
  return { label: label!, probability: knownness, knownness, probabilities };
}
