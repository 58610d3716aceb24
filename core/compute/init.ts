/**
 * Parameter initialisers (all seeded).
 */
import { tensor, type CreateOptions, type Tensor } from './tensor.ts';
import type { Rng } from './rng.ts';

/** U(-bound, bound) values. */
export function uniformTensor(shape: readonly number[], bound: number, rng: Rng, opts: CreateOptions = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.range(-bound, bound);
  return tensor(v, shape, opts);
}

/** N(0, std²) values. */
export function normalTensor(shape: readonly number[], std: number, rng: Rng, opts: CreateOptions = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = std * rng.normal();
  return tensor(v, shape, opts);
}
