/** The report of `visage train --report`: loss and validation curves per epoch, fusion weights, test metrics. */
import { classificationReportByName, type PredictionRecord } from '../metrics/index.ts';
import type { ReportData } from './report-model.ts';

/** What the trainer logs per epoch (plugins/clip-adapter EpochLog), as far as the report reads it. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  valLoss: number;
  valUar: number;
  valWar: number;
  weights: Record<string, number>;
}

const pct = (x: number) => (100 * x).toFixed(2);

export function trainReport(title: string, history: EpochPoint[], best: { epoch: number; valUar: number; valWar: number }, test: PredictionRecord[], classes: string[]): ReportData {
  const epochs = history.map((h) => h.epoch);
  const levels = Object.keys(history[0]?.weights ?? {});
  const report = test.length ? classificationReportByName(test.map((r) => r.label), test.map((r) => r.predicted), classes) : undefined;
  return {
    title,
    subtitle: `${history.length} epochs; the kept checkpoint is epoch ${best.epoch}, selected on validation (never on test).`,
    tables: [{
      title: 'Metrics',
      headers: ['split', 'UAR %', 'WAR %', 'clips'],
      rows: [['validation (kept epoch)', pct(best.valUar), pct(best.valWar), ''], ...(report ? [['test', pct(report.uar), pct(report.war), String(test.length)]] : [])],
    }],
    bars: [],
    lines: [
      { title: 'Loss per epoch', x: epochs, series: [{ name: 'train loss', values: history.map((h) => h.loss) }, { name: 'validation loss', values: history.map((h) => h.valLoss) }], xLabel: 'epoch', yLabel: 'loss' },
      { title: 'Validation UAR and WAR per epoch (%)', x: epochs, series: [{ name: 'val UAR', values: history.map((h) => 100 * h.valUar) }, { name: 'val WAR', values: history.map((h) => 100 * h.valWar) }], xLabel: 'epoch', yLabel: '%' },
      ...(levels.length ? [{ title: 'Fusion weight of each level per epoch', x: epochs, series: levels.map((l) => ({ name: l, values: history.map((h) => h.weights[l] ?? null) })), xLabel: 'epoch', yLabel: 'weight' }] : []),
    ],
    confusions: report ? [{ title: 'test split', classes: report.classes, matrix: report.confusion }] : [],
  };
}
