import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crossEntropy, noGrad, Rng, tensor, type Tensor } from '@visage/core/compute';
import { classLogits, defaultConfig, descriptorScores, descriptorTensors, FineCliperModel, type DescriptorEmbeddings, type FineCliperConfig, type Formulation } from '../src/fineclipper/fineclipper-model.ts';
import { DEFAULT_TEMPLATES, descriptorTexts } from '../src/fineclipper/descriptors.ts';
import { batchOf, carveValidation, predictLogits, zeroShotLogits, type ClipFeatures } from '../src/fineclipper/train.ts';
import { loadFineCliper, saveFineCliper } from '../src/fineclipper/checkpoint-io.ts';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

const D = 8, T = 4, C = 3;
const classes = ['happy', 'sad', 'angry'];

function unit(rng: Rng, n = D): Float32Array {
  const v = Float32Array.from({ length: n }, () => rng.normal());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function descriptors(seed: number): DescriptorEmbeddings {
  const rng = new Rng(seed);
  return { positive: classes.map(() => unit(rng)), negative: classes.map(() => unit(rng)) };
}

function clips(n: number, seed: number): ClipFeatures[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    label: classes[i % C],
    levels: {
      frames: { shape: [T, D], data: Float32Array.from({ length: T * D }, () => rng.normal()) },
      text: { shape: [2, D], data: Float32Array.from({ length: 2 * D }, () => rng.normal()) },
    },
  }));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

describe('descriptor scores (method.md A.2 item 1)', () => {
  it('compute (v·t⁺ − v·t⁻)/τ, or [v·t⁺, v·t⁻]/τ for the 2C-way softmax', async () => {
    const rng = new Rng(3);
    const v = [unit(rng), unit(rng)];
    const d = descriptors(4);
    const text = descriptorTensors(d);
    const vt = tensor(Float32Array.from(v.flatMap((r) => [...r])), [2, D]);
    for (const f of ['contrast', 'binary', 'softmax-2c'] as Formulation[]) {
      const got = await descriptorScores(vt, text.positive, text.negative, f, 0.01).data();
      const want = v.flatMap((r) => f === 'softmax-2c'
        ? [...d.positive.map((p) => dot(r, p) / 0.01), ...d.negative.map((q) => dot(r, q) / 0.01)]
        : d.positive.map((p, k) => (dot(r, p) - dot(r, d.negative[k])) / 0.01));
      expect(Array.from(got).map((x, i) => x - want[i]).every((e) => Math.abs(e) < 1e-3)).toBe(true);
    }
  });

  it('take C class logits from either layout', () => {
    const scores = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(classLogits(scores, 2, 'softmax-2c', 3).map((r) => [...r])).toEqual([[1, 2, 3], [7, 8, 9]]);
    expect(classLogits(scores, 4, 'contrast', 3).map((r) => [...r])).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
  });

  it('fill the templates per class and refuse one without {label}', () => {
    const t = descriptorTexts(['Happy', 'Sad']);
    expect(t.positive).toEqual(['A person with an expression of happy', 'A person with an expression of sad']);
    expect(t.negative).toEqual(['A person with an expression of no happy', 'A person with an expression of no sad']);
    expect(() => descriptorTexts(['a', 'b'], { ...DEFAULT_TEMPLATES, negative: 'no label here' })).toThrow(expect.objectContaining({ code: 'FINECLIPER_OPTION_INVALID' }));
  });
});

function config(over: Partial<FineCliperConfig> = {}): FineCliperConfig {
  return defaultConfig(classes, D, T, [
    { name: 'frames', kind: 'frames', temporal: 'transformer', weight: 1 },
    { name: 'text', kind: 'text', weight: 0.5 },
  ], { seed: 5, ...over });
}

describe('FineCliperModel', () => {
  it('starts as the zero-shot classifier: identity adapters, mean over frames, fixed weights', async () => {
    for (const formulation of ['contrast', 'softmax-2c'] as Formulation[]) {
      const cfg = config({ fusion: 'fixed', formulation, levels: [
        { name: 'frames', kind: 'frames', temporal: 'mean', weight: 1 },
        { name: 'text', kind: 'text', weight: 0.5 },
      ] });
      const model = new FineCliperModel(cfg);
      const d = descriptors(1);
      const data = clips(5, 2);
      const got = await predictLogits(model, d, data);
      data.forEach((c, i) => {
        const want = zeroShotLogits(cfg, d, c);
        for (let k = 0; k < C; k++) expect(got[i][k]).toBeCloseTo(want[k], 2);
      });
    }
  });

  it('has gradients that match central finite differences (fusion α, adapter, temporal CLS)', async () => {
    const cfg = config({ temperature: 0.2 });
    const model = new FineCliperModel(cfg);
    const text = descriptorTensors(descriptors(7));
    const data = clips(6, 8);
    const y = data.map((c) => classes.indexOf(c.label!));
    const batch = batchOf(data, cfg.levels, T);
    // Move the zero-initialised up-projections off zero so every path carries gradient.
    const named = new Map(model.namedParameters());
    const rng = new Rng(9);
    for (const [name, p] of named) if (name.includes('adapter.up')) p.backend.write(p.buffer, Float32Array.from({ length: p.size }, () => 0.1 * rng.normal()));
    named.get('fusion.alpha')!.backend.write(named.get('fusion.alpha')!.buffer, Float32Array.from([0.3, -0.2]));
    const lossAt = async () => noGrad(() => crossEntropy(model.forward(batch, text), y)).item();

    model.train();
    const loss = crossEntropy(model.forward(batch, text), y);
    loss.backward();
    const probes: Array<[string, number]> = [['fusion.alpha', 0], ['fusion.alpha', 1], ['levels.frames.adapter.up.weight', 5], ['levels.frames.adapter.down.weight', 3], ['levels.text.adapter.up.weight', 2], ['levels.frames.cls', 4], ['levels.frames.temporal.fc1.weight', 11]];
    for (const [name, index] of probes) {
      const p = named.get(name)!;
      const analytic = (await p.grad!.data())[index];
      const values = await p.data();
      const h = 2e-3;
      const at = async (delta: number) => {
        const v = values.slice();
        v[index] += delta;
        p.backend.write(p.buffer, v);
        return lossAt();
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      p.backend.write(p.buffer, values);
      expect(Math.abs(analytic - numeric), `${name}[${index}]: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
    }
  });

  it('splits parameters into new modules (lr 1e-2) and adapters (lr 1e-3)', () => {
    const model = new FineCliperModel(config());
    const adapters = model.adapterParameters().map(([n]) => n);
    const fresh = model.newModuleParameters().map(([n]) => n);
    expect(adapters).toEqual(expect.arrayContaining(['levels.frames.adapter.down.weight', 'levels.text.adapter.up.bias']));
    expect(fresh).toEqual(expect.arrayContaining(['levels.frames.cls', 'levels.frames.pos', 'levels.frames.temporal.attn.qkv.weight', 'fusion.alpha']));
    expect(adapters.length + fresh.length).toBe(model.namedParameters().length);
    expect(fresh.some((n) => n.includes('adapter'))).toBe(false);
  });

  it('saves and loads a checkpoint that gives the same logits, and refuses a foreign one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-fc-'));
    dirs.push(dir);
    const model = new FineCliperModel(config());
    const rng = new Rng(11);
    for (const p of model.parameters()) p.backend.write(p.buffer, Float32Array.from({ length: p.size }, () => 0.05 * rng.normal()));
    const d = descriptors(12);
    const data = clips(4, 13);
    const file = join(dir, 'model.safetensors');
    await saveFineCliper(file, model, { templates: DEFAULT_TEMPLATES });
    const loaded = await loadFineCliper(file);
    expect(loaded.templates).toEqual(DEFAULT_TEMPLATES);
    expect(loaded.model.config).toEqual(model.config);
    expect(await predictLogits(loaded.model, d, data)).toEqual(await predictLogits(model, d, data));
    const { saveCheckpoint } = await import('@visage/core/compute');
    await saveCheckpoint(join(dir, 'other.safetensors'), [['w', tensor([1, 2])] as [string, Tensor]]);
    await expect(loadFineCliper(join(dir, 'other.safetensors'))).rejects.toMatchObject({ code: 'FINECLIPER_CHECKPOINT_MISMATCH' });
  });

  it('rejects bad configurations with FINECLIPER_OPTION_INVALID', () => {
    expect(() => new FineCliperModel(config({ formulation: 'nope' as Formulation }))).toThrow(expect.objectContaining({ code: 'FINECLIPER_OPTION_INVALID' }));
    expect(() => new FineCliperModel(config({ temporalHeads: 3 }))).toThrow(/heads do not divide/);
    expect(() => new FineCliperModel(config({ classes: ['one'] }))).toThrow(/at least 2 classes/);
  });
});

describe('carveValidation', () => {
  it('holds out a seeded, stratified share of each class and never the same clip twice', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: i, label: ['a', 'b', 'c'][i % 3] }));
    const { train, val } = carveValidation(items, 0.2, 4);
    expect(val.filter((x) => x.label === 'a')).toHaveLength(2);
    expect(val.filter((x) => x.label === 'c')).toHaveLength(2);
    expect(train.length + val.length).toBe(30);
    expect(new Set([...train, ...val].map((x) => x.id)).size).toBe(30);
    expect(carveValidation(items, 0.2, 4).val).toEqual(val);
    expect(carveValidation(items, 0.2, 5).val).not.toEqual(val);
    expect(() => carveValidation(items, 1)).toThrow(/val-fraction/);
  });
});
