/**
 * The HESP open-set head on CLIP frame embeddings (method.md C.2, ported without its defects):
 *
 * - class prompts t_k = E_txt(k) + ctx_k: a learnable context per known class, added in the frozen text
 *   encoder's *output* embedding space (v1; HESP's CoOp contexts live in its token-embedding space);
 * - reciprocal points c_k (ARPL), learnable, in the same embedding space (HESP encodes learnable images
 *   P_k with the frozen image encoder instead);
 * - frozen negative prompts n_k = E_txt("This video is not {k}.");
 * - the video embedding v from the frames by motion-conditioned temporal attention (or the mean);
 * - clip logits s·cos(v, t_k), ARPL logits ‖v − c_k‖²/D − v·c_k and their mean, the ensemble.
 *
 * Everything is keyed by class name: row k of every tensor is `classes[k]`.
 */
import {
  add, affine, cosineSimilarityMatrix, mean, mul, matmul, normalTensor, reshape, Rng, sub, sum, tensor, zeros, type Tensor,
} from '@visage/core/compute';
import { Module } from '@visage/core/compute';
import type { HespConfig } from './hesp-config.ts';
import { MotionTemporalAttention } from './motion-attention.ts';
import { openSetConfigInvalid } from './errors.ts';

export interface HespForward {
  /** Pooled video embeddings [B, D]. */
  video: Tensor;
  /** s · cos(v, t_k) [B, K]. */
  clipLogits: Tensor;
  /** ‖v − c_k‖²/D − v·c_k [B, K]. */
  arplLogits: Tensor;
  /** (clip + arpl) / 2 [B, K]: prediction and known-ness come from these. */
  ensemble: Tensor;
}

/** Frozen text side: one row per known class, same order as `classes`. */
export interface ClassTextEmbeddings {
  classes: string[];
  /** E_txt of the class prompt, [K][D]. */
  positive: Float32Array[];
  /** E_txt("This video is not {class}."), [K][D]. */
  negative: Float32Array[];
}

export class HespModel extends Module {
  readonly classes: string[];
  readonly dim: number;
  readonly contexts: Tensor;
  readonly prototypes: Tensor;
  /** ARPL's learnable radius R (init 0). */
  readonly radius: Tensor;
  readonly attention: MotionTemporalAttention;
  /** Frozen E_txt rows [K, D]. */
  readonly textBase: Tensor;
  readonly negativeText: Tensor;

  constructor(text: ClassTextEmbeddings, readonly config: HespConfig) {
    super();
    const k = text.classes.length;
    if (k < 1 || text.positive.length !== k || text.negative.length !== k) {
      throw openSetConfigInvalid('classes', `${k} classes but ${text.positive.length} class and ${text.negative.length} negative embeddings`);
    }
    this.classes = [...text.classes];
    this.dim = text.positive[0].length;
    const rng = new Rng(config.seed);
    this.textBase = tensor(stack(text.positive, this.dim), [k, this.dim]);
    this.negativeText = tensor(stack(text.negative, this.dim), [k, this.dim]);
    this.contexts = this.param('contexts', normalTensor([k, this.dim], config.contextInitStd, rng));
    const protoStd = config.prototypeInitStd === 'unit' ? config.arplFeatureScale / Math.sqrt(this.dim) : config.prototypeInitStd;
    this.prototypes = this.param('prototypes', normalTensor([k, this.dim], protoStd, rng));
    this.radius = this.param('radius', zeros([1]));
    this.attention = this.child('attention', new MotionTemporalAttention(this.dim));
  }

  /** The tuned class prompts t_k = E_txt(k) + ctx_k [K, D]. */
  classPrompts(): Tensor {
    return add(this.textBase, this.contexts);
  }

  /** Video embeddings [B, D] from frames [B, T, D] and standardised motion [B, T]. */
  pool(frames: Tensor, motion: Tensor): Tensor {
    if (this.config.pooling === 'mean') return mean(frames, 1);
    return this.attention.forward(frames, motion);
  }

  /** The video embedding as the ARPL head sees it (scaled by arplFeatureScale). */
  arplFeatures(video: Tensor): Tensor {
    return this.config.arplFeatureScale === 1 ? video : affine(video, this.config.arplFeatureScale, 0);
  }

  forward(frames: Tensor, motion: Tensor): HespForward {
    const video = this.pool(frames, motion);
    const clipLogits = affine(cosineSimilarityMatrix(video, this.classPrompts()), this.config.logitScale, 0);
    const arpl = arplLogits(this.arplFeatures(video), this.prototypes);
    const ensemble = affine(add(clipLogits, arpl), 0.5, 0);
    return { video, clipLogits, arplLogits: arpl, ensemble };
  }
}

/** ARPL logits ‖v − c_k‖²/D − v·c_k for v [B, D] and reciprocal points c [K, D]: far from c_k means "is k". */
export function arplLogits(v: Tensor, c: Tensor): Tensor {
  const d = v.shape[1], k = c.shape[0];
  const dot = matmul(v, c, { transB: true });
  const vsq = sum(mul(v, v), 1, { keepDims: true });
  const csq = reshape(sum(mul(c, c), 1), [1, k]);
  const dist = affine(sub(add(vsq, csq), affine(dot, 2, 0)), 1 / d, 0);
  return sub(dist, dot);
}

function stack(rows: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw openSetConfigInvalid('textEmbeddings', `row ${i} has ${r.length} values, expected ${dim}`);
    out.set(r, i * dim);
  });
  return out;
}
