/**
 * Residual bottleneck adapter (method.md A.2 item 2, after S2D's Adapter):
 * y = x + up(GELU(down(x))), down: dim -> dim*ratio, up: zero-initialised, so a fresh adapter
 * is the identity and training starts from the frozen backbone's behaviour.
 */
import { add, gelu } from '../ops/elementwise.ts';
import type { Tensor } from '../tensor.ts';
import { Linear } from './linear.ts';
import { Module, rngOf, type ModuleOptions } from './module.ts';

export interface AdapterOptions extends ModuleOptions {
  /** Bottleneck ratio (default 0.25: 768 -> 192 -> 768). */
  ratio?: number;
  /** GELU variant (S2D uses nn.GELU, the exact erf form). */
  gelu?: 'tanh' | 'erf';
  /** Add the input back (default true); false returns only the bottleneck branch (parallel adapters). */
  residual?: boolean;
}

export class Adapter extends Module {
  readonly down: Linear;
  readonly up: Linear;
  readonly hidden: number;
  private readonly geluKind: 'tanh' | 'erf';
  private readonly residual: boolean;

  constructor(readonly dim: number, opts: AdapterOptions = {}) {
    super();
    const rng = rngOf(opts);
    this.hidden = Math.max(1, Math.round(dim * (opts.ratio ?? 0.25)));
    this.geluKind = opts.gelu ?? 'erf';
    this.residual = opts.residual ?? true;
    this.down = this.child('down', new Linear(dim, this.hidden, { rng, backend: opts.backend }));
    this.up = this.child('up', new Linear(this.hidden, dim, { init: 'zeros', backend: opts.backend }));
  }

  forward(x: Tensor): Tensor {
    const branch = this.up.forward(gelu(this.down.forward(x), this.geluKind));
    return this.residual ? add(x, branch) : branch;
  }
}
