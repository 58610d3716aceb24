/**
 * How a predictions file is read and validated beyond the basics in predictions-report.test.ts: run
 * rows of `visage pipeline run`, lines that are not objects, bad `probabilities`, unreadable paths.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../testing.ts';
import { readPredictions, readPredictionsFile } from '../predictions.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'visage-predictions-file-'));
let n = 0;
function file(text: string): string {
  const f = path.join(dir, `p${n++}.jsonl`);
  writeFileSync(f, text);
  return f;
}

/** A row as `visage pipeline run` writes it (run-windows.ts): the prediction is `label`. */
const runRow = (extra: Record<string, unknown>) => JSON.stringify({ id: 'c1', source: 'clips/c1.mp4', levels: {}, error: null, label: 'sad', ...extra });

describe('readPredictionsFile: run rows', () => {
  it('maps a run row to {label: groundTruth, predicted: label}, keeping knownness and probabilities', () => {
    const f = file(`${runRow({ groundTruth: 'happy', knownness: 0.25, probabilities: { happy: 0.4, sad: 0.6 } })}\n`);
    expect(readPredictionsFile(f)).toEqual({
      records: [{ id: 'c1', label: 'happy', predicted: 'sad', knownness: 0.25, known: undefined, probabilities: { happy: 0.4, sad: 0.6 } }],
      failedRows: 0,
    });
  });

  it('leaves out rows of failed clips and counts them', () => {
    const f = file([
      runRow({ id: 'a', groundTruth: 'happy' }),
      runRow({ id: 'b', error: { code: 'DECODE_FAILED', message: 'broken' }, label: undefined }),
      runRow({ id: 'c', groundTruth: 'sad', label: 'sad' }),
      runRow({ id: 'd', error: 'timeout' }),
    ].join('\n'));
    const { records, failedRows } = readPredictionsFile(f);
    expect(records.map((r) => [r.id, r.label, r.predicted])).toEqual([['a', 'happy', 'sad'], ['c', 'sad', 'sad']]);
    expect(failedRows).toBe(2);
    expect(readPredictions(f)).toEqual(records);
  });

  it('refuses run rows without ground truth, naming the file', () => {
    const f = file(`${runRow({})}\n`);
    const e = thrown(() => readPredictionsFile(f));
    expect(e.code).toBe('RUN_ROWS_WITHOUT_TRUTH');
    expect(e.message).toBe(`${f}: run rows without ground truth ("groundTruth")`);
    expect(e.exitCode).toBe(2);
  });

  it('refuses a file whose every run row is a failed clip, saying how many', () => {
    const f = file(`${runRow({ error: 'x' })}\n${runRow({ id: 'c2', error: 'y' })}\n`);
    const e = thrown(() => readPredictionsFile(f));
    expect(e.code).toBe('PREDICTIONS_INVALID');
    expect(e.message).toBe(`${f}: every one of its 2 run rows is a failed clip`);
  });

  it('reads a record that has only some of the run-row fields as a predictions record', () => {
    // A predictions record may carry `source` (or `levels`, or `error`) for reference; only a row
    // with all three is a run row, whose `label` is the prediction.
    for (const extra of [{ source: 's' }, { source: 's', levels: {} }, { levels: {}, error: null }, { source: 's', error: 'e' }]) {
      const f = file(JSON.stringify({ id: 'r', label: 'happy', predicted: 'sad', groundTruth: 'fear', ...extra }));
      expect(readPredictionsFile(f)).toEqual({ records: [{ id: 'r', label: 'happy', predicted: 'sad', knownness: undefined, known: undefined, probabilities: undefined }], failedRows: 0 });
    }
  });

  it('validates a mapped run row like any record', () => {
    const noPrediction = file(`${runRow({ groundTruth: 'happy', label: 3 })}\n`);
    expect(thrown(() => readPredictionsFile(noPrediction)).message).toBe(`${noPrediction}:1: needs string fields "label" and "predicted"`);
    const badScore = file(`\n${runRow({ groundTruth: 'happy', knownness: 'high' })}\n`);
    expect(thrown(() => readPredictionsFile(badScore)).message).toBe(`${badScore}:2: "knownness" must be a finite number`);
  });
});

describe('readPredictionsFile: validation', () => {
  it('refuses a line that is not an object, saying what it is', () => {
    const cases: [string, string][] = [
      ['null', 'null'],
      ['[{"label":"a","predicted":"a"}]', 'an array'],
      ['"happy"', 'string'],
      ['3', 'number'],
      ['true', 'boolean'],
    ];
    for (const [line, what] of cases) {
      const f = file(`{"label":"a","predicted":"a"}\n${line}\n`);
      const e = thrown(() => readPredictionsFile(f));
      expect(e.code).toBe('PREDICTIONS_INVALID');
      expect(e.message).toBe(`${f}:2: a line must be a JSON object, got ${what}`);
    }
  });

  it('refuses probabilities that are not an object of class scores', () => {
    for (const p of ['null', '[0.2,0.8]', '"0.8"', '0.8']) {
      const f = file(`{"label":"a","predicted":"a","probabilities":${p}}`);
      const e = thrown(() => readPredictionsFile(f));
      expect(e.message).toBe(`${f}:1: "probabilities" must be an object of class name -> number`);
    }
  });

  it('refuses an infinite knownness and a known that is not a boolean', () => {
    const inf = file('{"label":"a","predicted":"a","knownness":1e999}');
    expect(thrown(() => readPredictionsFile(inf)).message).toBe(`${inf}:1: "knownness" must be a finite number`);
    for (const k of ['null', '1', '"true"']) {
      const f = file(`{"label":"a","predicted":"a","known":${k}}`);
      expect(thrown(() => readPredictionsFile(f)).message).toBe(`${f}:1: "known" must be true or false`);
    }
  });

  it('reads a file with Windows line ends and keeps a numeric 0 knownness and known=false', () => {
    const f = file('{"id":"x","label":"a","predicted":"b","knownness":0,"known":false}\r\n{"label":"b","predicted":"b"}\r\n');
    expect(readPredictionsFile(f)).toEqual({
      records: [
        { id: 'x', label: 'a', predicted: 'b', knownness: 0, known: false, probabilities: undefined },
        { id: '2', label: 'b', predicted: 'b', knownness: undefined, known: undefined, probabilities: undefined },
      ],
      failedRows: 0,
    });
  });
});

describe('readPredictionsFile: unreadable paths', () => {
  it('refuses a folder, telling to pass the file inside it', () => {
    const folder = path.join(dir, 'run-out');
    mkdirSync(folder);
    const e = thrown(() => readPredictionsFile(folder));
    expect(e.code).toBe('PREDICTIONS_UNREADABLE');
    expect(e.message).toBe(`cannot read predictions file ${folder}: is a folder; pass the predictions file inside it`);
    expect(e.exitCode).toBe(2);
  });

  it('reports the system error of a path that cannot be read for another reason', () => {
    const under = path.join(file('{"label":"a","predicted":"a"}'), 'inside.jsonl'); // a path below a file
    const e = thrown(() => readPredictionsFile(under));
    expect(e.code).toBe('PREDICTIONS_UNREADABLE');
    expect(e.message).toMatch(new RegExp(`^cannot read predictions file ${under.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOTDIR: not a directory`));
  });
});
