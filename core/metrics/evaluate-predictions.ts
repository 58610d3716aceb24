/**
 * Scores predictions files: closed-set report (UAR, WAR, per-class recall, confusion) on the clips
 * whose true class is known, and the open-set report (AUROC, OSCR in both modes) when the file
 * carries known-ness scores and clips of unknown classes. Several files are folds: each is scored on
 * its own and the mean and standard deviation are reported (predictions are never pooled).
 */
import { classificationReportByName, type ClassificationReport } from './classification.ts';
import { foldMeanStd, type FoldSummary } from './folds.ts';
import { openSetReport, type OpenSetReport } from './open-set.ts';
import type { PredictionRecord } from './predictions.ts';

export interface PredictionsEvaluation {
  file: string;
  clips: number;
  closedSet: ClassificationReport;
  /** Present when some clips are of unknown classes and every clip has a known-ness score. */
  openSet?: OpenSetReport;
}

export interface FoldsEvaluation {
  folds: PredictionsEvaluation[];
  /** Mean and std over folds of each headline metric (only with 2+ files). */
  summary?: Record<string, FoldSummary>;
}

export function evaluatePredictions(file: string, records: PredictionRecord[], classes?: string[]): PredictionsEvaluation {
  const known = records.filter((r) => r.known !== false);
  const unknown = records.filter((r) => r.known === false);
  const names = classes ?? [...new Set(known.flatMap((r) => [r.label, r.predicted]))].sort();
  const closedSet = classificationReportByName(known.map((r) => r.label), known.map((r) => r.predicted), names);
  const scored = records.every((r) => r.knownness !== undefined);
  const openSet = unknown.length && known.length && scored
    ? openSetReport({ scores: known.map((r) => r.knownness!), correct: known.map((r) => r.label === r.predicted) }, unknown.map((r) => r.knownness!))
    : undefined;
  return { file, clips: records.length, closedSet, ...(openSet && { openSet }) };
}

export function summariseFolds(folds: PredictionsEvaluation[]): FoldsEvaluation {
  if (folds.length < 2) return { folds };
  const metric = (get: (f: PredictionsEvaluation) => number | undefined) => {
    const v = folds.map(get);
    return v.every((x) => x !== undefined) ? foldMeanStd(v as number[]) : undefined;
  };
  const entries: [string, FoldSummary | undefined][] = [
    ['uar', metric((f) => f.closedSet.uar)],
    ['war', metric((f) => f.closedSet.war)],
    ['auroc', metric((f) => f.openSet?.auroc)],
    ['oscr', metric((f) => f.openSet?.oscr)],
    ['oscrCompat', metric((f) => f.openSet?.oscrCompat)],
    ['closedSetAccuracy', metric((f) => f.openSet?.closedSetAccuracy)],
  ];
  return { folds, summary: Object.fromEntries(entries.filter((e): e is [string, FoldSummary] => e[1] !== undefined)) };
}

const pct = (x: number | null) => (x === null ? '   -  ' : (100 * x).toFixed(2).padStart(6));

/** Readable report: ×100 with 2 decimals, as the DFER literature reports them. */
export function formatEvaluation(e: FoldsEvaluation): string {
  const lines: string[] = [];
  for (const f of e.folds) {
    const r = f.closedSet;
    lines.push(`${f.file}  (${f.clips} clips)`);
    lines.push(`  UAR ${pct(r.uar)}   WAR ${pct(r.war)}${r.absentClasses.length ? `   (absent from this split, left out of UAR: ${r.absentClasses.join(', ')})` : ''}`);
    if (f.openSet) {
      const o = f.openSet;
      lines.push(`  AUROC ${pct(o.auroc)}   OSCR ${pct(o.oscr)}   OSCR (ARPL-compatible) ${pct(o.oscrCompat)}   closed-set acc ${pct(o.closedSetAccuracy)}`);
    }
    const w = Math.max('true \\ predicted'.length, ...r.classes.map((c) => c.length));
    lines.push(`  ${'true \\ predicted'.padEnd(w)}  ${r.classes.map((c) => c.slice(0, 8).padStart(8)).join(' ')}   recall  support`);
    r.classes.forEach((c, i) => {
      lines.push(`  ${c.padEnd(w)}  ${r.confusion[i].map((n) => String(n).padStart(8)).join(' ')}   ${pct(r.recall[i])}  ${String(r.support[i]).padStart(7)}`);
    });
    lines.push('');
  }
  if (e.summary) {
    lines.push(`mean ± std over ${e.folds.length} folds`);
    for (const [k, s] of Object.entries(e.summary)) lines.push(`  ${k.padEnd(18)} ${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}`);
  }
  return lines.join('\n') + '\n';
}
