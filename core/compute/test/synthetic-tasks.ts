/** Synthetic classification tasks shared by the cpu and webgpu training tests. */
import {
  AdamW, Linear, ParameterRegistry, Rng, TransformerEncoderLayer, crossEntropy, mean, noGrad, tensor, type Tensor,
} from '../index.ts';

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

/**
 * Trains a 1-layer transformer encoder (d 16, 2 heads) on the default backend to find which of 4
 * class prototypes hides at a random position among noise tokens (classified from the mean-pooled
 * output); returns the accuracy on 400 held-out sequences.
 */
export async function trainSequenceTask(): Promise<number> {
  const d = 16, t = 8, classes = 4;
  const rng = new Rng(3);
  const protos = Array.from({ length: classes }, () => Array.from({ length: d }, () => rng.normal()));
  const batch = (n: number, r: Rng) => {
    const xs = new Float32Array(n * t * d), y: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = r.int(classes), at = r.int(t);
      y.push(c);
      for (let j = 0; j < t; j++) for (let k = 0; k < d; k++) xs[(i * t + j) * d + k] = j === at ? protos[c][k] : 0.7 * r.normal();
    }
    return { x: tensor(xs, [n, t, d]), y };
  };
  const layer = new TransformerEncoderLayer(d, 2, 32, { rng });
  const head = new Linear(d, classes, { rng });
  const reg = new ParameterRegistry();
  reg.registerAll(layer.namedParameters(), 'encoder');
  reg.registerAll(head.namedParameters(), 'head');
  const opt = new AdamW(reg.trainable(), { lr: 3e-3, weightDecay: 0 });
  const forward = (x: Tensor) => head.forward(mean(layer.forward(x), 1));
  for (let s = 0; s < 150; s++) {
    const { x, y } = batch(64, rng);
    opt.zeroGrad();
    crossEntropy(forward(x), y).backward({ freeGraph: true });
    await reg.clipGradNorm(5);
    opt.step();
  }
  const test = batch(400, new Rng(99));
  return accuracy(noGrad(() => forward(test.x)), test.y);
}
