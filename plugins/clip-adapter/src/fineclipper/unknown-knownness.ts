/**
 * Known-ness from unknown-role prompts (issue 17), so FineCLIPER's fusion gives an open-set score of its
 * own when the prompt builder has unknown prompts (HESP's reciprocal points, c_k/σ): HESP's ARPL score
 * max_k ‖v − u_k‖²/D − v·u_k of FineCLIPER's video embedding v. It is HESP's ARPL known-ness divided by
 * σ², the same ranking. v is the unit video embedding of the fusion's first frame-like level: the
 * trained head's (temporal model + adapter) with a checkpoint, the mean of the frames without.
 */
import { l2Normalize, noGrad, tensor } from '@visage/core/compute';
import type { FeatureTensor } from '@visage/core/features';
import type { FineCliperModel } from './fineclipper-model.ts';

export function arplKnownness(v: Float32Array, unknown: readonly Float32Array[]): number {
  const d = v.length;
  let best = -Infinity;
  for (const u of unknown) {
    let dist = 0, dot = 0;
    for (let i = 0; i < d; i++) {
      dist += (v[i] - u[i]) ** 2;
      dot += v[i] * u[i];
    }
    best = Math.max(best, dist / d - dot);
  }
  return best;
}

/** The unit video embedding of one level's features [T, D]: through the checkpoint's head for that level, else their mean. */
export async function videoEmbedding(features: FeatureTensor, level: string, model?: FineCliperModel): Promise<Float32Array> {
  const [t, d] = features.shape;
  const head = model?.heads.find((h) => h.spec.name === level);
  const backend = model?.namedParameters()[0]?.[1].backend;
  if (head) return noGrad(() => l2Normalize(head.forward(tensor(features.data, [1, t, d], { backend })))).data();
  const m = new Float32Array(d);
  for (let r = 0; r < t; r++) for (let j = 0; j < d; j++) m[j] += features.data[r * d + j] / t;
  const norm = Math.hypot(...m) || 1;
  return m.map((x) => x / norm);
}
