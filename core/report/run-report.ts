/**
 * The report of `pipeline run --report` with ground truth: UAR and WAR with bootstrap intervals,
 * the confusion matrix, each scoring level's own UAR (argmax of its scores alone), and the clips
 * predicted wrong with their AU timelines when the description level measured them.
 */
import { bootstrapInterval, labelsToIndices, type Interval } from '../metrics/index.ts';
import { uarOn } from '../compare/compare-stats.ts';
import type { OutputRow } from '../output/row.ts';
import { auTimeline } from './clip-visuals.ts';
import type { ReportData } from './report-model.ts';

const pct = (x: number) => (100 * x).toFixed(2);
const ci = (i: Interval) => `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;

export function runReport(preset: string, rows: OutputRow[], classes: string[], opts: { reps?: number; seed?: number } = {}): ReportData {
  const ok = rows.filter((r) => !r.error && r.groundTruth !== undefined);
  const names = classes.length ? classes : [...new Set(ok.map((r) => r.groundTruth!))].sort();
  const index = new Map(names.map((c, i) => [c, i]));
  const truth = labelsToIndices(ok.map((r) => r.groundTruth!), names);
  const predictionsOf = (label: (r: OutputRow) => string | null | undefined) => Int32Array.from(ok, (r) => index.get(label(r) ?? '') ?? names.length);
  const pred = predictionsOf((r) => r.label);
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 1 };
  const n = ok.length;
  const uar = n ? bootstrapInterval(n, (idx) => uarOn(truth, pred, idx, names.length), boot) : undefined;
  const war = n ? bootstrapInterval(n, (idx) => idx.reduce((s, i) => s + (pred[i] === truth[i] ? 1 : 0), 0) / idx.length, boot) : undefined;
  const slots = [...new Set(ok.flatMap((r) => Object.entries(r.levels).filter(([, l]) => l.scores).map(([s]) => s)))];
  const argmax = (s: Record<string, number> | undefined) => (s ? Object.entries(s).reduce((a, b) => (b[1] > a[1] ? b : a))[0] : null);
  const perLevel = slots.map((slot) => ({ slot, uar: n ? uarOn(truth, predictionsOf((r) => argmax(r.levels[slot]?.scores)), Int32Array.from(ok, (_, i) => i), names.length) : 0 }));
  const confusion = names.map(() => new Array<number>(names.length + 1).fill(0));
  truth.forEach((t, i) => confusion[t][pred[i]]++);
  const none = confusion.some((row) => row[names.length] > 0);
  const wrong = ok.filter((_, i) => pred[i] !== truth[i]);
  return {
    title: `Run of preset ${preset}`,
    subtitle: `${rows.length} clips, ${n} scored with ground truth, ${rows.filter((r) => r.error).length} failed; 95% percentile bootstrap intervals.`,
    tables: [
      { title: 'Metrics', headers: ['preset', 'UAR % [95% CI]', 'WAR % [95% CI]', 'clips'], rows: uar && war ? [[preset, ci(uar), ci(war), String(n)]] : [] },
      { title: 'Each scoring level on its own (argmax of its scores)', headers: ['level', 'UAR %'], rows: perLevel.map((l) => [l.slot, pct(l.uar)]) },
    ],
    bars: perLevel.length ? [{ title: 'UAR of each level on its own (%)', labels: perLevel.map((l) => l.slot), values: perLevel.map((l) => 100 * l.uar), xLabel: 'UAR %' }] : [],
    lines: [],
    confusions: n ? [{ title: preset, classes: none ? [...names, '(none)'] : names, matrix: confusion.map((row) => (none ? row : row.slice(0, names.length))) }] : [],
    clips: { title: `Clips predicted wrong (${wrong.length})`, headers: ['id', 'truth', 'predicted'], rows: wrong.map((r) => ({ cells: [r.id, r.groundTruth!, String(r.label)], au: auTimeline([r]) })) },
  };
}
