/**
 * Central finite-difference gradient checks for the tests: compares the tape's gradients of
 * loss = Σ f(inputs) ⊙ R (R a fixed random weighting, so every output element matters)
 * against (loss(x + h) - loss(x - h)) / 2h for every input element.
 */
import { expect } from 'vitest';
import { mul, noGrad, Rng, sum, tensor, type Tensor } from '../index.ts';

export interface GradCheckOptions {
  /** Step of the central difference (f32 forward passes: 1e-2 keeps rounding noise small). */
  h?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
  /** Value generator per input (default U(-1, 1)). */
  init?: (rng: Rng, input: number, index: number) => number;
}

export async function gradCheck(shapes: number[][], fn: (...xs: Tensor[]) => Tensor, opts: GradCheckOptions = {}): Promise<void> {
  const rng = new Rng(opts.seed ?? 1);
  const h = opts.h ?? 1e-2, atol = opts.atol ?? 2e-3, rtol = opts.rtol ?? 2e-2;
  const init = opts.init ?? ((r) => r.range(-1, 1));
  const values = shapes.map((s, i) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => init(rng, i, 0)));
  const outShape = noGrad(() => fn(...values.map((v, i) => tensor(v, shapes[i]))).shape);
  const weights = Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.range(-1, 1));
  const lossOf = (xs: Tensor[]) => sum(mul(fn(...xs), tensor(weights, outShape)));

  const inputs = values.map((v, i) => tensor(v, shapes[i], { requiresGrad: true }));
  const loss = lossOf(inputs);
  loss.backward();
  for (let i = 0; i < inputs.length; i++) {
    const analytic = inputs[i].grad ? await inputs[i].grad!.data() : new Float32Array(values[i].length);
    for (let j = 0; j < values[i].length; j++) {
      const at = async (delta: number) => {
        const shifted = values.map((v) => Float32Array.from(v));
        shifted[i][j] += delta;
        return noGrad(() => lossOf(shifted.map((v, k) => tensor(v, shapes[k])))).item();
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      const ok = Math.abs(analytic[j] - numeric) <= atol + rtol * Math.abs(numeric);
      if (!ok) expect.fail(`input ${i} element ${j}: analytic ${analytic[j]} vs numeric ${numeric}`);
    }
  }
}
