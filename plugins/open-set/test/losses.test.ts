import { describe, expect, it } from 'vitest';
import { affine, noGrad, Rng, tensor, type Tensor } from '@visage/core/compute';
import { gradCheck } from '@visage/core/testing';
import {
  arplLogits, HESP_DEFAULTS, hespLoss, HespModel, parseHespAssignments, MotionTemporalAttention, negativePromptLoss, radiusLoss, resolveHespConfig, supConLoss,
} from '../src/open-set-api.ts';

const unitRows = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => {
  const v = Float32Array.from({ length: d }, () => rng.normal());
  const s = Math.hypot(...v);
  return v.map((x) => x / s);
});

describe('HESP loss terms match finite differences', () => {
  it('supervised contrastive loss (anchors without positives are skipped)', async () => {
    // Labels: 0 has three members, 1 two, 2 one (an anchor with no positive).
    await gradCheck([[6, 5]], (z) => supConLoss(z, [0, 1, 0, 2, 1, 0], 0.5));
  });

  it('supervised contrastive loss equals the formula on a hand-sized example', async () => {
    const z = [[1, 0], [0.6, 0.8], [0, 1]];
    const labels = [0, 0, 1], tau = 0.5;
    const got = await supConLoss(tensor(z.flat(), [3, 2]), labels, tau).item();
    const s = (i: number, j: number) => (z[i][0] * z[j][0] + z[i][1] * z[j][1]) / tau;
    // Anchors 0 and 1 have one positive each; anchor 2 has none.
    const term = (i: number, p: number) => -Math.log(Math.exp(s(i, p)) / [0, 1, 2].filter((a) => a !== i).reduce((acc, a) => acc + Math.exp(s(i, a)), 0));
    expect(got).toBeCloseTo(tau * (term(0, 1) + term(1, 0)) / 2, 5);
  });

  it('ARPL logits ‖v − c‖²/D − v·c', async () => {
    await gradCheck([[4, 3], [2, 3]], (v, c) => arplLogits(v, c));
    const v = [1, 2], c = [0.5, -1];
    const want = ((1 - 0.5) ** 2 + (2 + 1) ** 2) / 2 - (0.5 - 2);
    expect(await arplLogits(tensor(v, [1, 2]), tensor(c, [1, 2])).item()).toBeCloseTo(want, 5);
  });

  it('radius margin term (gradient reaches v, the reciprocal points and R)', async () => {
    // Values near the hinge are avoided by the init range: distances are well above R - 1.
    await gradCheck([[4, 3], [2, 3], [1]], (v, c, r) => radiusLoss(affine(v, 2, 0), c, r, [0, 1, 1, 0]));
  });

  it('negative-prompt loss (gradient to the prototypes)', async () => {
    await gradCheck([[3, 4], [3, 4]], (c, n) => negativePromptLoss(c, n, 5));
  });

  it('motion-conditioned temporal attention', async () => {
    const att = new MotionTemporalAttention(3);
    await gradCheck([[2, 4, 3], [2, 4], [3, 1], [1]], (f, m, u, a) => {
      // Swap in the checked tensors as the attention's parameters.
      Object.assign(att, { query: u, motionGain: a });
      return att.forward(f, m);
    });
  });
});

describe('HESP model', () => {
  const rng = new Rng(3);
  const k = 3, d = 6, t = 4, b = 6;
  const text = { classes: ['sad', 'happy', 'angry'], positive: unitRows(rng, k, d), negative: unitRows(rng, k, d) };
  const frames = tensor(unitRows(rng, b * t, d).flatMap((r) => [...r]), [b, t, d]);
  const motion = tensor(Array.from({ length: b * t }, () => rng.normal()), [b, t]);
  const labels = [0, 1, 2, 0, 1, 2];

  it('starts as HESP mean pooling: zero query and gain give the plain mean of the frames', async () => {
    const model = new HespModel(text, resolveHespConfig());
    const v = await noGrad(() => model.pool(frames, motion)).data();
    const f = await frames.data();
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let s = 0; s < t; s++) m += f[s * d + j] / t;
      expect(v[j]).toBeCloseTo(m, 6);
    }
  });

  it('every learnable part (class contexts, reciprocal points, radius, attention) gets the gradient of the total loss', async () => {
    // A smaller logit scale keeps the f32 central differences well conditioned.
    const config = resolveHespConfig({ logitScale: 10 });
    const model = new HespModel(text, config);
    // Move the attention off its zero init so its gradient path is exercised at a generic point.
    noGrad(() => {
      model.attention.query.backend.write(model.attention.query.buffer, Float32Array.from({ length: d }, () => rng.range(-0.5, 0.5)));
      model.attention.motionGain.backend.write(model.attention.motionGain.buffer, Float32Array.of(0.3));
    });
    const loss = () => hespLoss(model, model.forward(frames, motion), labels, config).total;
    loss().backward();
    const h = 1e-2;
    for (const [name, p] of model.namedParameters()) {
      const analytic = await p.grad!.data();
      expect(Math.max(...analytic.map(Math.abs)), `${name} has a zero gradient`).toBeGreaterThan(1e-4);
      const values = Float32Array.from(await p.data());
      for (const j of [0, Math.floor(p.size / 2), p.size - 1]) {
        const at = async (delta: number) => {
          const v = Float32Array.from(values);
          v[j] += delta;
          p.backend.write(p.buffer, v);
          return noGrad(loss).item();
        };
        const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
        p.backend.write(p.buffer, values);
        expect(Math.abs(analytic[j] - numeric), `${name}[${j}]: analytic ${analytic[j]} vs numeric ${numeric}`).toBeLessThan(3e-3 + 3e-2 * Math.abs(numeric));
      }
    }
  });

  it('a zero loss weight removes its term; weights scale their terms', async () => {
    const model = new HespModel(text, resolveHespConfig());
    const out = model.forward(frames, motion);
    const base = hespLoss(model, out, labels, resolveHespConfig());
    const only = hespLoss(model, out, labels, resolveHespConfig({ loss: { clip: 2, supcon: 0, arpl: 0, radius: 0, negative: 0, ensemble: 0 } }));
    expect(await only.total.item()).toBeCloseTo(2 * (await base.clip.item()), 4);
    const sum = (await Promise.all([base.clip, base.supcon, base.arpl, base.negative, base.ensemble].map((x: Tensor) => x.item()))).reduce((a, c) => a + c, 0)
      + 0.1 * (await base.radius.item());
    expect(await base.total.item()).toBeCloseTo(sum, 3);
  });

  it('rejects bad settings with OPEN_SET_CONFIG_INVALID naming the field', () => {
    expect(() => resolveHespConfig({ loss: { arpl: -1 } })).toThrow(/loss\.arpl/);
    expect(() => resolveHespConfig({ epochs: 0 })).toThrow(expect.objectContaining({ code: 'OPEN_SET_CONFIG_INVALID' }));
    expect(() => resolveHespConfig({ pooling: 'max' as never })).toThrow(/pooling/);
  });

  it('parses --hesp key=value settings, loss weights by dotted key', () => {
    expect(parseHespAssignments(['loss.negative=0', 'pooling=mean', 'lr=0.05', 'milestones=10,20'])).toEqual({ loss: { negative: 0 }, pooling: 'mean', lr: 0.05, milestones: [10, 20] });
    const cfg = resolveHespConfig(parseHespAssignments(['loss.negative=0']));
    expect(cfg.loss).toEqual({ ...HESP_DEFAULTS.loss, negative: 0 });
    expect(() => parseHespAssignments(['loss.nope=1'])).toThrow(/key among/);
    expect(() => parseHespAssignments(['lr'])).toThrow(/key=value/);
  });
});
