/**
 * `visage compare` on open-set data (issue 17): when some clips' ground truth is a class outside the
 * run's classes (an unknown class), each variant also gets HESP's numbers: closed-set UAR and accuracy
 * on the known clips, and AUROC and both OSCRs of its known-ness scores (known clips are the positives).
 * Only clips every variant scored count, as in the rest of the comparison.
 */
import { classificationReportByName, openSetReport, type OpenSetReport } from '../metrics/index.ts';
import type { VariantRows } from './compare-stats.ts';

export interface OpenSetVariantMetrics extends OpenSetReport {
  name: string;
  /** Closed-set UAR on the known clips. */
  uar: number;
}

export interface OpenSetComparison {
  known: number;
  unknown: number;
  variants: OpenSetVariantMetrics[];
}

/** True when some labelled clip's truth is not one of `classes`: the data holds unknown classes. */
export function isOpenSet(runs: VariantRows[], classes: readonly string[]): boolean {
  return runs[0].rows.some((r) => r.groundTruth !== undefined && !classes.includes(r.groundTruth));
}

/** Open-set metrics per variant, or undefined when the clips lack known or unknown ones. */
export function compareOpenSet(runs: VariantRows[], classes: string[]): OpenSetComparison | undefined {
  const byId = runs.map((r) => new Map(r.rows.filter((row) => !row.error && row.groundTruth !== undefined).map((row) => [row.id, row])));
  const ids = runs[0].rows.map((r) => r.id).filter((id) => byId.every((m) => m.has(id)));
  const isKnown = (id: string) => classes.includes(byId[0].get(id)!.groundTruth!);
  const known = ids.filter(isKnown), unknown = ids.filter((id) => !isKnown(id));
  if (!known.length || !unknown.length) return undefined;
  const variants = runs.map((r, v) => {
    const rows = known.map((id) => byId[v].get(id)!);
    const report = openSetReport(
      { scores: rows.map((row) => row.knownness), correct: rows.map((row) => row.label === row.groundTruth) },
      unknown.map((id) => byId[v].get(id)!.knownness),
    );
    const uar = classificationReportByName(rows.map((row) => row.groundTruth!), rows.map((row) => row.label ?? '(none)'), [...classes, '(none)']).uar;
    return { name: r.name, uar, ...report };
  });
  return { known: known.length, unknown: unknown.length, variants };
}

/** The table beside the closed-set comparison: percentages with 2 decimals, as HESP reports them. */
export function formatOpenSet(c: OpenSetComparison): string {
  const pct = (x: number) => (100 * x).toFixed(2).padStart(7);
  const w = Math.max(8, ...c.variants.map((v) => v.name.length)) + 2;
  const lines = [
    '',
    `open set: ${c.known} known and ${c.unknown} unknown clips (known-ness: each row's knownness; known clips are the positives)`,
    `${'variant'.padEnd(w)}${'UAR'.padStart(7)}${'Acc'.padStart(8)}${'AUROC'.padStart(8)}${'OSCR'.padStart(8)}${'OSCR-c'.padStart(8)}`,
    ...c.variants.map((v) => `${v.name.padEnd(w)}${pct(v.uar)}${pct(v.closedSetAccuracy).padStart(8)}${pct(v.auroc).padStart(8)}${pct(v.oscr).padStart(8)}${pct(v.oscrCompat).padStart(8)}`),
  ];
  return lines.join('\n') + '\n';
}
