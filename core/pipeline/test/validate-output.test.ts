/** What a provider returns is checked at the host boundary: each malformed field is a coded error naming the field. */
import { describe, expect, it } from 'vitest';
import { validateDecision, validateFusionOutput, validateLevelOutput, type OutputContext } from '../validate-output.ts';

const ctx = (stage: OutputContext['stage'], classes = ['happy', 'sad']): OutputContext => ({ plugin: 'acme.p', stage, provider: 'acme.p/x', classes });
const refused = (f: () => unknown, field: string, detail: RegExp) => {
  let err: { code?: string; plugin?: string; stage?: string; message?: string; hint?: string } = {};
  try {
    f();
  } catch (e) {
    err = e as typeof err;
  }
  expect(err.code).toBe('STAGE_OUTPUT_INVALID');
  expect(err.plugin).toBe('acme.p');
  expect(err.message).toContain(`returned an invalid ${field}`);
  expect(err.message).toMatch(detail);
  expect(err.hint).toMatch(/finite numbers keyed by the run's class names/);
};

describe('validateLevelOutput', () => {
  it('accepts a full, well-formed output and copies its scores into null-prototype maps', () => {
    const out = validateLevelOutput({
      scores: { happy: 0.7, sad: 0.3 }, frameScores: [{ happy: 1 }, null], frameWeights: [0, 1.5],
      embedding: new Float32Array(2), frameEmbeddings: [new Float32Array(2)], text: ['a'], flags: ['f'], summary: { n: 1 }, renders: [],
    }, ctx('levels'));
    expect(out.scores).toEqual({ happy: 0.7, sad: 0.3 });
    expect(Object.getPrototypeOf(out.scores)).toBe(null);
    expect(Object.getPrototypeOf(out.frameScores![0])).toBe(null);
    expect(out.frameScores![1]).toBe(null);
    expect(out.scores!.constructor).toBeUndefined();
    expect(validateLevelOutput({}, ctx('levels'))).toEqual({});
  });

  it.each([
    ['a non-object', null, 'result', /expected an object, got null/],
    ['an array', [], 'result', /got an array/],
    ['NaN', { scores: { happy: NaN } }, 'scores', /score of "happy" is NaN/],
    ['Infinity', { scores: { happy: -Infinity } }, 'scores', /is -Infinity, not a finite number/],
    ['a string score', { scores: { happy: '1' } }, 'scores', /the string "1"/],
    ['a bigint score', { scores: { happy: 1n } }, 'scores', /the bigint 1n/],
    ['an unknown class', { scores: { joy: 1 } }, 'scores', /"joy" is not one of this run's classes \(happy, sad\)/],
    ['scores as an array', { scores: [1, 2] }, 'scores', /expected an object of class scores, got an array/],
    ['frameScores not an array', { frameScores: {} }, 'frameScores', /expected an array, got object/],
    ['a bad frame score', { frameScores: [null, { sad: NaN }] }, 'frameScores[1]', /score of "sad" is NaN/],
    ['frameWeights not an array', { frameWeights: 1 }, 'frameWeights', /expected an array of numbers, got 1/],
    ['a negative frame weight', { frameWeights: [1, -0.5] }, 'frameWeights[1]', /expected a finite number >= 0, got -0.5/],
    ['a NaN frame weight', { frameWeights: [NaN] }, 'frameWeights[0]', /got NaN/],
    ['an embedding that is a plain array', { embedding: [1, 2] }, 'embedding', /expected a Float32Array/],
    ['frame embeddings of plain arrays', { frameEmbeddings: [[1]] }, 'frameEmbeddings', /array of Float32Array/],
    ['text that is not strings', { text: [1] }, 'text', /array of strings/],
    ['flags that are not strings', { flags: 'x' }, 'flags', /array of strings/],
    ['a summary that is not an object', { summary: 'x' }, 'summary', /expected an object, got the string "x"/],
    ['renders that are not an array', { renders: {} }, 'renders', /expected an array/],
  ])('refuses %s', (_name, out, field, detail) => refused(() => validateLevelOutput(out, ctx('levels')), field, detail));

  it('accepts any class name when the run names none', () => {
    expect(validateLevelOutput({ scores: { anything: 1 } }, ctx('levels', []))).toEqual({ scores: { anything: 1 } });
  });
});

describe('validateFusionOutput', () => {
  it('accepts logits or probabilities, and checks perLevel too', () => {
    const out = validateFusionOutput({ logits: { happy: 2, sad: -1 }, kind: 'logits', perLevel: { a: { happy: 1 } } }, ctx('fusion'));
    expect(out.logits).toEqual({ happy: 2, sad: -1 });
    expect(out.perLevel).toEqual({ a: { happy: 1 } });
    expect(validateFusionOutput({ logits: { sad: 1 }, kind: 'probabilities' }, ctx('fusion')).perLevel).toBeUndefined();
    refused(() => validateFusionOutput({ logits: { happy: 1 }, kind: 'logits', perLevel: { a: { happy: NaN } } }, ctx('fusion')), 'perLevel.a', /NaN/);
  });

  it.each([
    ['a non-object', 3, 'result', /expected an object, got 3/],
    ['a bad kind', { logits: { happy: 1 }, kind: 'odds' }, 'kind', /"logits" or "probabilities", got the string "odds"/],
    ['empty logits', { logits: {}, kind: 'logits' }, 'logits', /no class has a score/],
    ['a NaN logit', { logits: { happy: NaN }, kind: 'logits' }, 'logits', /NaN/],
    ['missing logits', { kind: 'logits' }, 'logits', /got undefined/],
  ])('refuses %s', (_name, out, field, detail) => refused(() => validateFusionOutput(out, ctx('fusion')), field, detail));
});

describe('validateDecision', () => {
  const ok = { label: 'happy', probabilities: { happy: 0.8, sad: 0.2 }, knownness: 0.8, unknown: false };

  it('accepts a decision, and a null label only when flagged unknown', () => {
    expect(validateDecision(ok, ctx('decide'))).toEqual(ok);
    expect(validateDecision({ ...ok, label: null, unknown: true }, ctx('decide')).label).toBe(null);
    expect(validateDecision({ ...ok, knownness: -Infinity }, ctx('decide')).knownness).toBe(-Infinity);
  });

  it.each([
    ['a non-object', 'x', 'result', /expected an object/],
    ['unknown not boolean', { ...ok, unknown: 'no' }, 'unknown', /expected a boolean/],
    ['a null label that is not unknown', { ...ok, label: null }, 'label', /only with unknown=true/],
    ['a label outside the classes', { ...ok, label: 'joy' }, 'label', /one of this run's classes \(happy, sad\), got the string "joy"/],
    ['a label that is not a string', { ...ok, label: 3 }, 'label', /got 3/],
    ['a NaN knownness', { ...ok, knownness: NaN }, 'knownness', /expected a number, got NaN/],
    ['probabilities with NaN', { ...ok, probabilities: { happy: NaN } }, 'probabilities', /NaN/],
  ])('refuses %s', (_name, out, field, detail) => refused(() => validateDecision(out, ctx('decide')), field, detail));

  it('accepts any string label when the run names no classes', () => {
    expect(validateDecision({ ...ok, label: 'joy', probabilities: { joy: 1 } }, ctx('decide', [])).label).toBe('joy');
  });
});
