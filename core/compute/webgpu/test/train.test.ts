/**
 * The training tests of core/compute/test/train.test.ts (same tasks, models, optimizers and
 * thresholds) run on the webgpu backend, plus an end-to-end parity check: the same seeded
 * training steps give the same losses on webgpu and cpu.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CpuBackend, Linear, Module, ParameterRegistry, Rng, SGD, crossEntropy, noGrad, relu,
  type Backend, type Tensor,
} from '../../index.ts';
import { getDefaultBackend, setDefaultBackend } from '../../tensor.ts';
import { inCI, startOrExplain } from './test-support.ts';
import { accuracy, quadrants, trainSequenceTask } from '../../test/synthetic-tasks.ts';

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

  // About 30 s on SwiftShader alone; the full suite runs beside it on 2 cores, so it gets room.
  it('a 1-layer transformer encoder learns a sequence task to >= 95% test accuracy', async () => {
    await on(gpu!, async () => {
      expect(await trainSequenceTask()).toBeGreaterThanOrEqual(0.95);
    });
  }, 240_000);
});
