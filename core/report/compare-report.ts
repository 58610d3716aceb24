/** The report of `visage compare`: metrics with intervals, UAR bars, confusion matrices, changed clips. */
import type { Comparison } from '../compare/compare-stats.ts';
import type { OpenSetComparison } from '../compare/open-set-comparison.ts';
import type { Interval } from '../metrics/index.ts';
import type { OutputRow } from '../output/row.ts';
import type { ClipVisuals } from './clip-visuals.ts';
import type { ReportData } from './report-model.ts';

const pct = (x: number) => (100 * x).toFixed(2);
const ci = (i: Interval) => `${pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;

/** `openSet`: on open-set data, the terminal's second table (HESP's numbers per variant) as well. */
export function compareReport(c: Comparison, rows: OutputRow[][], visuals: ClipVisuals, openSet?: OpenSetComparison): ReportData {
  const names = c.variants.map((v) => v.name);
  const data: ReportData = {
    title: `Comparison: ${names.join(' vs ')}`,
    subtitle: `${c.clips.length} clips scored by every variant${c.hasTruth ? '; 95% percentile bootstrap intervals' : '; no ground truth, so agreement only'}.`,
    tables: [],
    bars: [],
    lines: [],
    confusions: [],
  };
  if (c.hasTruth) {
    data.tables.push({ title: 'Metrics', headers: ['variant', 'UAR % [95% CI]', 'WAR % [95% CI]', 'failed clips'], rows: c.variants.map((v) => [v.name, ci(v.uar!), ci(v.war!), String(v.failed)]) });
    data.bars.push({ title: 'UAR per variant (%), with 95% interval', labels: names, values: c.variants.map((v) => 100 * v.uar!.estimate), low: c.variants.map((v) => 100 * v.uar!.low), high: c.variants.map((v) => 100 * v.uar!.high), xLabel: 'UAR %' });
    data.confusions = c.variants.map((v) => ({ title: v.name, classes: v.report!.classes, matrix: v.report!.confusion }));
  }
  data.tables.push({
    title: `Against ${names[0]}`,
    headers: ['variant', ...(c.hasTruth ? ['ΔUAR % [95% CI]', 'McNemar exact p'] : []), "Cohen's kappa", 'agreement %', 'changed clips', 'mean prob. shift'],
    rows: c.pairs.map((p) => [p.variant, ...(c.hasTruth ? [ci(p.uarDifference!), p.mcnemar!.pValue.toPrecision(3)] : []), p.kappa.toFixed(3), pct(p.agreement), String(p.changed.length), p.meanProbabilityShift.toFixed(4)]),
  });
  if (openSet) {
    data.tables.push({
      title: `Open set: ${openSet.known} known and ${openSet.unknown} unknown clips (%; known-ness: each row's knownness, known clips are the positives)`,
      headers: ['variant', 'UAR', 'Acc', 'AUROC', 'OSCR', 'OSCR-compat'],
      rows: openSet.variants.map((v) => [v.name, pct(v.uar), pct(v.closedSetAccuracy), pct(v.auroc), pct(v.oscr), pct(v.oscrCompat)]),
    });
  }
  if (c.hasTruth) data.bars.push({ title: `UAR difference against ${names[0]} (points), with 95% paired interval`, labels: c.pairs.map((p) => p.variant), values: c.pairs.map((p) => 100 * p.uarDifference!.estimate), low: c.pairs.map((p) => 100 * p.uarDifference!.low), high: c.pairs.map((p) => 100 * p.uarDifference!.high), xLabel: 'ΔUAR (points)' });
  const changedIds = [...new Set(c.pairs.flatMap((p) => p.changed.map((x) => x.id)))];
  const byId = rows.map((r) => new Map(r.map((row) => [row.id, row])));
  data.clips = {
    title: `Clips whose label changed (${changedIds.length})`,
    headers: ['id', ...(c.hasTruth ? ['truth'] : []), ...names],
    rows: changedIds.map((id) => ({
      cells: [id, ...(c.hasTruth ? [byId[0].get(id)?.groundTruth ?? ''] : []), ...byId.map((m) => String(m.get(id)?.label ?? 'failed'))],
      thumbnail: visuals.byId.get(id)?.thumbnail,
      au: visuals.byId.get(id)?.au,
    })),
  };
  return data;
}
