/**
 * Temporal fusion of per-frame class scores into one clip score: a confidence-weighted mean over
 * the frames that have a face. Frames without a face (null scores or weight 0) do not vote.
 */
import { errors } from '@visage/core';
import type { ClassScores } from '@visage/core';
import { softmax } from '@visage/core/metrics';

/** How the per-frame distributions are averaged. */
export type FusionMode = 'arithmetic' | 'geometric';

/**
 * Fuses per-frame scores with per-frame weights (e.g. face confidence).
 * - 'arithmetic' (default): sum_t w_t p_t / sum_t w_t.
 * - 'geometric': softmax of sum_t w_t log p_t / sum_t w_t (a product of experts; sharper).
 * Returns null when no frame has a face and a positive weight.
 */
export function fuseOverTime(
  perFrame: (ClassScores | null)[],
  weights: number[],
  mode: FusionMode = 'arithmetic',
): ClassScores | null {
  if (weights.length !== perFrame.length) {
    throw errors.faceInputMismatch('fuseOverTime', `${perFrame.length} frames but ${weights.length} weights`);
  }
  let total = 0;
  const acc: Record<string, number> = Object.create(null); // class names are data: no inherited keys
  let labels: string[] | null = null;
  // Plain loops, not closures made per call: V8 drops a dead closure's optimized code at a full GC,
  // so those were compiled again every few clips.
  for (let t = 0; t < perFrame.length; t++) {
    const scores = perFrame[t];
    const w = weights[t];
    if (!scores || !(w > 0)) continue;
    if (!Number.isFinite(w)) throw errors.faceInputMismatch('fuseOverTime', `weight ${t} is ${w}`);
    const keys = Object.keys(scores);
    if (!labels) {
      labels = keys;
      for (const k of keys) acc[k] = 0;
    } else if (keys.length !== labels.length || !hasEvery(acc, keys)) {
      throw errors.faceInputMismatch('fuseOverTime', `frame ${t} has classes [${keys.join(', ')}], expected [${labels.join(', ')}]`);
    }
    total += w;
    // Clamp before log so a hard 0 from the CNN does not make the whole clip -Infinity.
    for (const k of keys) acc[k] += w * (mode === 'geometric' ? Math.log(Math.max(scores[k], 1e-12)) : scores[k]);
  }
  if (!labels || total === 0) return null;
  const keys: string[] = labels;
  // fromEntries makes own keys whatever the class names are (an assignment to "__proto__" would not).
  if (mode === 'arithmetic') return Object.fromEntries(keys.map((k) => [k, acc[k] / total]));
  const probs = softmax(keys.map((k) => acc[k] / total));
  return Object.fromEntries(keys.map((k, i) => [k, probs[i]]));
}

/** Whether `acc` has an own key for each of `keys`. */
function hasEvery(acc: Record<string, number>, keys: readonly string[]): boolean {
  for (const k of keys) if (!Object.hasOwn(acc, k)) return false;
  return true;
}
