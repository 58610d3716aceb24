/**
 * Layer normalisation over the last axis with a learnable scale (ones) and shift (zeros).
 */
import { layerNorm } from '../ops/nn.ts';
import { ones, zeros, type Tensor } from '../tensor.ts';
import { Module, type ModuleOptions } from './module.ts';

export class LayerNorm extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;

  constructor(readonly dim: number, readonly eps = 1e-5, opts: ModuleOptions = {}) {
    super();
    this.gamma = this.param('weight', ones([dim], { backend: opts.backend }));
    this.beta = this.param('bias', zeros([dim], { backend: opts.backend }));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.gamma, this.beta, this.eps);
  }
}
