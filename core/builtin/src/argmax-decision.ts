import type { DecideProvider } from '../../api.ts';
import { closedSetChoice } from '../../metrics/scores.ts';
import type { ArgmaxOptions } from './options.generated.ts';

/** Closed-set decision: argmax label, softmax (or renormalised) probabilities, known-ness = max probability. */
export const argmaxDecision: DecideProvider<ArgmaxOptions> = async ({ fusion }, call) => {
  const choice = closedSetChoice(fusion.logits, fusion.kind, call.options.temperature);
  if (choice.label === null) return { ...choice, unknown: true };
  return { ...choice, unknown: choice.knownness < call.options.unknownBelow };
};
