import { describe, expect, it } from 'vitest';
import {
  Linear, Module, ParameterRegistry, Rng, SGD, TransformerEncoderLayer, crossEntropy, dropout, mean, mul, noGrad, relu, tensor,
  type Tensor,
} from '../index.ts';
import { accuracy, quadrants, trainSequenceTask } from './synthetic-tasks.ts';



class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(rng: Rng, private readonly p: number) {
    super();
    this.fc1 = this.child('fc1', new Linear(2, 32, { rng }));
    this.fc2 = this.child('fc2', new Linear(32, 2, { rng }));
  }
  forward(x: Tensor, seed: number): Tensor {
    return this.fc2.forward(dropout(relu(this.fc1.forward(x)), this.p, seed, this.training));
  }
}

async function trainMlp(seed: number, steps: number, p = 0): Promise<{ model: Mlp; test: number }> {
  const rng = new Rng(seed);
  const model = new Mlp(rng, p);
  const reg = new ParameterRegistry();
  reg.registerAll(model.namedParameters(), 'mlp');
  const opt = new SGD(reg.trainable(), { lr: 0.1, momentum: 0.9 });
  const train = quadrants(256, rng);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    crossEntropy(model.forward(train.x, rng.seed()), train.y).backward();
    opt.step();
  }
  model.eval();
  const test = quadrants(400, new Rng(seed + 1000));
  return { model, test: await accuracy(noGrad(() => model.forward(test.x, 0)), test.y) };
}

describe('training', () => {
  it('a 2-layer MLP learns a non-linear separable task to >= 95% test accuracy', async () => {
    const { test } = await trainMlp(1, 300);
    expect(test).toBeGreaterThanOrEqual(0.95);
  });

  it('a cpu run is reproducible bit for bit (init, shuffling, dropout), and the seed matters', async () => {
    const bytes = async (m: Mlp) => Promise.all(m.parameters().map(async (t) => [...new Uint32Array((await t.data()).slice().buffer)]));
    const a = await bytes((await trainMlp(7, 20, 0.2)).model);
    const b = await bytes((await trainMlp(7, 20, 0.2)).model);
    const c = await bytes((await trainMlp(8, 20, 0.2)).model);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('multi-threaded onnxruntime GEMMs keep a transformer step bit-for-bit reproducible', async () => {
    // 544 x 256 x 768 projections: large enough for the threaded GEMM path.
    const run = async () => {
      const rng = new Rng(11);
      const layer = new TransformerEncoderLayer(256, 4, 512, { rng });
      const opt = new SGD(layer.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = tensor(Float32Array.from({ length: 32 * 17 * 256 }, () => rng.normal()), [32, 17, 256]);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const loss = mean(mul(layer.forward(x), layer.forward(x)));
        losses.push(await loss.item());
        loss.backward({ freeGraph: true });
        opt.step();
      }
      return { losses, w: [...new Uint32Array((await layer.fc1.weight.data()).slice().buffer)] };
    };
    const [a, b] = [await run(), await run()];
    expect(a.losses).toEqual(b.losses);
    expect(a.w).toEqual(b.w);
  });

  it('a 1-layer transformer encoder learns a sequence task to >= 95% test accuracy', async () => {
    expect(await trainSequenceTask()).toBeGreaterThanOrEqual(0.95);
  });
});
