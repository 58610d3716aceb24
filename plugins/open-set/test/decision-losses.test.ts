// What the known-ness scores, the threshold, the open-set decider and the HESP losses promise,
// beyond the formulas checked in losses.test.ts and scores-splits.test.ts.
import { describe, expect, it } from 'vitest';
import { crossEntropy, Rng, tensor } from '@visage/core/compute';
import type { DecideInput, StageCall } from '@visage/core';
import { VisageError } from '@visage/core';
import { hespLoss, HespModel, knownnessOf, openSetDecision, resolveHespConfig, supConLoss, thresholdForAcceptance } from '../src/open-set-api.ts';
import { knownnessOfScores } from '../src/knownness.ts';
import { openSetDecider } from '../src/open-set-decision.ts';
import { optionsAsHostPasses, thrown } from '@visage/core/testing';
import type { OpenSetOptions } from '../src/options.generated.ts';

/** The decider's options as the host passes them: validated, defaults filled from the manifest. */
const hostOptions = (options: Record<string, unknown>) => optionsAsHostPasses<OpenSetOptions>(new URL('../package.json', import.meta.url), 'deciders', 'open-set', options);

const HINT = 'fix this HESP setting (see plugins/open-set/README.md for every option and its default)';

const refusal = (f: () => unknown): string => thrown(f, { code: 'OPEN_SET_CONFIG_INVALID', hint: HINT }).message;

describe('knownnessOf', () => {
  it('refuses an unknown rule, a temperature not above 0, and logits that are not rows', () => {
    expect(refusal(() => knownnessOf([1, 2], 2, 'entropy' as never))).toBe('open-set score: unknown score "entropy" (choose maxLogit, maxSoftmax, energy)');
    expect(refusal(() => knownnessOf([1, 2], 2, 'energy', 0))).toBe('open-set temperature: must be > 0, got 0');
    expect(refusal(() => knownnessOf([1, 2], 2, 'energy', NaN))).toBe('open-set temperature: must be > 0, got NaN');
    expect(refusal(() => knownnessOf([1, 2], 0))).toBe('open-set logits: 2 values are not rows of 0 classes');
    expect(refusal(() => knownnessOf([1, 2, 3], 2))).toBe('open-set logits: 3 values are not rows of 2 classes');
    expect(refusal(() => knownnessOf([1, 2], -1))).toBe('open-set logits: 2 values are not rows of -1 classes');
  });

  it('a single class is a valid row', () => {
    expect(Array.from(knownnessOf([4, -1], 1))).toEqual([4, -1]);
  });

  it('knownnessOfScores scores one clip keyed by class name', () => {
    expect(knownnessOfScores({ happy: 2, sad: 5 })).toBe(5);
    expect(knownnessOfScores({ happy: 2, sad: 5 }, 'energy', 2)).toBeCloseTo(2 * Math.log(Math.exp(1) + Math.exp(2.5)), 12);
  });
});

describe('thresholdForAcceptance', () => {
  it('refuses an acceptance outside (0, 1] and an empty validation set', () => {
    expect(refusal(() => thresholdForAcceptance([1], 0))).toBe('open-set accept: must be in (0, 1], got 0');
    expect(refusal(() => thresholdForAcceptance([1], 1.01))).toBe('open-set accept: must be in (0, 1], got 1.01');
    expect(refusal(() => thresholdForAcceptance([], 0.9))).toBe('open-set accept: no known validation clips to choose a threshold on');
    expect(thresholdForAcceptance([3, 1, 2], 1)).toBe(1);
  });
});

describe('openSetDecision', () => {
  it('no classes: no label, flagged unknown', () => {
    expect(openSetDecision({ fusion: { logits: {}, kind: 'logits' } }, hostOptions({ threshold: 0 }))).toEqual({ label: null, probabilities: {}, knownness: -Infinity, unknown: true });
  });

  it('labels the first largest logit, with softmax probabilities at the temperature', () => {
    const d = openSetDecision({ fusion: { logits: { a: 1, b: 3, c: 3, d: 2 }, kind: 'logits' } }, hostOptions({ temperature: 2 }));
    expect(d.label).toBe('b');
    const z = [1, 3, 3, 2].map((v) => Math.exp(v / 2));
    const s = z.reduce((a, b) => a + b, 0);
    expect(d.probabilities.a).toBeCloseTo(z[0] / s, 12);
    expect(d.probabilities.d).toBeCloseTo(z[3] / s, 12);
    expect(d.knownness).toBe(3);
    expect(d.unknown).toBe(false);
  });

  it('normalises fused probabilities instead of taking their softmax', () => {
    const d = openSetDecision({ fusion: { logits: { a: 0.25, b: 0.75 }, kind: 'probabilities' } }, hostOptions({}));
    expect(openSetDecision({ fusion: { logits: { a: 1, b: 3 }, kind: 'probabilities' } }, hostOptions({})).probabilities).toEqual({ a: 0.25, b: 0.75 });
    expect(d.probabilities).toEqual({ a: 0.25, b: 0.75 });
    expect(d.label).toBe('b');
    expect(openSetDecision({ fusion: { logits: { a: 0, b: 0 }, kind: 'probabilities' } }, hostOptions({})).probabilities).toEqual({ a: 0, b: 0 });
  });

  it('softmax stays finite for logits far apart or far from 0', () => {
    const d = openSetDecision({ fusion: { logits: { a: 1000, b: 0 }, kind: 'logits' } }, hostOptions({}));
    expect(d.probabilities).toEqual({ a: 1, b: 0 });
    const e = openSetDecision({ fusion: { logits: { a: 1000, b: 1000 }, kind: 'logits' } }, hostOptions({}));
    expect(e.probabilities).toEqual({ a: 0.5, b: 0.5 });
  });

  it('flags unknown strictly below the threshold', () => {
    const fusion = { logits: { a: 1, b: 2 }, kind: 'logits' as const };
    expect(openSetDecision({ fusion }, hostOptions({ threshold: 2 })).unknown).toBe(false);
    expect(openSetDecision({ fusion }, hostOptions({ threshold: 2.001 })).unknown).toBe(true);
  });

  it('scores known-ness with the chosen rule and temperature', () => {
    const fusion = { logits: { a: 1, b: 2 }, kind: 'logits' as const };
    expect(openSetDecision({ fusion }, hostOptions({ score: 'maxSoftmax', temperature: 0.5 })).knownness).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
  });
});

describe('openSetDecider', () => {
  const input = { fusion: { logits: { a: 1, b: 2 }, kind: 'logits' } } as unknown as DecideInput;
  const call = (options: Record<string, unknown>) => ({ options: hostOptions(options) }) as StageCall<OpenSetOptions>;

  it('takes the threshold of a checkpoint when none is set', async () => {
    const asked: string[] = [];
    const decide = openSetDecider(async (c) => (asked.push(c), { threshold: 2.5, score: 'maxLogit' }));
    expect((await decide(input, call({ thresholdFrom: 'hesp.safetensors' }))).unknown).toBe(true);
    expect(asked).toEqual(['hesp.safetensors']);
    expect((await decide(input, call({ thresholdFrom: 'hesp.safetensors', threshold: 1 }))).unknown).toBe(false);
    expect((await decide(input, call({}))).unknown).toBe(false);
    expect(asked).toHaveLength(1);
  });

  it('refuses a checkpoint threshold chosen for another score', async () => {
    const decide = openSetDecider(async () => ({ threshold: 0.5, score: 'energy' }));
    const e = await decide(input, call({ thresholdFrom: 'h.st' })).catch((x) => x);
    expect(e).toBeInstanceOf(VisageError);
    expect(e.code).toBe('OPEN_SET_CONFIG_INVALID');
    expect(e.hint).toBe(HINT);
    expect(e.message).toBe('open-set decide.score: the threshold of h.st was chosen for score "energy", but the decider uses "maxLogit"; set stages.decide.options.score=energy');
    expect((await decide(input, call({ thresholdFrom: 'h.st', score: 'energy' }))).unknown).toBe(false);
  });
});

describe('supConLoss', () => {
  it('averages over several positives per anchor', async () => {
    const z = [[1, 0], [0.8, 0.6], [0.6, 0.8], [0, 1], [-1, 0]];
    const labels = [0, 0, 0, 1, 1];
    const tau = 0.7;
    const s = (i: number, j: number) => (z[i][0] * z[j][0] + z[i][1] * z[j][1]) / tau;
    const logP = (i: number, p: number) => s(i, p) - Math.log(z.map((_, a) => a).filter((a) => a !== i).reduce((acc, a) => acc + Math.exp(s(i, a)), 0));
    let want = 0;
    for (let i = 0; i < 5; i++) {
      const pos = labels.map((_, j) => j).filter((j) => j !== i && labels[j] === labels[i]);
      want += -pos.reduce((acc, p) => acc + logP(i, p), 0) / pos.length;
    }
    want = (tau * want) / 5;
    expect(await supConLoss(tensor(z.flat(), [5, 2]), labels, tau).item()).toBeCloseTo(want, 5);
  });

  it('is 0 when no anchor has a positive', async () => {
    expect(await supConLoss(tensor([1, 0, 0, 1], [2, 2]), [0, 1], 0.5).item()).toBe(0);
  });
});

describe('hespLoss', () => {
  const rng = new Rng(5);
  const unit = (n: number, d: number) => Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: d }, () => rng.normal());
    const s = Math.hypot(...v);
    return v.map((x) => x / s);
  });
  const text = { classes: ['a', 'b'], positive: unit(2, 4), negative: unit(2, 4) };
  const frames = tensor(unit(4 * 3, 4).flatMap((r) => [...r]), [4, 3, 4]);
  const motion = tensor(Array.from({ length: 12 }, () => rng.normal()), [4, 3]);
  const labels = [0, 1, 1, 0];

  it('divides the ARPL logits by the ARPL temperature', async () => {
    const config = resolveHespConfig({ arplTemperature: 4 });
    const model = new HespModel(text, config);
    const out = model.forward(frames, motion);
    const terms = hespLoss(model, out, labels, config);
    const scaled = Float32Array.from(await out.arplLogits.data(), (v) => v / 4);
    expect(await terms.arpl.item()).toBeCloseTo(await crossEntropy(tensor(scaled, out.arplLogits.shape), labels).item(), 5);
  });

  it('every weight 0 gives a total of 0', async () => {
    const config = resolveHespConfig({ loss: { clip: 0, supcon: 0, arpl: 0, radius: 0, negative: 0, ensemble: 0 } });
    const model = new HespModel(text, config);
    expect(await hespLoss(model, model.forward(frames, motion), labels, config).total.item()).toBe(0);
  });
});
