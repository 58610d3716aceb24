/**
 * A minimal module tree: named parameters and children, so names like
 * `layers.0.attn.qkv.weight` come out of the structure and feed the ParameterRegistry.
 */
import type { Backend } from '../backend.ts';
import { Rng } from '../rng.ts';
import type { Tensor } from '../tensor.ts';

/** Construction options shared by every module. */
export interface ModuleOptions {
  /** Seeded generator for the initial weights (default: a fixed seed of 0). */
  rng?: Rng;
  backend?: Backend;
}

export abstract class Module {
  private readonly own = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  /** Dropout and similar behave differently when training. */
  training = true;

  protected param(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.own.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Every parameter with its dotted path, depth first, in declaration order. */
  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const at = (n: string) => (prefix ? `${prefix}.${n}` : n);
    const out: Array<[string, Tensor]> = [...this.own].map(([n, t]) => [at(n), t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(at(n)));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Switches training mode for this module and its children. */
  train(on = true): this {
    this.training = on;
    for (const m of this.children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }
}

export function rngOf(opts: ModuleOptions): Rng {
  return opts.rng ?? new Rng(0);
}
