import { describe, expect, it } from 'vitest';
import {
  Adapter, Linear, MultiHeadAttention, ParameterRegistry, Rng, TransformerEncoderLayer, noGrad, tensor, zeros,
} from '../index.ts';

const count = (ps: Array<[string, { size: number }]>) => ps.reduce((s, [, t]) => s + t.size, 0);

describe('nn building blocks', () => {
  it('a 768-d adapter with ratio 0.25 has 295,872 parameters (method.md A.2)', () => {
    expect(count(new Adapter(768).namedParameters())).toBe(295_872);
    expect(count(new Adapter(512).namedParameters())).toBe(131_712);
  });

  it('a fresh adapter is the identity (zero-initialised up-projection)', async () => {
    const rng = new Rng(1);
    const x = tensor(Float32Array.from({ length: 3 * 16 }, () => rng.normal()), [3, 16]);
    const y = noGrad(() => new Adapter(16, { rng }).forward(x));
    expect([...(await y.data())]).toEqual([...(await x.data())]);
  });

  it("DFER-CLIP's temporal transformer has 2,110,464 parameters (layer + CLS + 17 positions)", () => {
    const layer = new TransformerEncoderLayer(512, 8, 1024);
    const reg = new ParameterRegistry();
    reg.registerAll(layer.namedParameters(), 'temporal.layer');
    reg.register('temporal.cls', zeros([1, 1, 512]));
    reg.register('temporal.pos', zeros([1, 17, 512]));
    expect(reg.count()).toBe(2_110_464);
    expect(reg.has('temporal.layer.attn.qkv.weight')).toBe(true);
    expect(reg.has('temporal.layer.attn.qkv.bias')).toBe(false);
  });

  it('Linear computes x Wᵀ + b with a PyTorch [out, in] weight, for any leading dims', async () => {
    const lin = new Linear(3, 2, { rng: new Rng(2) });
    const w = await lin.weight.data(), b = await lin.bias!.data();
    const xs = [1, 2, 3, -1, 0.5, 0, 2, 2, 2, 0, 0, 1];
    const y = await noGrad(() => lin.forward(tensor(xs, [2, 2, 3]))).data();
    expect(lin.forward(tensor(xs, [2, 2, 3])).shape).toEqual([2, 2, 2]);
    for (let r = 0; r < 4; r++) {
      for (let o = 0; o < 2; o++) {
        const want = b[o] + w[o * 3] * xs[r * 3] + w[o * 3 + 1] * xs[r * 3 + 1] + w[o * 3 + 2] * xs[r * 3 + 2];
        expect(y[r * 2 + o]).toBeCloseTo(want, 5);
      }
    }
  });

  it('a masked key does not change attention outputs', async () => {
    const rng = new Rng(4);
    const mha = new MultiHeadAttention(8, 2, { rng });
    const base = Float32Array.from({ length: 4 * 8 }, () => rng.normal());
    const changed = Float32Array.from(base);
    for (let k = 0; k < 8; k++) changed[3 * 8 + k] += 5; // perturb token 3
    const mask = tensor([0, 0, 0, -1e9], [1, 1, 1, 4]);
    const run = (v: Float32Array) => noGrad(() => mha.forward(tensor(v, [1, 4, 8]), mask)).data();
    const [a, b] = [await run(base), await run(changed)];
    // Tokens 0..2 attend only to 0..2, which did not change.
    for (let i = 0; i < 3 * 8; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  });

  it('rejects a head count that does not divide the width', () => {
    expect(() => new MultiHeadAttention(10, 3)).toThrowError(/divisible/);
  });
});
