/**
 * The predictions file: JSON Lines, one object per clip, written by `visage predict` / `visage train`
 * (and by any other tool), read by `visage eval --predictions`, so results from anywhere are scored
 * the same way. Fields:
 *
 *   { "id": "00017", "label": "happy", "predicted": "sad", "knownness": 0.73, "known": true,
 *     "probabilities": { "happy": 0.2, "sad": 0.73, ... } }
 *
 * - `label`: ground truth class name. `predicted`: predicted class name (a known class).
 * - `knownness` (optional): higher = more likely a known class (max logit, max softmax, energy, ...).
 * - `known` (optional): whether the true class is one of the known (training) classes; open-set
 *   metrics need it and `knownness`. When absent, every clip counts as known.
 * - `probabilities` (optional) is kept for reference; metrics use `predicted`.
 *
 * Rows of `visage pipeline run` (and `compare --out-dir`) are read too: there `label` is the
 * prediction and `groundTruth` the truth, so a run row maps to {label: groundTruth, predicted: label}.
 * A run row whose clip failed has no prediction and is left out (counted in `failedRows`).
 */
import { readFileSync, statSync } from 'node:fs';
import * as errors from '../errors/messages.ts';
import { VisageError } from '../errors/visage-error.ts';

export interface PredictionRecord {
  id: string;
  label: string;
  predicted: string;
  knownness?: number;
  known?: boolean;
  probabilities?: Record<string, number>;
}

export function formatPrediction(p: PredictionRecord): string {
  return JSON.stringify(p);
}

/** Reads a predictions file; a malformed line is an error that names the file and line. */
export function readPredictions(file: string): PredictionRecord[] {
  return readPredictionsFile(file).records;
}

/** A run row, told apart from a predictions record by the fields only run rows have. */
const isRunRow = (v: Record<string, unknown>) => 'levels' in v && 'source' in v && 'error' in v;

/** Reads predictions records or run rows; `failedRows` counts run rows of failed clips (left out). */
export function readPredictionsFile(file: string): { records: PredictionRecord[]; failedRows: number } {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw errors.predictionsUnreadable(file, 'is a folder; pass the predictions file inside it');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof VisageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw errors.predictionsUnreadable(file, code === 'ENOENT' ? 'no such file' : (e as Error).message);
  }
  const out: PredictionRecord[] = [];
  let failedRows = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: Partial<PredictionRecord>;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw errors.predictionsInvalid(file, i + 1, `not JSON: ${(e as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.predictionsInvalid(file, i + 1, `a line must be a JSON object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
    if (isRunRow(v as Record<string, unknown>)) {
      const row = v as Record<string, unknown>;
      if (row.error) return void failedRows++;
      if (typeof row.groundTruth !== 'string') throw errors.runRowsWithoutTruth(file);
      v = { id: row.id as string, label: row.groundTruth, predicted: row.label as string, knownness: row.knownness as number, probabilities: row.probabilities as Record<string, number> };
    }
    if (typeof v.label !== 'string' || typeof v.predicted !== 'string') throw errors.predictionsInvalid(file, i + 1, 'needs string fields "label" and "predicted"');
    if (v.knownness !== undefined && !Number.isFinite(v.knownness)) throw errors.predictionsInvalid(file, i + 1, '"knownness" must be a finite number');
    if (v.known !== undefined && typeof v.known !== 'boolean') throw errors.predictionsInvalid(file, i + 1, '"known" must be true or false');
    if (v.probabilities !== undefined && (typeof v.probabilities !== 'object' || v.probabilities === null || Array.isArray(v.probabilities))) throw errors.predictionsInvalid(file, i + 1, '"probabilities" must be an object of class name -> number');
    out.push({ id: String(v.id ?? i + 1), label: v.label, predicted: v.predicted, knownness: v.knownness, known: v.known, probabilities: v.probabilities });
  });
  if (out.length === 0) throw errors.predictionsInvalid(file, 0, failedRows ? `every one of its ${failedRows} run rows is a failed clip` : 'no predictions in file');
  return { records: out, failedRows };
}
