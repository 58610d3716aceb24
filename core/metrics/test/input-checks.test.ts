// Every metric refuses bad input loudly, naming itself and the offending argument.
import { describe, expect, it } from 'vitest';
import { thrown } from '../../testing.ts';
import { auroc, aurocArpl } from '../auroc.ts';
import { accuracy, classificationReport, confusionMatrix, labelsToIndices, uar, war } from '../classification.ts';
import { foldMeanStd } from '../folds.ts';
import { oscr, oscrCurve } from '../oscr.ts';
import { argmaxRows, knownnessScores, KNOWNNESS_RULES } from '../scores.ts';

const HINT = 'scores must be finite numbers and label arrays must have equal lengths';

/** The message of the METRIC_INPUT_INVALID error `f` throws (its code and hint checked). */
const refusal = (f: () => unknown): string => thrown(f, { code: 'METRIC_INPUT_INVALID', hint: HINT, exitCode: 2 }).message;

describe('input checks', () => {
  it('AUROC: empty or non-finite scores', () => {
    expect(refusal(() => auroc([], [1]))).toBe('auroc: knownScores is empty');
    expect(refusal(() => auroc([1], []))).toBe('auroc: unknownScores is empty');
    expect(refusal(() => auroc([1, NaN], [1]))).toBe('auroc: knownScores[1] is NaN, not a finite number');
    expect(refusal(() => auroc([1], [Infinity]))).toBe('auroc: unknownScores[0] is Infinity, not a finite number');
    expect(refusal(() => aurocArpl([], [1]))).toBe('aurocArpl: knownScores is empty');
    expect(refusal(() => aurocArpl([1], [-Infinity]))).toBe('aurocArpl: unknownScores[0] is -Infinity, not a finite number');
  });

  it('OSCR: empty, mismatched or non-finite input, unknown mode', () => {
    const known = { scores: [0.9, 0.4], correct: [1, 0] };
    expect(refusal(() => oscr({ scores: [], correct: [] }, [1]))).toBe('oscr: known.scores is empty');
    expect(refusal(() => oscr(known, []))).toBe('oscr: unknownScores is empty');
    expect(refusal(() => oscr({ scores: [1, 2], correct: [1] }, [1]))).toBe('oscr: known.scores has 2 entries but known.correct has 1');
    expect(refusal(() => oscr({ scores: [1, NaN], correct: [1, 1] }, [1]))).toBe('oscr: known.scores[1] is NaN, not a finite number');
    expect(refusal(() => oscr(known, [NaN]))).toBe('oscr: unknownScores[0] is NaN, not a finite number');
    expect(refusal(() => oscr(known, [1], 'bogus' as never))).toBe('oscr: unknown mode "bogus" (use reference or compat)');
    expect(refusal(() => oscrCurve({ scores: [], correct: [] }, [1]))).toBe('oscrCurve: known.scores is empty');
  });

  it('classification: lengths, class indices, class count, empty splits', () => {
    expect(refusal(() => confusionMatrix([0], [0, 1], 2))).toBe('confusionMatrix: yTrue has 1 entries but yPred has 2');
    expect(refusal(() => confusionMatrix([0], [0], 0))).toBe('confusionMatrix: numClasses must be a positive integer, got 0');
    expect(refusal(() => confusionMatrix([0], [0], 1.5))).toBe('confusionMatrix: numClasses must be a positive integer, got 1.5');
    expect(confusionMatrix([0, 0], [0, 0], 1)).toEqual([[2]]);
    expect(refusal(() => confusionMatrix([0, 3], [0, 1], 3))).toBe('confusionMatrix: yTrue[1] = 3 is not a class index in 0..2');
    expect(refusal(() => confusionMatrix([0, 2], [0, -1], 3))).toBe('confusionMatrix: yPred[1] = -1 is not a class index in 0..2');
    expect(refusal(() => confusionMatrix([0.5], [0], 3))).toBe('confusionMatrix: yTrue[0] = 0.5 is not a class index in 0..2');
    expect(confusionMatrix([2, 0], [0, 2], 3)).toEqual([[0, 0, 1], [0, 0, 0], [1, 0, 0]]);
    expect(refusal(() => uar([[0, 0], [0, 0]]))).toBe('uar: no test samples');
    expect(refusal(() => war([[0, 0], [0, 0]]))).toBe('war: no test samples');
    expect(refusal(() => accuracy([0], [0, 1]))).toBe('accuracy: yTrue has 1 entries but yPred has 2');
    expect(refusal(() => accuracy([], []))).toBe('accuracy: yTrue is empty');
    expect(refusal(() => classificationReport([], [], ['a']))).toBe('classificationReport: yTrue is empty');
    expect(refusal(() => labelsToIndices(['a', 'z'], ['a', 'b']))).toBe('labelsToIndices: label "z" at 1 is not one of a, b');
  });

  it('folds: empty, non-finite, too few for ddof', () => {
    expect(refusal(() => foldMeanStd([]))).toBe('foldMeanStd: values is empty');
    expect(refusal(() => foldMeanStd([1, NaN]))).toBe('foldMeanStd: values[1] is NaN, not a finite number');
    expect(refusal(() => foldMeanStd([1], 1))).toBe('foldMeanStd: ddof 1 needs more than 1 fold(s)');
    expect(foldMeanStd([3], 0)).toEqual({ mean: 3, std: 0, folds: 1 });
  });

  it('scores: class count, shape, temperature', () => {
    expect(refusal(() => argmaxRows([1, 2], 0))).toBe('scores: numClasses must be a positive integer, got 0');
    expect(refusal(() => argmaxRows([1, 2], 1.5))).toBe('scores: numClasses must be a positive integer, got 1.5');
    expect(refusal(() => argmaxRows([1, 2, 3], 2))).toBe('scores: 3 logits is not a multiple of 2 classes');
    expect(refusal(() => knownnessScores([1, 2], 2, 'energy', 0))).toBe('scores: temperature must be > 0, got 0');
    expect(refusal(() => knownnessScores([1, 2], 2, 'maxSoftmax', -1))).toBe('scores: temperature must be > 0, got -1');
    expect(refusal(() => knownnessScores([1, 2], 2, 'maxLogit', NaN))).toBe('scores: temperature must be > 0, got NaN');
    expect(argmaxRows([5], 1)).toEqual(Int32Array.from([0]));
  });
});

describe('argmaxRows and knownnessScores', () => {
  it('argmax of every row, at its own offset', () => {
    expect(Array.from(argmaxRows([0, 1, 2, 9, 1, 0, 3, 3, 1, 0, 5, 0], 3))).toEqual([2, 0, 0, 1]);
    expect(Array.from(argmaxRows([], 3))).toEqual([]);
  });

  it('maxLogit is the max of each row', () => {
    expect(Array.from(knownnessScores([1, 5, 2, -3, -1, -2], 3, 'maxLogit'))).toEqual([5, -1]);
    expect(Array.from(knownnessScores([-3, -1, -2], 3))).toEqual([-1]);
  });

  it('maxSoftmax and energy follow their closed forms, at any temperature', () => {
    const logits = [1, 3, 2, 0.5, -1, 0.25];
    for (const t of [1, 0.5, 2.5]) {
      for (let r = 0; r < 2; r++) {
        const row = logits.slice(3 * r, 3 * r + 3);
        const sum = row.reduce((a, l) => a + Math.exp(l / t), 0);
        expect(knownnessScores(logits, 3, 'maxSoftmax', t)[r]).toBeCloseTo(Math.max(...row.map((l) => Math.exp(l / t) / sum)), 12);
        expect(knownnessScores(logits, 3, 'energy', t)[r]).toBeCloseTo(t * Math.log(sum), 12);
      }
    }
  });

  it('energy stays finite for huge logits', () => {
    expect(knownnessScores([1000, 999], 2, 'energy')[0]).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1)), 9);
    expect(knownnessScores([-1000, -1001], 2, 'energy')[0]).toBeCloseTo(-1000 + Math.log(1 + Math.exp(-1)), 9);
  });

  it('the rules are maxLogit, maxSoftmax and energy', () => {
    expect(KNOWNNESS_RULES).toEqual(['maxLogit', 'maxSoftmax', 'energy']);
  });
});

describe('edges the random tests rarely reach', () => {
  it('AUROC counts every unknown tied with a known as half a pair', () => {
    expect(auroc([1], [1, 1])).toBe(0.5);
    expect(auroc([2, 1], [1, 1, 1, 0])).toBeCloseTo((4 + 1 + 1.5) / 8, 12);
    expect(aurocArpl([2, 1], [1, 1, 1, 0])).toBeCloseTo((4 + 1) / 8, 12);
  });

  it('the max of a row never reads into the next row', () => {
    expect(Array.from(knownnessScores([1, 2, 9, 0], 2))).toEqual([2, 9]);
    expect(knownnessScores([1, 2, 9, 0], 2, 'maxSoftmax')[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });

  it('OSCR curve: every wrong known defines a threshold, in descending order, whatever the input order', () => {
    const curve = oscrCurve({ scores: [0.9, 0.3, 0.6], correct: [1, 0, 0] }, [0.5]);
    expect(curve).toEqual([
      { threshold: 0.9, fpr: 0, ccr: 1 / 3 },
      { threshold: 0.6, fpr: 0, ccr: 1 / 3 },
      { threshold: 0.5, fpr: 1, ccr: 1 / 3 },
      { threshold: 0.3, fpr: 1, ccr: 1 / 3 },
    ]);
  });

  it('OSCR curve reaches (1, accuracy) when the lowest score is a correct known', () => {
    const known = { scores: [0.9, 0.2], correct: [1, 1] };
    expect(oscrCurve(known, [0.5])).toEqual([
      { threshold: 0.9, fpr: 0, ccr: 0.5 },
      { threshold: 0.5, fpr: 1, ccr: 0.5 },
      { threshold: 0.2, fpr: 1, ccr: 1 },
    ]);
    expect(oscr(known, [0.5])).toBeCloseTo(0.5, 12);
  });
});
