import { describe, expect, it } from 'vitest';
import {
  AdamW, LrSchedule, ParameterRegistry, SGD, cosineWarmupFactor, multiStepFactor, mul, sum, tensor, type Tensor,
} from '../index.ts';

/** loss = Σ p ⊙ c, so the gradient is exactly c at every step. */
function linearLoss(p: Tensor, c: number[]): void {
  sum(mul(p, tensor(c, [c.length]))).backward();
}

async function run(opt: { step(): void; zeroGrad(): void }, p: Tensor, steps: number): Promise<number[]> {
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    linearLoss(p, [0.5, 3]);
    opt.step();
  }
  return [...(await p.data())];
}

const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));

describe('SGD equals hand-computed updates (PyTorch rule)', () => {
  it('momentum 0.9 with weight decay 0.01', async () => {
    const p = tensor([1, -2], [2], { requiresGrad: true });
    // step 1: d = g + wd p = [0.51, 2.98], buf = d, p = [0.949, -2.298]
    // step 2: d = [0.50949, 2.97702], buf = 0.9 [0.51, 2.98] + d, p = [0.852151, -2.863902]
    close(await run(new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), p, 2), [0.852151, -2.863902]);
  });
  it('nesterov', async () => {
    const p = tensor([1, -2], [2], { requiresGrad: true });
    // step 1: p -= 0.1 (d + 0.9 d); step 2: buf = 0.9 buf + d, p -= 0.1 (d + 0.9 buf)
    close(await run(new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }), p, 2), [0.76507411, -3.37270422]);
  });
  it('dampening applies from the second step', async () => {
    const p = tensor([1, -2], [2], { requiresGrad: true });
    // buf1 = g; buf2 = 0.9 g + 0.5 g = 1.4 g
    close(await run(new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 }), p, 2), [0.88, -2.72]);
  });
  it('parameter groups keep their own learning rates', async () => {
    const a = tensor([1, -2], [2], { requiresGrad: true });
    const b = tensor([1, -2], [2], { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b], lr: 0.01 }], { lr: 1 });
    linearLoss(a, [0.5, 3]);
    linearLoss(b, [0.5, 3]);
    opt.step();
    close([...(await a.data())], [0.95, -2.3]);
    close([...(await b.data())], [0.995, -2.03]);
  });
  it('rejects nesterov without momentum', () => {
    expect(() => new SGD([tensor([1])], { lr: 0.1, nesterov: true })).toThrowError(/nesterov/);
  });
});

describe('AdamW equals hand-computed updates', () => {
  it('two steps with a constant gradient move each weight by lr, after decoupled decay', async () => {
    const p = tensor([1, -2], [2], { requiresGrad: true });
    // step 1: p *= 0.99 -> [0.99, -1.98]; m̂/√v̂ = sign(g) = 1 -> p = [0.89, -2.08]
    // step 2: p *= 0.99 -> [0.8811, -2.0592]; again -0.1 -> [0.7811, -2.1592]
    close(await run(new AdamW([p], { lr: 0.1, weightDecay: 0.1 }), p, 2), [0.7811, -2.1592]);
  });
});

describe('schedules', () => {
  it('multistep: ×0.1 at each milestone (DFER-CLIP [30, 40])', () => {
    expect(multiStepFactor(29, [30, 40], 0.1)).toBe(1);
    expect(multiStepFactor(30, [30, 40], 0.1)).toBeCloseTo(0.1, 12);
    expect(multiStepFactor(45, [30, 40], 0.1)).toBeCloseTo(0.01, 12);
  });
  it('cosine with warmup: linear ramp, then half a cosine to the floor', () => {
    expect(cosineWarmupFactor(0, 10, 110)).toBeCloseTo(0.1, 12);
    expect(cosineWarmupFactor(9, 10, 110)).toBeCloseTo(1, 12);
    expect(cosineWarmupFactor(10, 10, 110)).toBeCloseTo(1, 12);
    expect(cosineWarmupFactor(60, 10, 110)).toBeCloseTo(0.5, 12);
    expect(cosineWarmupFactor(110, 10, 110)).toBeCloseTo(0, 12);
    expect(cosineWarmupFactor(500, 10, 110, 0.1)).toBeCloseTo(0.1, 12);
  });
  it('drives every group of an optimizer from its base lr', () => {
    const a = tensor([1], [1], { requiresGrad: true }), b = tensor([1], [1], { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 1e-2 }, { params: [b], lr: 1e-3 }], { lr: 1 });
    const sched = LrSchedule.multiStep(opt, [2], 0.1);
    sched.step();
    expect(opt.groups.map((g) => g.settings.lr)).toEqual([1e-2, 1e-3]);
    sched.step();
    expect(opt.groups[0].settings.lr).toBeCloseTo(1e-3, 12);
    expect(opt.groups[1].settings.lr).toBeCloseTo(1e-4, 12);
  });
});

describe('parameter registry', () => {
  it('accumulates gradients over backward calls until zeroGrad', async () => {
    const reg = new ParameterRegistry();
    const p = reg.register('w', tensor([1, 2], [2]));
    linearLoss(p, [0.5, 3]);
    linearLoss(p, [0.5, 3]);
    expect([...(await p.grad!.data())]).toEqual([1, 6]);
    reg.scaleGrads(0.5);
    expect([...(await p.grad!.data())]).toEqual([0.5, 3]);
    reg.zeroGrad();
    expect([...(await p.grad!.data())]).toEqual([0, 0]);
  });
  it('clips the global gradient norm', async () => {
    const reg = new ParameterRegistry();
    const a = reg.register('a', tensor([0], [1]));
    const b = reg.register('b', tensor([0], [1]));
    linearLoss(a, [3]);
    linearLoss(b, [4]);
    expect(await reg.clipGradNorm(1)).toBeCloseTo(5, 6);
    expect((await a.grad!.data())[0]).toBeCloseTo(0.6, 5);
    expect((await b.grad!.data())[0]).toBeCloseTo(0.8, 5);
    expect(await reg.gradNorm()).toBeCloseTo(1, 5);
  });
  it('freezes by prefix, rejects duplicate names, counts values', () => {
    const reg = new ParameterRegistry();
    reg.register('clip.w', tensor([1, 2, 3], [3]));
    reg.register('adapter.w', tensor([1, 2], [2]));
    reg.freeze('clip.');
    expect(reg.get('clip.w')!.requiresGrad).toBe(false);
    expect(reg.trainable().map(([n]) => n)).toEqual(['adapter.w']);
    expect(reg.count()).toBe(5);
    expect(reg.count(true)).toBe(2);
    expect(() => reg.register('adapter.w', tensor([1]))).toThrowError(/already registered/);
  });
});
