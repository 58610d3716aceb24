/** Synthetic classification tasks shared by the cpu and webgpu training tests. */
import { Rng, tensor, type Tensor } from '../index.ts';

/** Fraction of rows whose argmax is the label. */
export async function accuracy(logits: Tensor, labels: number[]): Promise<number> {
  const v = await logits.data();
  const c = logits.shape[1];
  let right = 0;
  labels.forEach((y, i) => {
    let best = 0;
    for (let j = 1; j < c; j++) if (v[i * c + j] > v[i * c + best]) best = j;
    if (best === y) right++;
  });
  return right / labels.length;
}

/** XOR-like quadrants in 2-d: not linearly separable, so the hidden layer must do work. */
export function quadrants(n: number, rng: Rng): { x: Tensor; y: number[] } {
  const xs = new Float32Array(n * 2), y: number[] = [];
  for (let i = 0; i < n; i++) {
    let a = 0, b = 0;
    while (Math.abs(a) < 0.1 || Math.abs(b) < 0.1) [a, b] = [rng.range(-1, 1), rng.range(-1, 1)];
    xs[2 * i] = a;
    xs[2 * i + 1] = b;
    y.push(a * b > 0 ? 1 : 0);
  }
  return { x: tensor(xs, [n, 2]), y };
}
