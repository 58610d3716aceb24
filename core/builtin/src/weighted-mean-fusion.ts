import type { ClassScores, FusionProvider } from '../../api.ts';
import * as errors from '../../errors/messages.ts';
import type { WeightedMeanOptions } from './options.generated.ts';

/**
 * z_c = sum_m w_m s_{m,c} / sum_m w_m over the weighted levels whose clip scores are usable.
 * Classes are the run's class list when set, else the union of the levels' class names.
 *
 * A clip this rule cannot decide is an error, never a uniform guess: FUSION_ZERO_WEIGHT when the
 * levels that returned scores all have weight 0, FUSION_NO_SCORES when every weighted level's
 * scores are missing, non-finite or all zero, or when no level returns class scores at all (an
 * embeddings-only preset such as hesp-features is for extraction, which runs the levels alone).
 */
export const weightedMeanFusion: FusionProvider<WeightedMeanOptions> = async ({ levels, weights, prompts }, call) => {
  const scored = Object.entries(levels).filter(([, out]) => out.scores);
  const kind = call.options.output;
  const perLevel = Object.fromEntries(scored.map(([slot, out]) => [slot, out.scores!]));
  if (scored.length === 0) throw errors.fusionNoScores(Object.keys(levels));

  const classes = prompts.classes.length ? prompts.classes : [...new Set(scored.flatMap(([, o]) => Object.keys(o.scores!)))];
  const weightOf = (slot: string) => weights[slot] ?? 1;
  const weighted = Object.keys(levels).filter((slot) => weightOf(slot) !== 0);
  const weightedScored = scored.filter(([slot]) => weightOf(slot) !== 0);
  if (weightedScored.length === 0) throw errors.fusionZeroWeight(scored.map(([slot]) => slot));
  const usable = weightedScored.filter(([, out]) => usableScores(out.scores!, classes));
  if (usable.length === 0) throw errors.fusionNoScores(weighted);

  const logits: ClassScores = Object.fromEntries(classes.map((c) => [c, 0]));
  let total = 0;
  for (const [slot, out] of usable) {
    const w = weightOf(slot);
    total += w;
    for (const c of classes) logits[c] += w * (out.scores![c] ?? 0);
  }
  if (!(total > 0)) throw errors.fusionZeroWeight(usable.map(([slot]) => slot));
  for (const c of classes) logits[c] /= total;
  return { logits, kind, perLevel };
};

/** Finite everywhere, and not all zero on the run's classes (all-zero scores would say nothing). */
function usableScores(scores: ClassScores, classes: readonly string[]): boolean {
  const values = Object.values(scores);
  return values.every(Number.isFinite) && classes.some((c) => (scores[c] ?? 0) !== 0);
}
