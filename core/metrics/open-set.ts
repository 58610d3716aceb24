/** All open-set numbers of one evaluation in one call (the HESP report: Acc, AUROC, OSCR). */
import { auroc, aurocArpl } from './auroc.ts';
import { oscr, type KnownSamples } from './oscr.ts';

export interface OpenSetReport {
  /** Closed-set accuracy on the known samples. */
  closedSetAccuracy: number;
  /** Mann-Whitney AUROC, ties counted half. */
  auroc: number;
  /** ARPL-style AUROC, ties counted as known < unknown. */
  aurocArpl: number;
  /** OSCR, Vastlab reference. */
  oscr: number;
  /** OSCR, ARPL/HESP-compatible. */
  oscrCompat: number;
}

/** Computes every open-set metric from known samples (score + correctness) and unknown scores. */
export function openSetReport(known: KnownSamples, unknownScores: ArrayLike<number>): OpenSetReport {
  const aurocMw = auroc(known.scores, unknownScores); // validates: non-empty, finite
  let ok = 0;
  // Stryker disable next-line EqualityOperator: correct[length] is undefined, so not counted
  for (let i = 0; i < known.correct.length; i++) if (known.correct[i]) ok++;
  return {
    closedSetAccuracy: ok / known.correct.length,
    auroc: aurocMw,
    aurocArpl: aurocArpl(known.scores, unknownScores),
    oscr: oscr(known, unknownScores, 'reference'),
    oscrCompat: oscr(known, unknownScores, 'compat'),
  };
}
