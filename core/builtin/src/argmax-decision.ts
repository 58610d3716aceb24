import type { ClassScores, DecideProvider } from '../../api.ts';
import type { ArgmaxOptions } from './options.generated.ts';

/** Closed-set decision: argmax label, softmax (or renormalised) probabilities, known-ness = max probability. */
export const argmaxDecision: DecideProvider<ArgmaxOptions> = async ({ fusion }, call) => {
  const names = Object.keys(fusion.logits);
  if (names.length === 0) return { label: null, probabilities: {}, knownness: 0, unknown: true };
  const values = names.map((n) => fusion.logits[n]);
  const probs = fusion.kind === 'logits' ? softmax(values, call.options.temperature) : renormalise(values);
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  const probabilities: ClassScores = Object.fromEntries(names.map((n, i) => [n, probs[i]]));
  const knownness = probs[best];
  return { label: names[best], probabilities, knownness, unknown: knownness < call.options.unknownBelow };
};

function softmax(x: number[], temperature: number): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp((v - m) / temperature));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function renormalise(x: number[]): number[] {
  const s = x.reduce((a, b) => a + Math.max(0, b), 0);
  return s > 0 ? x.map((v) => Math.max(0, v) / s) : x.map(() => 1 / x.length);
}
