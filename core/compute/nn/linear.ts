/**
 * Fully connected layer y = x Wᵀ + b, with W stored [out, in] as in PyTorch (so checkpoints
 * and exported weights map one to one).
 */
import { errors } from '../../errors/index.ts';
import { add } from '../ops/elementwise.ts';
import { matmul } from '../ops/matmul.ts';
import { reshape } from '../ops/shape.ts';
import { uniformTensor } from '../init.ts';
import { zeros, type Tensor } from '../tensor.ts';
import { Module, rngOf, type ModuleOptions } from './module.ts';

export interface LinearOptions extends ModuleOptions {
  bias?: boolean;
  /** 'default': PyTorch's U(±1/sqrt(in)) for weight and bias; 'zeros': all zero (adapter up-projections). */
  init?: 'default' | 'zeros';
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const rng = rngOf(opts);
    const bound = 1 / Math.sqrt(inFeatures);
    const create = { backend: opts.backend };
    const zero = opts.init === 'zeros';
    this.weight = this.param('weight', zero ? zeros([outFeatures, inFeatures], create) : uniformTensor([outFeatures, inFeatures], bound, rng, create));
    this.bias = opts.bias === false ? null
      : this.param('bias', zero ? zeros([outFeatures], create) : uniformTensor([outFeatures], bound, rng, create));
  }

  /** x is [..., in]; returns [..., out]. */
  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw errors.shapeMismatch('Linear', `expected [..., ${this.inFeatures}], got [${x.shape}]`);
    }
    const lead = x.shape.slice(0, -1);
    // Rank-2 input keeps one GEMM; higher ranks share the weight across the batch (one tall GEMM).
    const x2 = x.rank === 2 ? x : reshape(x, [-1, this.inFeatures]);
    let y = matmul(x2, this.weight, { transB: true });
    if (this.bias) y = add(y, this.bias);
    return x.rank === 2 ? y : reshape(y, [...lead, this.outFeatures]);
  }
}
