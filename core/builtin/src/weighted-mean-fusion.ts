import type { ClassScores, FusionProvider } from '../../api.ts';

/**
 * z_c = sum_m w_m s_{m,c} / sum_m w_m over the levels that produced clip-level scores.
 * Classes are the run's class list when set, else the union of the levels' class names.
 */
export const weightedMeanFusion: FusionProvider = async ({ levels, weights, prompts }, call) => {
  const scored = Object.entries(levels).filter(([, out]) => out.scores);
  const classes = prompts.classes.length ? prompts.classes : [...new Set(scored.flatMap(([, o]) => Object.keys(o.scores!)))];
  const logits: ClassScores = Object.fromEntries(classes.map((c) => [c, 0]));
  let total = 0;
  for (const [slot, out] of scored) {
    const w = weights[slot] ?? 1;
    if (w === 0) continue;
    total += w;
    for (const c of classes) logits[c] += w * (out.scores![c] ?? 0);
  }
  if (total > 0) for (const c of classes) logits[c] /= total;
  return {
    logits,
    kind: call.options.output === 'logits' ? 'logits' : 'probabilities',
    perLevel: Object.fromEntries(scored.map(([slot, out]) => [slot, out.scores!])),
  };
};
