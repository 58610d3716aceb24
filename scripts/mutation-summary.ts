/**
 * The per-area table of `npm run test:mutation`, read from the JSON reports Stryker writes
 * (mutation-testing-report-schema). The score is Stryker's: detected (killed or timed out) over
 * all valid mutants (detected, survived, or reached by no test); ignored and erroring mutants
 * are left out, as Stryker does.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface AreaSummary {
  area: string;
  mutants: number;
  killed: number;
  timedOut: number;
  survived: number;
  noCoverage: number;
  /** Percent, or NaN when the area has no valid mutant. */
  score: number;
}

interface MutantReport { status: string }
interface MutationReport { files: Record<string, { mutants: MutantReport[] }> }

export function summarizeReport(area: string, report: MutationReport): AreaSummary {
  const count: Record<string, number> = {};
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  }
  const killed = count.Killed ?? 0;
  const timedOut = count.Timeout ?? 0;
  const survived = count.Survived ?? 0;
  const noCoverage = count.NoCoverage ?? 0;
  const valid = killed + timedOut + survived + noCoverage;
  return { area, mutants: valid, killed, timedOut, survived, noCoverage, score: valid ? (100 * (killed + timedOut)) / valid : NaN };
}

/** The summary of an area's last report, or undefined when it has not been run. */
export function readAreaSummary(area: string, reportFile: string): AreaSummary | undefined {
  if (!existsSync(reportFile)) return undefined;
  return summarizeReport(area, JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport);
}

/** A Markdown table (it reads as plain text too), one row per area, plus the mutants of all areas. */
export function formatTable(rows: AreaSummary[]): string {
  const lines = ['| area | mutants | killed | timed out | survived | no coverage | score |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.area} | ${r.mutants} | ${r.killed} | ${r.timedOut} | ${r.survived} | ${r.noCoverage} | ${Number.isNaN(r.score) ? '-' : `${r.score.toFixed(1)}%`} |`);
  }
  return lines.join('\n');
}
