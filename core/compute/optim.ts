/**
 * Optimizers (PyTorch semantics, so hyper-parameters from the papers carry over): SGD with
 * momentum, dampening, weight decay, Nesterov and per-group settings; AdamW. Updates run as
 * backend kernels, in place on the parameters.
 */
import { errors } from '../errors/index.ts';
import type { DeviceBuffer } from './backend.ts';
import { noGrad, Tensor } from './tensor.ts';

type ParamList = Array<Tensor | readonly [string, Tensor]>;

export interface SgdSettings {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export interface AdamWSettings {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled weight decay (default 0.01, as PyTorch). */
  weightDecay?: number;
}

/** A set of parameters with their own settings (e.g. lr 1e-2 for new modules, 1e-3 for prompts). */
export type ParamGroup<S> = { params: ParamList; name?: string } & Partial<S>;

interface Group<S> {
  name: string;
  params: Tensor[];
  settings: S;
  /** The lr the group was created with; schedules scale it. */
  baseLr: number;
}

abstract class Optimizer<S extends { lr: number }> {
  readonly groups: Array<Group<S>>;
  protected stepCount = 0;

  constructor(params: ParamList | Array<ParamGroup<S>>, defaults: S) {
    const list = isGroupList<S>(params) ? params : [{ params } as ParamGroup<S>];
    this.groups = list.map((g, i) => {
      const settings = { ...defaults };
      for (const [k, v] of Object.entries(g)) if (k !== 'params' && k !== 'name' && v !== undefined) (settings as Record<string, unknown>)[k] = v;
      if (!(settings.lr >= 0)) throw errors.invalidComputeArgument('optimizer', `group ${i}: lr must be >= 0`);
      const tensors = g.params.map((p) => (p instanceof Tensor ? p : p[1]));
      return { name: g.name ?? `group${i}`, params: tensors, settings, baseLr: settings.lr };
    });
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const g of this.groups) for (const p of g.params) if (p.grad && p.requiresGrad) this.update(p, p.grad.buffer, g.settings);
    });
  }

  /** Zeroes the gradients of this optimizer's parameters. */
  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) if (p.grad) p.backend.fill(p.grad.buffer, 0);
  }

  /** Sets each group's lr to baseLr * factor (used by schedules). */
  scaleLr(factor: number): void {
    for (const g of this.groups) g.settings.lr = g.baseLr * factor;
  }

  get steps(): number {
    return this.stepCount;
  }

  protected abstract update(p: Tensor, grad: DeviceBuffer, s: S): void;
}

function isGroupList<S>(x: ParamList | Array<ParamGroup<S>>): x is Array<ParamGroup<S>> {
  return x.length > 0 && !(x[0] instanceof Tensor) && !Array.isArray(x[0]);
}

/** Stochastic gradient descent, exactly torch.optim.SGD's update rule. */
export class SGD extends Optimizer<Required<SgdSettings>> {
  private readonly momentumBufs = new Map<Tensor, Tensor>();

  constructor(params: ParamList | Array<ParamGroup<Required<SgdSettings>>>, defaults: SgdSettings) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...defaults });
    for (const g of this.groups) {
      const s = g.settings;
      if (s.nesterov && (s.momentum <= 0 || s.dampening !== 0)) {
        throw errors.invalidComputeArgument('SGD', `${g.name}: nesterov needs momentum > 0 and dampening 0`);
      }
    }
  }

  protected update(p: Tensor, grad: DeviceBuffer, s: Required<SgdSettings>): void {
    let buf = this.momentumBufs.get(p);
    const firstStep = !buf;
    if (!buf && s.momentum !== 0) {
      buf = new Tensor(p.backend, p.backend.alloc(p.size), p.shape);
      this.momentumBufs.set(p, buf);
    }
    p.backend.sgdUpdate(p.buffer, grad, buf?.buffer ?? null, p.size, {
      lr: s.lr, momentum: s.momentum, dampening: s.dampening, weightDecay: s.weightDecay, nesterov: s.nesterov, firstStep,
    });
  }
}

/** Adam with decoupled weight decay, exactly torch.optim.AdamW's update rule. */
export class AdamW extends Optimizer<Required<AdamWSettings>> {
  private readonly moments = new Map<Tensor, { m: Tensor; v: Tensor; step: number }>();

  constructor(params: ParamList | Array<ParamGroup<Required<AdamWSettings>>>, defaults: AdamWSettings) {
    super(params, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, ...defaults });
  }

  protected update(p: Tensor, grad: DeviceBuffer, s: Required<AdamWSettings>): void {
    let st = this.moments.get(p);
    if (!st) {
      const be = p.backend;
      st = { m: new Tensor(be, be.alloc(p.size), p.shape), v: new Tensor(be, be.alloc(p.size), p.shape), step: 0 };
      this.moments.set(p, st);
    }
    st.step++;
    p.backend.adamwUpdate(p.buffer, grad, st.m.buffer, st.v.buffer, p.size, {
      lr: s.lr, beta1: s.betas[0], beta2: s.betas[1], eps: s.eps, weightDecay: s.weightDecay, step: st.step,
    });
  }
}
