/**
 * The named parameter registry: every trainable tensor of a run under a stable dotted name
 * (`temporal.layers.0.attn.qkv.weight`), used by optimizers, gradient clipping and checkpoints.
 */
import { errors } from '../errors/index.ts';
import { noGrad, type Tensor } from './tensor.ts';

export class ParameterRegistry {
  private readonly params = new Map<string, Tensor>();
  private readonly frozen = new Set<string>();

  /** Adds a parameter (marks it requiresGrad); names must be unique. */
  register(name: string, t: Tensor): Tensor {
    if (this.params.has(name)) throw errors.parameterExists(name);
    t.requiresGrad = !this.frozen.has(name);
    this.params.set(name, t);
    return t;
  }

  /** Registers every [name, tensor] pair under `prefix.` (e.g. a module's namedParameters()). */
  registerAll(entries: Iterable<readonly [string, Tensor]>, prefix = ''): void {
    for (const [name, t] of entries) this.register(prefix ? `${prefix}.${name}` : name, t);
  }

  get(name: string): Tensor | undefined {
    return this.params.get(name);
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** All parameters in registration order. */
  entries(): Array<[string, Tensor]> {
    return [...this.params.entries()];
  }

  /** Parameters that currently train (not frozen). */
  trainable(): Array<[string, Tensor]> {
    return this.entries().filter(([name]) => !this.frozen.has(name));
  }

  /** Stops training every parameter whose name starts with `prefix` (PEFT: freeze the backbone). */
  freeze(prefix: string): void {
    for (const [name, t] of this.params) {
      if (name.startsWith(prefix)) {
        this.frozen.add(name);
        t.requiresGrad = false;
      }
    }
  }

  unfreeze(prefix: string): void {
    for (const [name, t] of this.params) {
      if (name.startsWith(prefix)) {
        this.frozen.delete(name);
        t.requiresGrad = true;
      }
    }
  }

  /** Number of scalar values (all, or trainable only). */
  count(trainableOnly = false): number {
    return (trainableOnly ? this.trainable() : this.entries()).reduce((s, [, t]) => s + t.size, 0);
  }

  /** Zeroes accumulated gradients (call once per optimizer step, not per micro-batch). */
  zeroGrad(): void {
    for (const t of this.params.values()) if (t.grad) t.backend.fill(t.grad.buffer, 0);
  }

  /** Multiplies every gradient by `factor` (e.g. 1/k after accumulating k micro-batches). */
  scaleGrads(factor: number): void {
    noGrad(() => {
      for (const t of this.params.values()) if (t.grad) t.backend.affine(t.grad.buffer, t.grad.buffer, t.size, factor, 0);
    });
  }

  /** Global L2 norm of all gradients. */
  async gradNorm(): Promise<number> {
    let total = 0;
    for (const t of this.params.values()) {
      if (!t.grad) continue;
      const be = t.backend;
      const sq = be.alloc(t.size), s = be.alloc(1);
      be.unary('square', t.grad.buffer, sq, t.size);
      be.reduce('sum', sq, s, { outer: 1, axis: t.size, inner: 1 });
      total += (await be.read(s))[0];
      be.dispose(sq);
      be.dispose(s);
    }
    return Math.sqrt(total);
  }

  /**
   * Rescales gradients so their global L2 norm is at most maxNorm (PyTorch clip_grad_norm_:
   * factor maxNorm / (norm + 1e-6) when below 1). Returns the norm before clipping.
   */
  async clipGradNorm(maxNorm: number): Promise<number> {
    const norm = await this.gradNorm();
    const factor = maxNorm / (norm + 1e-6);
    if (factor < 1) this.scaleGrads(factor);
    return norm;
  }
}
