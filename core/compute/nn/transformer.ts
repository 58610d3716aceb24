/**
 * Pre-LN transformer encoder layer (DFER-CLIP's temporal transformer, method.md B.1):
 * x = x + Attn(LN(x)); x = x + MLP(LN(x)), MLP = Linear -> GELU (tanh) -> Linear.
 */
import { add, gelu } from '../ops/elementwise.ts';
import { dropout } from '../ops/nn.ts';
import type { Tensor } from '../tensor.ts';
import { MultiHeadAttention } from './attention.ts';
import { LayerNorm } from './layer-norm.ts';
import { Linear } from './linear.ts';
import { Module, rngOf, type ModuleOptions } from './module.ts';

export interface TransformerEncoderLayerOptions extends ModuleOptions {
  /** GELU variant of the MLP (DFER-CLIP: tanh approximation). */
  gelu?: 'tanh' | 'erf';
  /** Dropout after attention and inside/after the MLP (DFER-CLIP: 0). */
  dropout?: number;
  qkvBias?: boolean;
  eps?: number;
}

export class TransformerEncoderLayer extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;
  private readonly geluKind: 'tanh' | 'erf';
  private readonly dropoutP: number;

  constructor(readonly dim: number, heads: number, mlpDim: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const rng = rngOf(opts);
    const backend = opts.backend;
    this.dropoutP = opts.dropout ?? 0;
    this.geluKind = opts.gelu ?? 'tanh';
    this.norm1 = this.child('norm1', new LayerNorm(dim, opts.eps, { backend }));
    this.attn = this.child('attn', new MultiHeadAttention(dim, heads, { rng, backend, qkvBias: opts.qkvBias ?? false, dropout: this.dropoutP }));
    this.norm2 = this.child('norm2', new LayerNorm(dim, opts.eps, { backend }));
    this.fc1 = this.child('fc1', new Linear(dim, mlpDim, { rng, backend }));
    this.fc2 = this.child('fc2', new Linear(mlpDim, dim, { rng, backend }));
  }

  /** x is [batch, tokens, dim]; `seed` drives dropout when enabled. */
  forward(x: Tensor, mask?: Tensor | null, seed = 0): Tensor {
    const p = this.dropoutP, on = this.training;
    const h = add(x, this.attn.forward(this.norm1.forward(x), mask, seed));
    const m = dropout(gelu(this.fc1.forward(this.norm2.forward(h)), this.geluKind), p, seed + 1, on);
    return add(h, dropout(this.fc2.forward(m), p, seed + 2, on));
  }
}
