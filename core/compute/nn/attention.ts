/**
 * Multi-head self-attention: one fused QKV projection, per-head scaled dot-product attention,
 * output projection (DFER-CLIP's temporal Attention: QKV without bias, output with bias).
 */
import { errors } from '../../errors/index.ts';
import { scaledDotProductAttention, dropout } from '../ops/nn.ts';
import { gatherStrided, reshape, transpose } from '../ops/shape.ts';
import type { Tensor } from '../tensor.ts';
import { Linear } from './linear.ts';
import { Module, rngOf, type ModuleOptions } from './module.ts';

export interface MultiHeadAttentionOptions extends ModuleOptions {
  qkvBias?: boolean;
  outBias?: boolean;
  /** Dropout on the output projection (0 in DFER-CLIP). */
  dropout?: number;
}

export class MultiHeadAttention extends Module {
  readonly qkv: Linear;
  readonly out: Linear;
  readonly headDim: number;
  private readonly dropoutP: number;

  constructor(readonly dim: number, readonly heads: number, opts: MultiHeadAttentionOptions = {}) {
    super();
    if (dim % heads !== 0) throw errors.invalidComputeArgument('MultiHeadAttention', `dim ${dim} is not divisible by ${heads} heads`);
    const rng = rngOf(opts);
    this.headDim = dim / heads;
    this.qkv = this.child('qkv', new Linear(dim, 3 * dim, { bias: opts.qkvBias ?? false, rng, backend: opts.backend }));
    this.out = this.child('out', new Linear(dim, dim, { bias: opts.outBias ?? true, rng, backend: opts.backend }));
    this.dropoutP = opts.dropout ?? 0;
  }

  /**
   * x is [batch, tokens, dim]. mask (optional, additive) broadcasts to [batch, heads, tokens, tokens],
   * e.g. [batch, 1, 1, tokens] with -1e9 on padded keys. `seed` drives dropout when enabled.
   */
  forward(x: Tensor, mask?: Tensor | null, seed = 0): Tensor {
    const [b, t, d] = x.shape;
    if (x.rank !== 3 || d !== this.dim) throw errors.shapeMismatch('MultiHeadAttention', `expected [batch, tokens, ${this.dim}], got [${x.shape}]`);
    // The projection is [b, t, (3, h, hd)]; pick q, k or v as [b, h, t, hd] in one strided copy.
    const qkv = this.qkv.forward(x);
    const hd = this.headDim;
    const part = (i: number) => gatherStrided(qkv, [b, this.heads, t, hd], [t * 3 * d, hd, 3 * d, 1], i * d);
    const ctx = scaledDotProductAttention(part(0), part(1), part(2), mask);
    const merged = reshape(transpose(ctx, [0, 2, 1, 3]), [b, t, d]);
    return dropout(this.out.forward(merged), this.dropoutP, seed, this.training);
  }
}
