/**
 * Multi-head self-attention: one fused QKV projection, per-head scaled dot-product attention,
 * output projection (DFER-CLIP's temporal Attention: QKV without bias, output with bias).
 */
import { errors } from '../../errors/index.ts';
import { scaledDotProductAttention, dropout } from '../ops/nn.ts';
import { reshape, slice, transpose } from '../ops/shape.ts';
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
    // [b, t, 3, h, hd] -> [3, b, h, t, hd]: q, k, v become contiguous per head.
    const qkv = transpose(reshape(this.qkv.forward(x), [b, t, 3, this.heads, this.headDim]), [2, 0, 3, 1, 4]);
    const part = (i: number) => reshape(slice(qkv, 0, i, i + 1), [b, this.heads, t, this.headDim]);
    const ctx = scaledDotProductAttention(part(0), part(1), part(2), mask);
    const merged = reshape(transpose(ctx, [0, 2, 1, 3]), [b, t, d]);
    return dropout(this.out.forward(merged), this.dropoutP, seed, this.training);
  }
}
