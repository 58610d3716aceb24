/**
 * What `visage compare` reports, from the rows of each variant on the same clips. Only clips that
 * every variant scored take part, so every figure is paired. With ground truth: UAR and WAR with
 * bootstrap intervals per variant; against the first variant (the baseline): the paired bootstrap
 * interval of the UAR difference, the exact McNemar test on accuracy, kappa, and changed clips.
 * Always: agreement, kappa, changed labels and the mean probability shift (total variation
 * distance, 0.5 * sum_c |p_c - q_c|, averaged over clips).
 */
import { agreement, bootstrapInterval, classificationReport, cohenKappa, labelsToIndices, mcnemarExact, type ClassificationReport, type Interval, type McNemarResult } from '../metrics/index.ts';
import type { OutputRow } from '../output/row.ts';

export interface VariantRows {
  name: string;
  rows: OutputRow[];
}

export interface VariantMetrics {
  name: string;
  /** Clips this variant failed on (left out of every figure). */
  failed: number;
  uar?: Interval;
  war?: Interval;
  report?: ClassificationReport;
}

export interface ChangedClip {
  id: string;
  source: string;
  truth?: string;
  from: string | null;
  to: string | null;
}

export interface PairMetrics {
  baseline: string;
  variant: string;
  agreement: number;
  kappa: number;
  meanProbabilityShift: number;
  changed: ChangedClip[];
  uarDifference?: Interval;
  mcnemar?: McNemarResult;
}

export interface Comparison {
  classes: string[];
  /** Clips every variant scored. */
  clips: string[];
  /** True when every compared clip has ground truth (a partly labelled batch is compared without it). */
  hasTruth: boolean;
  /** Compared clips without ground truth. */
  unlabelled: number;
  variants: VariantMetrics[];
  pairs: PairMetrics[];
}

export interface ComparisonOptions {
  reps?: number;
  seed?: number;
}

export function compareVariants(runs: VariantRows[], classes: string[], opts: ComparisonOptions = {}): Comparison {
  const byId = runs.map((r) => new Map(r.rows.filter((row) => !row.error).map((row) => [row.id, row])));
  const clips = runs[0].rows.map((r) => r.id).filter((id) => byId.every((m) => m.has(id)));
  const rowsOf = (v: number) => clips.map((id) => byId[v].get(id)!);
  const unlabelled = clips.filter((id) => byId[0].get(id)!.groundTruth === undefined).length;
  const hasTruth = clips.length > 0 && unlabelled === 0;
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 1 };
  const truth = hasTruth ? labelsToIndices(rowsOf(0).map((r) => r.groundTruth!), classes) : undefined;
  // A clip decided as no class (label null, or outside the list) is index K: wrong whatever the truth.
  const index = new Map(classes.map((c, i) => [c, i]));
  const predictions = runs.map((_, v) => Int32Array.from(rowsOf(v), (r) => index.get(r.label ?? '') ?? classes.length));
  const reportClasses = predictions.some((p) => p.includes(classes.length)) ? [...classes, '(none)'] : classes;

  const variants: VariantMetrics[] = runs.map((r, v) => {
    const failed = r.rows.filter((row) => row.error).length;
    if (!truth || clips.length === 0) return { name: r.name, failed };
    const pred = predictions[v];
    return {
      name: r.name,
      failed,
      uar: bootstrapInterval(clips.length, (idx) => uarOn(truth, pred, idx, classes.length), boot),
      war: bootstrapInterval(clips.length, (idx) => warOn(truth, pred, idx), boot),
      report: classificationReport(truth, pred, reportClasses),
    };
  });

  const pairs: PairMetrics[] = runs.slice(1).map((r, k) => {
    const v = k + 1;
    const a = rowsOf(0);
    const b = rowsOf(v);
    const labelsA = a.map((row) => String(row.label));
    const labelsB = b.map((row) => String(row.label));
    const changed = a.flatMap((row, i) => (row.label === b[i].label ? [] : [{ id: row.id, source: row.source, ...(row.groundTruth !== undefined && { truth: row.groundTruth }), from: row.label, to: b[i].label }]));
    const shift = a.reduce((s, row, i) => s + totalVariation(row.probabilities, b[i].probabilities, classes), 0) / Math.max(1, a.length);
    const pair: PairMetrics = {
      baseline: runs[0].name,
      variant: r.name,
      agreement: clips.length ? agreement(labelsA, labelsB) : Number.NaN,
      kappa: clips.length ? cohenKappa(labelsA, labelsB) : Number.NaN,
      meanProbabilityShift: shift,
      changed,
    };
    if (truth && clips.length) {
      const pa = predictions[0];
      const pb = predictions[v];
      pair.uarDifference = bootstrapInterval(clips.length, (idx) => uarOn(truth, pb, idx, classes.length) - uarOn(truth, pa, idx, classes.length), boot);
      pair.mcnemar = mcnemarExact([...pa].map((p, i) => p === truth[i]), [...pb].map((p, i) => p === truth[i]));
    }
    return pair;
  });
  return { classes, clips, hasTruth, unlabelled, variants, pairs };
}

/** UAR of the clips at `idx` (a class absent from the resample is left out, as `uar` does). */
export function uarOn(truth: Int32Array, pred: Int32Array, idx: Int32Array, k: number): number {
  const support = new Float64Array(k);
  const hit = new Float64Array(k);
  for (const i of idx) {
    support[truth[i]]++;
    if (pred[i] === truth[i]) hit[truth[i]]++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) if (support[c] > 0) { sum += hit[c] / support[c]; present++; }
  return present ? sum / present : Number.NaN;
}

function warOn(truth: Int32Array, pred: Int32Array, idx: Int32Array): number {
  let hit = 0;
  for (const i of idx) if (pred[i] === truth[i]) hit++;
  return hit / idx.length;
}

function totalVariation(p: Record<string, number>, q: Record<string, number>, classes: string[]): number {
  let s = 0;
  for (const c of classes) s += Math.abs((p[c] ?? 0) - (q[c] ?? 0));
  return s / 2;
}
