/** The report of `visage open-set eval --report`: metrics per draw, mean ± std, ROC curves of each draw. */
import { rocCurve, type PredictionRecord } from '../metrics/index.ts';
import type { ReportData } from './report-model.ts';

export interface OpenSetDrawSummary {
  name: string;
  known: string[];
  closedSetAccuracy: number;
  auroc: number;
  oscr: number;
  oscrCompat: number;
  zeroShotAuroc: number;
  /** The draw's test predictions (known-ness scores and whether each clip's class is known). */
  predictions: PredictionRecord[];
}

const pct = (x: number) => (100 * x).toFixed(2);

export function openSetReport(title: string, draws: OpenSetDrawSummary[]): ReportData {
  const mean = (f: (d: OpenSetDrawSummary) => number) => draws.reduce((s, d) => s + f(d), 0) / draws.length;
  const std = (f: (d: OpenSetDrawSummary) => number) => Math.sqrt(draws.reduce((s, d) => s + (f(d) - mean(f)) ** 2, 0) / draws.length);
  const ms = (f: (d: OpenSetDrawSummary) => number) => `${pct(mean(f))} ± ${pct(std(f))}`;
  return {
    title,
    subtitle: `${draws.length} draws of known classes; known-ness ROC: a known clip accepted is a true positive, an unknown clip accepted a false positive.`,
    tables: [{
      title: 'Metrics per draw (%)',
      headers: ['draw', 'known classes', 'closed-set acc', 'AUROC', 'OSCR', 'OSCR (ARPL-compatible)', 'zero-shot AUROC'],
      rows: [
        ...draws.map((d) => [d.name, d.known.join(', '), pct(d.closedSetAccuracy), pct(d.auroc), pct(d.oscr), pct(d.oscrCompat), pct(d.zeroShotAuroc)]),
        ['mean ± std', '', ms((d) => d.closedSetAccuracy), ms((d) => d.auroc), ms((d) => d.oscr), ms((d) => d.oscrCompat), ms((d) => d.zeroShotAuroc)],
      ],
    }],
    bars: [],
    lines: [],
    xy: [{
      title: 'ROC of known-ness (known = positive), one curve per draw',
      series: draws.map((d) => {
        const known = d.predictions.filter((p) => p.known !== false).map((p) => p.knownness!);
        const unknown = d.predictions.filter((p) => p.known === false).map((p) => p.knownness!);
        return { name: `draw ${d.name} (AUROC ${pct(d.auroc)})`, points: rocCurve(known, unknown).map((p) => [p.fpr, p.tpr] as [number, number]) };
      }),
      xLabel: 'unknown clips accepted (FPR)',
      yLabel: 'known clips accepted (TPR)',
    }],
    confusions: [],
  };
}
