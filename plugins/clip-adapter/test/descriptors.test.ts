// FineCLIPER's descriptors and the head's scoring pieces: what each promises beyond the
// formulas of fineclipper-model.test.ts.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad, Rng, tensor } from '@visage/core/compute';
import { thrown } from '@visage/core/testing';
import { DEFAULT_TEMPLATES, descriptorTexts, encodeDescriptors } from '../src/fineclipper/descriptors.ts';
import { classLogits, defaultConfig, descriptorScores, descriptorTensors, FineCliperModel, FORMULATIONS, type FineCliperConfig, type LevelSpec } from '../src/fineclipper/fineclipper-model.ts';
import { loadClip } from '../src/model/clip-model.ts';
import { writeTinyClip } from '../src/demo/tiny-clip/tiny-clip.ts';

const HINT = 'see `visage train --help` and plugins/clip-adapter/README.md';

const refusal = (f: () => unknown): string => thrown(f, { code: 'FINECLIPER_OPTION_INVALID', hint: HINT }).message;

describe('descriptorTexts', () => {
  it('are the seed summary templates by default', () => {
    expect(DEFAULT_TEMPLATES).toEqual({ positive: 'A person with an expression of {label}', negative: 'A person with an expression of no {label}' });
  });

  it('fill every {label} with the lower-cased class, and copy the class list', () => {
    const classes = ['Happy', 'SAD'];
    const t = descriptorTexts(classes, { positive: '{label} face, {label}', negative: 'no {label}' });
    expect(t).toEqual({ classes: ['Happy', 'SAD'], positive: ['happy face, happy', 'sad face, sad'], negative: ['no happy', 'no sad'] });
    classes.push('x');
    expect(t.classes).toEqual(['Happy', 'SAD']);
  });

  it('refuse a template without {label}, naming which', () => {
    expect(refusal(() => descriptorTexts(['a'], { positive: 'a face', negative: 'no {label}' }))).toBe('templates.positive: "a face" has no {label} placeholder');
    expect(refusal(() => descriptorTexts(['a'], { positive: '{label}', negative: 'nothing' }))).toBe('templates.negative: "nothing" has no {label} placeholder');
  });
});

describe('encodeDescriptors', () => {
  it('encodes positives and negatives with the text encoder, split per class', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-descriptors-'));
    await writeTinyClip(dir, { parts: ['text'] });
    const clip = await loadClip(dir, { parts: ['text'] });
    const texts = descriptorTexts(['happy', 'sad', 'angry'], { positive: 'a {label} face', negative: 'the {label} dog' });
    const d = await encodeDescriptors(clip, texts);
    const direct = await clip.encodeTexts([...texts.positive, ...texts.negative]);
    expect(d.positive).toEqual(direct.slice(0, 3));
    expect(d.negative).toEqual(direct.slice(3));
  });
});

describe('descriptor scores and class logits', () => {
  it('divide by the temperature', async () => {
    const v = tensor([1, 0], [1, 2]);
    const pos = tensor([0.5, 0.5, 1, 0], [2, 2]);
    const neg = tensor([0, 1, -1, 0], [2, 2]);
    expect(Array.from(await descriptorScores(v, pos, neg, 'contrast', 0.5).data())).toEqual([1, 4]);
    expect(Array.from(await descriptorScores(v, pos, neg, 'softmax-2c', 0.5).data())).toEqual([1, 2, 0, -2]);
  });

  it('classLogits: C per row, from K = C or 2C columns', () => {
    const scores = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(classLogits(scores, 2, 'binary', 2).map((r) => [...r])).toEqual([[1, 2], [3, 4]]);
    expect(classLogits(scores, 2, 'softmax-2c', 2).map((r) => [...r])).toEqual([[1, 2], [5, 6]]);
  });

  it('descriptorTensors packs the rows into [C, D]', async () => {
    const t = descriptorTensors({ positive: [Float32Array.of(1, 2), Float32Array.of(3, 4), Float32Array.of(5, 6)], negative: [Float32Array.of(7, 8), Float32Array.of(9, 10), Float32Array.of(11, 12)] });
    expect(t.positive.shape).toEqual([3, 2]);
    expect(Array.from(await t.positive.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(await t.negative.data())).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('the formulations are contrast, softmax-2c and binary', () => {
    expect(FORMULATIONS).toEqual(['contrast', 'softmax-2c', 'binary']);
  });
});

const D = 8;
const levels: LevelSpec[] = [{ name: 'frames', kind: 'frames' }, { name: 'parsing', kind: 'frames' }, { name: 'description', kind: 'text', weight: 0.25 }];
const config = (over: Partial<FineCliperConfig> = {}) => defaultConfig(['a', 'b'], D, 3, levels, { seed: 2, ...over });

describe('defaultConfig', () => {
  it('is method.md A.2 for the given width', () => {
    expect(config()).toEqual({
      classes: ['a', 'b'], embedDim: D, frames: 3, levels,
      formulation: 'contrast', temperature: 0.01, fusion: 'learned', adapterRatio: 0.25, temporalMlp: 16, seed: 2, temporalHeads: 8,
    });
  });

  it('takes the most heads (8, 4, 2, 1) that divide the width, unless given', () => {
    expect(defaultConfig(['a', 'b'], 12, 3, levels).temporalHeads).toBe(4);
    expect(defaultConfig(['a', 'b'], 6, 3, levels).temporalHeads).toBe(2);
    expect(defaultConfig(['a', 'b'], 5, 3, levels).temporalHeads).toBe(1);
    expect(defaultConfig(['a', 'b'], 16, 3, levels, { temporalHeads: 2 }).temporalHeads).toBe(2);
    expect(defaultConfig(['a', 'b'], 16, 3, levels, { temporalMlp: 7, formulation: 'binary' })).toMatchObject({ temporalMlp: 7, formulation: 'binary', temporalHeads: 8 });
  });
});

describe('FineCliperModel', () => {
  it('refuses configurations it cannot build, naming the option', () => {
    expect(refusal(() => new FineCliperModel(config({ classes: ['a'] })))).toBe('classes: need at least 2 classes, got 1');
    expect(refusal(() => new FineCliperModel(config({ levels: [] })))).toBe('levels: no level is enabled');
    expect(refusal(() => new FineCliperModel(config({ formulation: 'cosine' as never })))).toBe('formulation: "cosine" is not one of contrast, softmax-2c, binary');
    expect(refusal(() => new FineCliperModel(config({ temperature: 0 })))).toBe('temperature: must be > 0, got 0');
    expect(refusal(() => new FineCliperModel(config({ temperature: NaN })))).toBe('temperature: must be > 0, got NaN');
    expect(refusal(() => new FineCliperModel(config({ temporalHeads: 3 })))).toBe('temporalHeads: 3 heads do not divide the width 8');
    expect(refusal(() => new FineCliperModel(config({ levels: [levels[0], { ...levels[1], name: 'frames' }] })))).toBe('levels: level names must be distinct');
    expect(() => new FineCliperModel(config({ classes: ['a', 'b'], formulation: 'binary' }))).not.toThrow();
  });

  it('a transformer for the frames level, the mean of adapted frames for the others, unless said otherwise', () => {
    const names = (m: FineCliperModel) => m.namedParameters().map(([n]) => n);
    const m = new FineCliperModel(config());
    expect(names(m).filter((n) => n.endsWith('.cls'))).toEqual(['levels.frames.cls']);
    expect(names(m).some((n) => n.startsWith('levels.parsing.temporal'))).toBe(false);
    expect(names(m).some((n) => n.startsWith('levels.description.temporal'))).toBe(false);
    const swapped = new FineCliperModel(config({ levels: [{ name: 'frames', kind: 'frames', temporal: 'mean' }, { name: 'parsing', kind: 'frames', temporal: 'transformer' }] }));
    expect(names(swapped).filter((n) => n.endsWith('.cls'))).toEqual(['levels.parsing.cls']);
    expect(names(swapped).find((n) => n.endsWith('.pos'))).toBe('levels.parsing.pos');
    const text = new FineCliperModel(config({ levels: [{ name: 'frames', kind: 'text', temporal: 'transformer' }] }));
    expect(names(text).some((n) => n.includes('temporal') || n.endsWith('.cls'))).toBe(false);
  });

  it('learned fusion starts at equal weights; fixed fusion uses the level weights, 1 by default', async () => {
    const learned = new FineCliperModel(config());
    expect(learned.alpha?.shape).toEqual([3]);
    const w = await learned.fusionWeightValues();
    expect(Object.keys(w)).toEqual(['frames', 'parsing', 'description']);
    for (const v of Object.values(w)) expect(v).toBeCloseTo(1 / 3, 6);
    const fixed = new FineCliperModel(config({ fusion: 'fixed' }));
    expect(fixed.alpha).toBeNull();
    expect(fixed.fusionWeights()).toEqual([1, 1, 0.25]);
    expect(await fixed.fusionWeightValues()).toEqual({ frames: 1, parsing: 1, description: 0.25 });
    expect(fixed.namedParameters().some(([n]) => n === 'fusion.alpha')).toBe(false);
  });

  it('fuses the level scores with the fixed weights', async () => {
    const cfg = config({ fusion: 'fixed', levels: [{ name: 'frames', kind: 'frames', temporal: 'mean', weight: 2 }, { name: 'description', kind: 'text', weight: 0.5 }] });
    const model = new FineCliperModel(cfg);
    const rng = new Rng(4);
    const frames = tensor(Array.from({ length: 2 * 3 * D }, () => rng.normal()), [2, 3, D]);
    const description = tensor(Array.from({ length: 2 * 1 * D }, () => rng.normal()), [2, 1, D]);
    const text = { positive: tensor(Array.from({ length: 2 * D }, () => rng.normal()), [2, D]), negative: tensor(Array.from({ length: 2 * D }, () => rng.normal()), [2, D]) };
    const fused = await noGrad(() => model.forward({ frames, description }, text)).data();
    const alone = async (levelsOnly: LevelSpec[], batch: Record<string, typeof frames>) =>
      noGrad(() => new FineCliperModel({ ...cfg, levels: levelsOnly }).forward(batch, text)).data();
    const f = await alone([{ ...cfg.levels[0], weight: 1 }], { frames });
    const t = await alone([{ ...cfg.levels[1], weight: 1 }], { description });
    for (let i = 0; i < fused.length; i++) expect(fused[i]).toBeCloseTo(2 * f[i] + 0.5 * t[i], 3);
  });

  it('refuses a batch missing a level', () => {
    const model = new FineCliperModel(config());
    const text = { positive: tensor(new Float32Array(2 * D), [2, D]), negative: tensor(new Float32Array(2 * D), [2, D]) };
    expect(refusal(() => model.forward({ frames: tensor(new Float32Array(3 * D), [1, 3, D]) }, text))).toBe('levels: the batch has no "parsing" features');
  });
});
