import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../testing.ts';
import { evaluatePredictions, formatEvaluation, summariseFolds } from '../evaluate-predictions.ts';
import { formatPrediction, readPredictions, type PredictionRecord } from '../predictions.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'visage-predictions-'));
let n = 0;
function file(text: string): string {
  const f = path.join(dir, `p${n++}.jsonl`);
  writeFileSync(f, text);
  return f;
}

describe('readPredictions', () => {
  it('reads one record per non-blank line; id defaults to the line number', () => {
    const records: PredictionRecord[] = [
      { id: 'a', label: 'happy', predicted: 'sad', knownness: 0.5, known: true, probabilities: { happy: 0.4, sad: 0.6 } },
    ];
    const f = file(`${formatPrediction(records[0])}\n\n   \n{"label":"sad","predicted":"sad"}\n{"id":7,"label":"x","predicted":"y","known":false,"knownness":-2}\n`);
    expect(readPredictions(f)).toEqual([
      records[0],
      { id: '4', label: 'sad', predicted: 'sad', knownness: undefined, known: undefined, probabilities: undefined },
      { id: '7', label: 'x', predicted: 'y', knownness: -2, known: false, probabilities: undefined },
    ]);
  });

  it('a missing file is PREDICTIONS_UNREADABLE (exit 2)', () => {
    const e = thrown(() => readPredictions(path.join(dir, 'none.jsonl')));
    expect(e.code).toBe('PREDICTIONS_UNREADABLE');
    expect(e.message).toBe(`cannot read predictions file ${path.join(dir, 'none.jsonl')}: no such file`);
    expect(e.exitCode).toBe(2);
  });

  it('a malformed line is named by file and line, with the format as hint', () => {
    const hint = 'one JSON object per line: {"id", "label", "predicted", "knownness"?, "known"?} (see README, visage eval)';
    const cases: [string, string][] = [
      ['{"label":"a","predicted":"a"}\n{nope', ':2: not JSON: '],
      ['{"label":"a"}', ':1: needs string fields "label" and "predicted"'],
      ['{"predicted":"a"}', ':1: needs string fields "label" and "predicted"'],
      ['{"label":1,"predicted":"a"}', ':1: needs string fields "label" and "predicted"'],
      ['\n{"label":"a","predicted":"a","knownness":"high"}', ':2: "knownness" must be a finite number'],
      ['{"label":"a","predicted":"a","knownness":null}', ':1: "knownness" must be a finite number'],
      ['{"label":"a","predicted":"a","known":"yes"}', ':1: "known" must be true or false'],
    ];
    for (const [text, detail] of cases) {
      const f = file(text);
      const e = thrown(() => readPredictions(f));
      expect(e.code).toBe('PREDICTIONS_INVALID');
      expect(e.hint).toBe(hint);
      expect(e.file).toBe(f);
      expect(e.message.startsWith(`${f}${detail}`)).toBe(true);
    }
  });

  it('a file without predictions is refused without a line number', () => {
    const f = file('\n  \n');
    const e = thrown(() => readPredictions(f));
    expect(e.code).toBe('PREDICTIONS_INVALID');
    expect(e.message).toBe(`${f}: no predictions in file`);
  });
});

const closedSetOnly: PredictionRecord[] = [
  { id: '1', label: 'happy', predicted: 'happy' },
  { id: '2', label: 'happy', predicted: 'sad' },
  { id: '3', label: 'sad', predicted: 'sad' },
];
const withUnknowns: PredictionRecord[] = [
  { id: '1', label: 'happy', predicted: 'happy', knownness: 0.9, known: true },
  { id: '2', label: 'sad', predicted: 'happy', knownness: 0.6 },
  { id: '3', label: 'sad', predicted: 'sad', knownness: 0.8, known: true },
  { id: '4', label: 'fear', predicted: 'sad', knownness: 0.7, known: false },
  { id: '5', label: 'fear', predicted: 'happy', knownness: 0.2, known: false },
];

describe('evaluatePredictions', () => {
  it('scores the closed set on known clips, classes sorted by name unless given', () => {
    const e = evaluatePredictions('f', closedSetOnly);
    expect(e.file).toBe('f');
    expect(e.clips).toBe(3);
    expect(e.closedSet.classes).toEqual(['happy', 'sad']);
    expect(e.closedSet.confusion).toEqual([[1, 1], [0, 1]]);
    expect(e.closedSet.uar).toBe(0.75);
    expect(e.openSet).toBeUndefined();
    expect('openSet' in e).toBe(false);
    expect(evaluatePredictions('f', closedSetOnly, ['sad', 'happy', 'fear']).closedSet.confusion).toEqual([[1, 0, 0], [1, 1, 0], [0, 0, 0]]);
  });

  it('adds the open-set report when unknown clips and known-ness scores are present', () => {
    const e = evaluatePredictions('f', withUnknowns);
    expect(e.clips).toBe(5);
    expect(e.closedSet.classes).toEqual(['happy', 'sad']);
    expect(e.closedSet.support).toEqual([1, 2]);
    expect(e.openSet!.closedSetAccuracy).toBeCloseTo(2 / 3, 12);
    // known 0.9, 0.6, 0.8 against unknown 0.7, 0.2: 5 of 6 pairs ordered.
    expect(e.openSet!.auroc).toBeCloseTo(5 / 6, 12);
  });

  it('has no open-set report without unknowns, without knowns, or with a score missing', () => {
    expect(evaluatePredictions('f', withUnknowns.map((r) => ({ ...r, known: true }))).openSet).toBeUndefined();
    const missing = withUnknowns.map((r, i) => (i === 4 ? { ...r, knownness: undefined } : r));
    expect(evaluatePredictions('f', missing).openSet).toBeUndefined();
    const onlyUnknown = withUnknowns.map((r) => ({ ...r, known: false }));
    expect(() => evaluatePredictions('f', onlyUnknown, ['happy'])).toThrow(expect.objectContaining({ code: 'METRIC_INPUT_INVALID' }));
  });
});

// Built inside each test: code run while collecting tests is not attributed to any test.
const foldA = () => evaluatePredictions('a.jsonl', withUnknowns);
const foldB = () => evaluatePredictions('b.jsonl', withUnknowns.map((r) => ({ ...r, predicted: r.label })));

describe('summariseFolds and formatEvaluation', () => {

  it('one file has no summary', () => {
    const a = foldA();
    expect(summariseFolds([a])).toEqual({ folds: [a] });
  });

  it('several files: mean and population std of each headline metric present in every fold', () => {
    const a = foldA();
    const s = summariseFolds([a, foldB()]);
    expect(Object.keys(s.summary!)).toEqual(['uar', 'war', 'auroc', 'oscr', 'oscrCompat', 'closedSetAccuracy']);
    expect(s.summary!.uar).toEqual({ mean: (0.75 + 1) / 2, std: 0.125, folds: 2 });
    expect(s.summary!.closedSetAccuracy.mean).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(s.summary!.auroc.std).toBe(0);
    const closed = evaluatePredictions('c.jsonl', closedSetOnly);
    expect(Object.keys(summariseFolds([a, closed]).summary!)).toEqual(['uar', 'war']);
  });

  it('prints each fold x100 with its confusion matrix, then the fold summary', () => {
    const a = foldA();
    const text = formatEvaluation(summariseFolds([a, evaluatePredictions('c.jsonl', closedSetOnly, ['happy', 'sad', 'surprise'])]));
    expect(text).toBe(
      [
        'a.jsonl  (5 clips)',
        '  UAR  75.00   WAR  66.67',
        `  AUROC  83.33   OSCR ${pct(a.openSet!.oscr)}   OSCR (ARPL-compatible) ${pct(a.openSet!.oscrCompat)}   closed-set acc  66.67`,
        '  true \\ predicted     happy      sad   recall  support',
        '  happy                    1        0   100.00        1',
        '  sad                      1        1    50.00        2',
        '',
        'c.jsonl  (3 clips)',
        '  UAR  75.00   WAR  66.67   (absent from this split, left out of UAR: surprise)',
        '  true \\ predicted     happy      sad surprise   recall  support',
        '  happy                    1        1        0    50.00        2',
        '  sad                      0        1        0   100.00        1',
        '  surprise                 0        0        0      -          0',
        '',
        'mean ± std over 2 folds',
        '  uar                75.00 ± 0.00',
        '  war                66.67 ± 0.00',
        '',
      ].join('\n'),
    );
  });

  it('long class names widen the first column and are cut to 8 characters in the header', () => {
    const e = evaluatePredictions('d', [{ id: '1', label: 'astonishment', predicted: 'astonishment' }]);
    expect(formatEvaluation({ folds: [e] }).split('\n')[2]).toBe('  true \\ predicted  astonish   recall  support');
    expect(formatEvaluation({ folds: [e] }).split('\n')[3]).toBe('  astonishment             1   100.00        1');
  });
});

const pct = (x: number) => (100 * x).toFixed(2).padStart(6);
