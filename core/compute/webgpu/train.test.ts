/**
 * The training tests of core/compute/test/train.test.ts (same tasks, models, optimizers and
 * thresholds) run on the webgpu backend, plus an end-to-end parity check: the same seeded
 * training steps give the same losses on webgpu and cpu.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  AdamW, CpuBackend, Linear, Module, ParameterRegistry, Rng, SGD, TransformerEncoderLayer, crossEntropy, mean, noGrad, relu, tensor,
  type Backend, type Tensor,
} from '../index.ts';
import { getDefaultBackend, setDefaultBackend } from '../tensor.ts';
import { inCI, startOrExplain } from './test-support.ts';
import { accuracy, quadrants } from '../test/synthetic-tasks.ts';

const { gpu, reason } = await startOrExplain();
const previous = getDefaultBackend();

afterAll(async () => {
  setDefaultBackend(previous);
  await gpu?.close();
});

it('has a WebGPU adapter (required in CI)', () => {
  if (inCI) expect(gpu, reason).not.toBeNull();
});

/** Runs fn with `backend` as the default backend of new tensors. */
async function on<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  const before = getDefaultBackend();
  setDefaultBackend(backend);
  try {
    return await fn();
  } finally {
    setDefaultBackend(before);
  }
}



class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(rng: Rng) {
    super();
    this.fc1 = this.child('fc1', new Linear(2, 32, { rng }));
    this.fc2 = this.child('fc2', new Linear(32, 2, { rng }));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(relu(this.fc1.forward(x)));
  }
}

/** Trains the MLP; returns the loss of every step and the test accuracy. */
async function trainMlp(seed: number, steps: number): Promise<{ losses: number[]; test: number }> {
  const rng = new Rng(seed);
  const model = new Mlp(rng);
  const reg = new ParameterRegistry();
  reg.registerAll(model.namedParameters(), 'mlp');
  const opt = new SGD(reg.trainable(), { lr: 0.1, momentum: 0.9 });
  const train = quadrants(256, rng);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(train.x), train.y);
    loss.backward();
    opt.step();
    if (s < 10 || s === steps - 1) losses.push((await loss.data())[0]);
  }
  model.eval();
  const test = quadrants(400, new Rng(seed + 1000));
  return { losses, test: await accuracy(noGrad(() => model.forward(test.x)), test.y) };
}

describe.skipIf(!gpu)('training on webgpu', () => {
  it('a 2-layer MLP learns a non-linear separable task to >= 95% test accuracy, with the losses of cpu', async () => {
    const onGpu = await on(gpu!, () => trainMlp(1, 300));
    const onCpu = await on(new CpuBackend({ threads: 1 }), () => trainMlp(1, 300));
    expect(onGpu.test).toBeGreaterThanOrEqual(0.95);
    // The first steps agree to f32 rounding; later ones may drift apart slowly.
    onGpu.losses.slice(0, 5).forEach((l, i) => expect(Math.abs(l - onCpu.losses[i]) / onCpu.losses[i]).toBeLessThan(1e-4));
    expect(Math.abs(onGpu.test - onCpu.test)).toBeLessThanOrEqual(0.02);
  });

  it('a 1-layer transformer encoder learns a sequence task to >= 95% test accuracy', async () => {
    await on(gpu!, async () => {
      // Each sequence hides one of 4 class prototypes at a random position among noise tokens.
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
        crossEntropy(forward(x), y).backward();
        await reg.clipGradNorm(5);
        opt.step();
      }
      const test = batch(400, new Rng(99));
      expect(await accuracy(noGrad(() => forward(test.x)), test.y)).toBeGreaterThanOrEqual(0.95);
    });
  });
});
