/** The report of `visage ablate`: UAR per subset, each level's contribution, the full preset's confusion matrix. */
import type { Ablation } from '../compare/ablation.ts';
import { classificationReportByName } from '../metrics/index.ts';
import type { ReportData } from './report-model.ts';

const pct = (x: number) => (100 * x).toFixed(2);

export function ablateReport(a: Ablation): ReportData {
  const ok = a.rows.filter((r) => !r.error);
  const data: ReportData = {
    title: `Ablation of preset ${a.preset}`,
    subtitle: `${a.clips} clips; UAR with all levels ${pct(a.full.estimate)}% [${pct(a.full.low)}, ${pct(a.full.high)}] (95% bootstrap). Levels run once per clip; only fusion and decide rerun per subset.`,
    tables: [{
      title: 'Contribution of each level',
      headers: ['level', 'weight', 'UAR % without it', 'drop when removed % [95% CI]', ...(a.levels[0]?.shapley !== undefined ? ['Shapley (UAR points)'] : [])],
      rows: a.levels.map((l) => [l.slot, String(l.weight), pct(l.uarWithout), `${pct(l.drop.estimate)} [${pct(l.drop.low)}, ${pct(l.drop.high)}]`, ...(l.shapley !== undefined ? [pct(l.shapley)] : [])]),
    }, {
      title: 'UAR of each subset of levels',
      headers: ['levels', 'UAR %'],
      rows: Object.entries(a.subsets).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k || '(none: chance)', pct(v)]),
    }],
    bars: [{
      title: 'Drop in UAR when the level is removed (points), with 95% paired interval',
      labels: a.levels.map((l) => l.slot),
      values: a.levels.map((l) => 100 * l.drop.estimate),
      low: a.levels.map((l) => 100 * l.drop.low),
      high: a.levels.map((l) => 100 * l.drop.high),
      xLabel: 'UAR drop (points)',
    }],
    lines: [],
    confusions: ok.length ? [{ title: `${a.preset} (all levels)`, ...(({ classes, confusion }) => ({ classes, matrix: confusion }))(classificationReportByName(ok.map((r) => r.groundTruth!), ok.map((r) => r.label ?? ''), [...a.classes, ...(ok.some((r) => !r.label) ? [''] : [])])) }] : [],
  };
  if (a.levels[0]?.shapley !== undefined) {
    data.bars.push({ title: 'Shapley value of each level (UAR points)', labels: a.levels.map((l) => l.slot), values: a.levels.map((l) => 100 * l.shapley!), xLabel: 'Shapley value (UAR points)' });
  }
  return data;
}
