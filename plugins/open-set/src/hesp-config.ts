/**
 * Every knob of the HESP head, with the values of the released code (method.md C.2) as defaults.
 * Deviations from the paper/code are options here, named in the plugin README.
 */
import { openSetConfigInvalid } from './errors.ts';

/** Weights of the loss terms; HESP uses 1 for every term and 0.1 for the radius margin inside L_arpl. */
export interface HespLossWeights {
  /** CE of the CLIP logits (video vs class prompts). */
  clip: number;
  /** Supervised contrastive loss on the video embeddings. */
  supcon: number;
  /** ARPL head CE (reciprocal points). */
  arpl: number;
  /** Radius margin term of ARPL (HESP: 0.1, inside L_arpl). */
  radius: number;
  /** Negative-prompt loss: prototypes vs "This video is not {class}." */
  negative: number;
  /** CE of the ensemble logits. */
  ensemble: number;
}

export interface HespConfig {
  loss: HespLossWeights;
  /** exp(logit_scale) of CLIP: the cosine logits are multiplied by it (HESP: ~100, frozen). */
  logitScale: number;
  /** Temperature of the supervised contrastive loss (HESP 0.5). */
  supconTemperature: number;
  /** Temperature dividing the ARPL logits in their CE (HESP 1). */
  arplTemperature: number;
  /**
   * Norm the ARPL head sees the video embedding at: it works on s·v. Our frame embeddings are unit-norm,
   * HESP's ARPL head gets raw CLIP features (norm of order 10), which puts its logits on the scale of the
   * 100·cos CLIP logits in the ensemble; 1 leaves the ARPL logits O(1) and the ensemble ≈ the CLIP logits.
   * Default 10: our order-of-magnitude estimate of raw CLIP ViT-B image-feature norms (not measured here).
   */
  arplFeatureScale: number;
  /** Std of the N(0, σ²) init of the class contexts (HESP CoOp: 0.02). */
  contextInitStd: number;
  /**
   * Std of the N(0, σ²) init of the reciprocal points (in embedding space; see README). 'unit' (default)
   * is 1/sqrt(D), so they start with about unit norm like the CLIP embeddings (HESP: N(0,1) *images*,
   * which its image encoder maps to embeddings of ordinary norm); tiny points make the scale-free
   * negative-prompt loss take huge steps.
   */
  prototypeInitStd: number | 'unit';
  /**
   * Temporal pooling of the frame embeddings: 'motion-attention' (learned, conditioned on the per-frame
   * landmark displacement; ours) or 'mean' (HESP: plain mean of the frames).
   */
  pooling: 'motion-attention' | 'mean';
  /** Optimiser (HESP: SGD lr 0.01, momentum 0.9, weight decay 1e-4). */
  optimizer: 'sgd' | 'adamw';
  lr: number;
  momentum: number;
  weightDecay: number;
  epochs: number;
  batchSize: number;
  /** Epochs at which the learning rate is multiplied by `lrGamma` (HESP: [30, 60, 90, 120]). */
  milestones: number[];
  lrGamma: number;
  seed: number;
}

export const HESP_DEFAULTS: HespConfig = {
  loss: { clip: 1, supcon: 1, arpl: 1, radius: 0.1, negative: 1, ensemble: 1 },
  logitScale: 100,
  supconTemperature: 0.5,
  arplTemperature: 1,
  arplFeatureScale: 10,
  contextInitStd: 0.02,
  prototypeInitStd: 'unit',
  pooling: 'motion-attention',
  optimizer: 'sgd',
  lr: 0.01,
  momentum: 0.9,
  weightDecay: 1e-4,
  epochs: 30,
  batchSize: 64,
  milestones: [30, 60, 90, 120],
  lrGamma: 0.1,
  seed: 0,
};

/** Partial settings over the defaults (loss weights merged key by key). */
export type HespConfigInput = Partial<Omit<HespConfig, 'loss'>> & { loss?: Partial<HespLossWeights> };

/** Fills defaults and checks ranges; throws OPEN_SET_CONFIG_INVALID naming the field. */
export function resolveHespConfig(input: HespConfigInput = {}): HespConfig {
  const cfg: HespConfig = { ...HESP_DEFAULTS, ...input, loss: { ...HESP_DEFAULTS.loss, ...input.loss } };
  for (const [k, v] of Object.entries(cfg.loss)) {
    if (!(Number.isFinite(v) && v >= 0)) throw openSetConfigInvalid(`loss.${k}`, `must be a number >= 0, got ${v}`);
  }
  const positive: Array<keyof HespConfig> = ['logitScale', 'supconTemperature', 'arplTemperature', 'arplFeatureScale', 'lr'];
  for (const k of positive) if (!((cfg[k] as number) > 0)) throw openSetConfigInvalid(k, `must be > 0, got ${cfg[k]}`);
  for (const k of ['epochs', 'batchSize'] as const) {
    if (!(Number.isInteger(cfg[k]) && cfg[k] >= 1)) throw openSetConfigInvalid(k, `must be an integer >= 1, got ${cfg[k]}`);
  }
  if (!['motion-attention', 'mean'].includes(cfg.pooling)) throw openSetConfigInvalid('pooling', `must be "motion-attention" or "mean", got ${cfg.pooling}`);
  if (!['sgd', 'adamw'].includes(cfg.optimizer)) throw openSetConfigInvalid('optimizer', `must be "sgd" or "adamw", got ${cfg.optimizer}`);
  return cfg;
}

/**
 * Parses `key=value` settings (dotted keys for loss weights: `loss.negative=0`) into a config input;
 * numbers and number lists (`milestones=10,20`) are converted, other values stay strings and are
 * checked by resolveHespConfig.
 */
export function parseHespAssignments(assignments: readonly string[]): HespConfigInput {
  const out: Record<string, unknown> & { loss?: Record<string, unknown> } = {};
  const known = new Set([...Object.keys(HESP_DEFAULTS), ...Object.keys(HESP_DEFAULTS.loss).map((k) => `loss.${k}`)]);
  for (const a of assignments) {
    const eq = a.indexOf('=');
    const key = a.slice(0, eq).trim(), raw = a.slice(eq + 1).trim();
    if (eq < 1 || !known.has(key) || key === 'loss') throw openSetConfigInvalid(`--hesp ${a}`, `write key=value with a key among ${[...known].filter((k) => k !== 'loss').join(', ')}`);
    const value = key === 'milestones' ? raw.split(',').filter(Boolean).map(Number) : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    if (key.startsWith('loss.')) (out.loss ??= {})[key.slice(5)] = value;
    else out[key] = value;
  }
  return out as HespConfigInput;
}
