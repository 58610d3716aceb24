/**
 * FineCLIPER's trainable head on frozen CLIP features (method.md A.2 items 1, 2, 5, 6):
 *
 * - per level, a residual bottleneck adapter on the frozen embeddings;
 * - for frame-like levels, either a 1-layer temporal transformer over the T frame embeddings
 *   (learnable CLS token + T+1 positions, CLS output = video embedding, DFER-CLIP's
 *   Temporal_Transformer_Cls) followed by the adapter, or the adapter per frame then the mean;
 * - per level, class scores from the frozen positive/negative descriptor embeddings
 *   (`descriptorScores`), fused as z = Σ_m w_m z_m with w = softmax(α) (learnable) or fixed weights.
 *
 * Deviation from the paper (documented in the plugin README): the adapters sit on the encoders'
 * output embeddings, not inside the ViT blocks, so features can be extracted once and cached.
 */
import {
  Adapter, add, concat, l2Normalize, matmul, mean, Module, mul, normalTensor, reshape, Rng, slice, softmax, sub,
  tensor, TransformerEncoderLayer, zeros, affine, type Tensor,
} from '@visage/core/compute';
import { fineCliperOptionInvalid } from '../errors.ts';

/** How the C class scores come from the positive and negative descriptors (method.md A.2 item 1). */
export type Formulation = 'contrast' | 'softmax-2c' | 'binary';
export const FORMULATIONS: readonly Formulation[] = ['contrast', 'softmax-2c', 'binary'];

/** How a frame-like level turns T embeddings into one. */
export type TemporalMode = 'transformer' | 'mean';

export interface LevelSpec {
  /** Level name, e.g. 'frames', 'parsing', 'landmarks', 'description'. */
  name: string;
  /** 'frames': [T, D] per clip; 'text': [1, D] (sentences already mean-pooled). */
  kind: 'frames' | 'text';
  /** For kind 'frames' (default: 'transformer' for the frames level, 'mean' for the others). */
  temporal?: TemporalMode;
  /** Fixed fusion weight (used when fusion is 'fixed'; default 1). */
  weight?: number;
}

export interface FineCliperConfig {
  classes: string[];
  /** Width of the CLIP embeddings (512 for ViT-B/16). */
  embedDim: number;
  /** T, frames per clip (positional embeddings of the temporal model: T + 1). */
  frames: number;
  levels: LevelSpec[];
  formulation: Formulation;
  /** Temperature τ of the cosine similarities (CLIP: 0.01). */
  temperature: number;
  /** 'learned': w = softmax(α), α trained (init 0); 'fixed': the levels' weights as given. */
  fusion: 'learned' | 'fixed';
  /** Bottleneck ratio of the adapters (0.25). */
  adapterRatio: number;
  /** Heads and MLP width of the temporal transformer (8 and 2·D as DFER-CLIP's 512/1024). */
  temporalHeads: number;
  temporalMlp: number;
  seed: number;
}

/** Defaults of method.md A.2 for a CLIP of width `embedDim`. */
export function defaultConfig(classes: string[], embedDim: number, frames: number, levels: LevelSpec[], over: Partial<FineCliperConfig> = {}): FineCliperConfig {
  const heads = over.temporalHeads ?? [8, 4, 2, 1].find((h) => embedDim % h === 0)!;
  return {
    classes, embedDim, frames, levels,
    formulation: 'contrast', temperature: 0.01, fusion: 'learned', adapterRatio: 0.25,
    temporalMlp: 2 * embedDim, seed: 0,
    ...over,
    temporalHeads: heads,
  };
}

/** The frozen text side: L2-normalised descriptor embeddings, [C, D] each. */
export interface DescriptorEmbeddings {
  positive: Float32Array[];
  negative: Float32Array[];
}

/** One level's inputs for a batch of B clips: [B, T, D] (kind 'frames') or [B, 1, D] (kind 'text'). */
export type LevelBatch = Record<string, Tensor>;

class LevelHead extends Module {
  readonly adapter: Adapter;
  readonly temporal: TransformerEncoderLayer | null = null;
  readonly cls: Tensor | null = null;
  readonly pos: Tensor | null = null;

  constructor(readonly spec: LevelSpec, readonly mode: TemporalMode | 'text', cfg: FineCliperConfig, rng: Rng) {
    super();
    const d = cfg.embedDim;
    if (mode === 'transformer') {
      this.cls = this.param('cls', normalTensor([1, 1, d], 0.02, rng));
      this.pos = this.param('pos', normalTensor([1, cfg.frames + 1, d], 0.02, rng));
      this.temporal = this.child('temporal', new TransformerEncoderLayer(d, cfg.temporalHeads, cfg.temporalMlp, { rng }));
    }
    this.adapter = this.child('adapter', new Adapter(d, { ratio: cfg.adapterRatio, rng }));
  }

  /** [B, T, D] -> [B, D] video embedding (not normalised). */
  forward(x: Tensor): Tensor {
    const [b, t, d] = x.shape;
    if (this.mode === 'transformer') {
      const cls = add(zeros([b, 1, d], { backend: x.backend }), this.cls!);
      const tokens = add(concat([cls, x], 1), slice(this.pos!, 1, 0, t + 1));
      const out = this.temporal!.forward(tokens);
      return this.adapter.forward(reshape(slice(out, 1, 0, 1), [b, d]));
    }
    const adapted = this.adapter.forward(reshape(x, [b * t, d]));
    return mean(reshape(adapted, [b, t, d]), 1);
  }
}

export class FineCliperModel extends Module {
  readonly heads: LevelHead[];
  /** Fusion logits α (learned fusion only). */
  readonly alpha: Tensor | null;

  constructor(readonly config: FineCliperConfig) {
    super();
    checkConfig(config);
    const rng = new Rng(config.seed);
    this.heads = config.levels.map((spec) => {
      const mode = spec.kind === 'text' ? 'text' : spec.temporal ?? (spec.name === 'frames' ? 'transformer' : 'mean');
      return this.child(`levels.${spec.name}`, new LevelHead(spec, mode, config, rng));
    });
    this.alpha = config.fusion === 'learned' ? this.param('fusion.alpha', zeros([config.levels.length])) : null;
  }

  /** Parameters of the newly added modules (temporal model, CLS, positions, fusion α): lr 1e-2. */
  newModuleParameters(): Array<[string, Tensor]> {
    return this.namedParameters().filter(([n]) => !n.includes('.adapter.'));
  }

  /** Adapter parameters: lr 1e-3 (method.md A.2 item 7). */
  adapterParameters(): Array<[string, Tensor]> {
    return this.namedParameters().filter(([n]) => n.includes('.adapter.'));
  }

  /**
   * Fused scores [B, K] of a batch: K = C for 'contrast' and 'binary' (z_c), K = 2C for
   * 'softmax-2c' ([s⁺/τ, s⁻/τ]). Use `classLogits` to get the C class logits.
   */
  forward(batch: LevelBatch, text: { positive: Tensor; negative: Tensor }): Tensor {
    const weights = this.fusionWeights();
    let fused: Tensor | null = null;
    this.heads.forEach((head, m) => {
      const x = batch[head.spec.name];
      if (!x) throw fineCliperOptionInvalid('levels', `the batch has no "${head.spec.name}" features`);
      const v = l2Normalize(head.forward(x));
      const z = descriptorScores(v, text.positive, text.negative, this.config.formulation, this.config.temperature);
      const wz = typeof weights[m] === 'number' ? affine(z, weights[m] as number, 0) : mul(z, weights[m] as Tensor);
      fused = fused ? add(fused, wz) : wz;
    });
    return fused!;
  }

  /** Per-level fusion weights: slices of softmax(α) (learned) or the fixed numbers. */
  fusionWeights(): Array<Tensor | number> {
    if (!this.alpha) return this.config.levels.map((l) => l.weight ?? 1);
    const w = softmax(reshape(this.alpha, [1, this.alpha.size]));
    return this.config.levels.map((_, m) => reshape(slice(w, 1, m, m + 1), [1]));
  }

  /** Current fusion weights as numbers (for logs). */
  async fusionWeightValues(): Promise<Record<string, number>> {
    const w = this.fusionWeights();
    const values = await Promise.all(w.map((x) => (typeof x === 'number' ? x : x.item())));
    return Object.fromEntries(this.config.levels.map((l, m) => [l.name, values[m]]));
  }
}

/**
 * Scores of unit video embeddings v [B, D] against unit descriptor embeddings t⁺, t⁻ [C, D]:
 * 'contrast' and 'binary': z_c = (v·t_c⁺ − v·t_c⁻)/τ; 'softmax-2c': [v·t⁺, v·t⁻]/τ, [B, 2C].
 */
export function descriptorScores(v: Tensor, positive: Tensor, negative: Tensor, formulation: Formulation, temperature: number): Tensor {
  const sPos = matmul(v, positive, { transB: true });
  const sNeg = matmul(v, negative, { transB: true });
  const raw = formulation === 'softmax-2c' ? concat([sPos, sNeg], 1) : sub(sPos, sNeg);
  return affine(raw, 1 / temperature, 0);
}

/** C class logits from fused scores: the first C columns (for 'softmax-2c' the positive half). */
export function classLogits(scores: Float32Array, rows: number, formulation: Formulation, classes: number): Float32Array[] {
  const k = formulation === 'softmax-2c' ? 2 * classes : classes;
  return Array.from({ length: rows }, (_, i) => scores.slice(i * k, i * k + classes));
}

/** Descriptor embeddings as [C, D] tensors (constants: the text encoder is frozen). */
export function descriptorTensors(d: DescriptorEmbeddings): { positive: Tensor; negative: Tensor } {
  const pack = (rows: Float32Array[]) => {
    const dim = rows[0].length;
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => out.set(r, i * dim));
    return tensor(out, [rows.length, dim]);
  };
  return { positive: pack(d.positive), negative: pack(d.negative) };
}

function checkConfig(c: FineCliperConfig): void {
  if (c.classes.length < 2) throw fineCliperOptionInvalid('classes', `need at least 2 classes, got ${c.classes.length}`);
  if (!c.levels.length) throw fineCliperOptionInvalid('levels', 'no level is enabled');
  if (!FORMULATIONS.includes(c.formulation)) throw fineCliperOptionInvalid('formulation', `"${c.formulation}" is not one of ${FORMULATIONS.join(', ')}`);
  if (!(c.temperature > 0)) throw fineCliperOptionInvalid('temperature', `must be > 0, got ${c.temperature}`);
  if (c.embedDim % c.temporalHeads !== 0) throw fineCliperOptionInvalid('temporalHeads', `${c.temporalHeads} heads do not divide the width ${c.embedDim}`);
  if (new Set(c.levels.map((l) => l.name)).size !== c.levels.length) throw fineCliperOptionInvalid('levels', 'level names must be distinct');
}
