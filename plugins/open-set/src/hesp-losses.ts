/**
 * The loss terms of HESP's open-set multi-task learning (method.md C.2), each a differentiable
 * function of compute-engine tensors, and their weighted sum.
 */
import {
  add, affine, cosineSimilarityMatrix, crossEntropy, embedding, indices, l2Normalize, logSoftmax, matmul, mean, mul, relu,
  square, sub, sum, tensor, type Tensor,
} from '@visage/core/compute';
import type { HespLossWeights, HespConfig } from './hesp-config.ts';
import type { HespForward, HespModel } from './hesp-model.ts';

/**
 * Supervised contrastive loss (Khosla et al., HESP ConLoss) on the L2-normalised rows of z [B, D]:
 * for every anchor i with at least one positive, −mean_{p∈P(i)} log(exp(s_ip/τ) / Σ_{a≠i} exp(s_ia/τ)),
 * averaged over those anchors and multiplied by τ. Returns 0 (no gradient path) when no anchor has a positive.
 */
export function supConLoss(z: Tensor, labels: ArrayLike<number>, temperature: number): Tensor {
  const b = z.shape[0];
  const zn = l2Normalize(z);
  const sim = matmul(zn, zn, { transB: true, alpha: 1 / temperature });
  // Remove the anchor itself from the denominator.
  const selfMask = new Float32Array(b * b);
  // Stryker disable next-line EqualityOperator: one step past the end writes outside the typed array, which JS ignores
  for (let i = 0; i < b; i++) selfMask[i * b + i] = -1e9;
  const logProb = logSoftmax(add(sim, tensor(selfMask, [b, b])));
  const weights = new Float32Array(b * b);
  const anchors: number[] = [];
  // Stryker disable next-line EqualityOperator: a row past the end has label undefined, so no positive and no anchor
  for (let i = 0; i < b; i++) {
    let positives = 0;
    // Stryker disable next-line EqualityOperator: labels[b] is undefined, never equal to a label
    for (let j = 0; j < b; j++) if (j !== i && labels[j] === labels[i]) positives++;
    if (positives > 0) anchors.push(i);
    // Stryker disable next-line EqualityOperator: labels[b] is undefined, never equal to a label
    for (let j = 0; j < b; j++) if (j !== i && labels[j] === labels[i]) weights[i * b + j] = 1 / positives;
  }
  if (anchors.length === 0) return affine(sum(z), 0, 0);
  // Stryker disable next-line EqualityOperator: weights[length] is undefined and writing it is ignored
  for (let i = 0; i < weights.length; i++) weights[i] /= anchors.length;
  return affine(sum(mul(logProb, tensor(weights, [b, b]))), -temperature, 0);
}

/**
 * ARPL's radius term: mean over the batch of max(0, mean_d (v − c_y)² − R + 1) (MarginRankingLoss with
 * margin 1 and target 1, as in ARPL and HESP).
 */
export function radiusLoss(v: Tensor, prototypes: Tensor, radius: Tensor, labels: ArrayLike<number>): Tensor {
  const own = embedding(prototypes, indices(labels, v.backend));
  const dist = mean(square(sub(v, own)), 1);
  return mean(relu(affine(sub(dist, radius), 1, 1)));
}

/**
 * Negative-prompt loss: CE over k of s·cos(c_k, n_j) with target j = k, pulling each reciprocal point
 * towards the text "This video is not {class k}." and away from the other classes' negatives.
 */
export function negativePromptLoss(prototypes: Tensor, negativeText: Tensor, logitScale: number): Tensor {
  const k = prototypes.shape[0];
  const logits = affine(cosineSimilarityMatrix(prototypes, negativeText), logitScale, 0);
  return crossEntropy(logits, Array.from({ length: k }, (_, i) => i));
}

/** Each term (before weighting) and the weighted total. */
export interface HespLossTerms {
  clip: Tensor;
  supcon: Tensor;
  arpl: Tensor;
  radius: Tensor;
  negative: Tensor;
  ensemble: Tensor;
  total: Tensor;
}

/** L = w·[CE(clip) , SupCon , CE(arpl/T) , radius , neg , CE(ensemble)] (HESP: all 1, radius 0.1). */
export function hespLoss(model: HespModel, out: HespForward, labels: ArrayLike<number>, config: HespConfig): HespLossTerms {
  const w: HespLossWeights = config.loss;
  const terms = {
    clip: crossEntropy(out.clipLogits, labels),
    supcon: supConLoss(out.video, labels, config.supconTemperature),
    arpl: crossEntropy(affine(out.arplLogits, 1 / config.arplTemperature, 0), labels),
    radius: radiusLoss(model.arplFeatures(out.video), model.prototypes, model.radius, labels),
    negative: negativePromptLoss(model.prototypes, model.negativeText, config.logitScale),
    ensemble: crossEntropy(out.ensemble, labels),
  };
  let total: Tensor | null = null;
  for (const [name, t] of Object.entries(terms) as Array<[keyof HespLossWeights, Tensor]>) {
    // Stryker disable next-line ConditionalExpression: a 0-weighted term adds 0; skipping it only saves the work
    if (w[name] === 0) continue;
    const weighted = affine(t, w[name], 0);
    total = total ? add(total, weighted) : weighted;
  }
  return { ...terms, total: total ?? affine(terms.clip, 0, 0) };
}
