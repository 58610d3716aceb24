/** The readable table `visage compare` prints: percentages with 2 decimals, as DFER papers report. */
import type { Interval } from '../metrics/index.ts';
import type { Comparison } from './compare-stats.ts';

const pct = (x: number) => (100 * x).toFixed(2);
const ci = (i: Interval) => `${pct(i.estimate).padStart(6)} [${pct(i.low)}, ${pct(i.high)}]`;
const signedCi = (i: Interval) => `${(i.estimate >= 0 ? '+' : '') + pct(i.estimate)} [${pct(i.low)}, ${pct(i.high)}]`;

export function formatComparison(c: Comparison, maxChanged = 20): string {
  const w = Math.max(8, `vs ${c.variants[0].name}`.length, ...c.variants.map((v) => v.name.length)) + 2;
  const lines: string[] = [];
  const noTruth = c.unlabelled === c.clips.length ? 'no ground truth' : `${c.unlabelled} of them without ground truth`;
  lines.push(`${c.clips.length} clips scored by every variant${c.hasTruth ? '' : ` (${noTruth}: agreement only)`}`);
  lines.push('');
  if (c.hasTruth) {
    lines.push(`${'variant'.padEnd(w)}${'UAR [95% CI]'.padEnd(26)}${'WAR [95% CI]'.padEnd(26)}failed`);
    for (const v of c.variants) lines.push(`${v.name.padEnd(w)}${ci(v.uar!).padEnd(26)}${ci(v.war!).padEnd(26)}${v.failed}`);
  } else {
    lines.push(`${'variant'.padEnd(w)}failed`);
    for (const v of c.variants) lines.push(`${v.name.padEnd(w)}${v.failed}`);
  }
  lines.push('');
  const base = c.variants[0].name;
  const head = `${`vs ${base}`.padEnd(w)}${c.hasTruth ? `${'ΔUAR [95% CI]'.padEnd(26)}${'McNemar p'.padEnd(11)}` : ''}${'kappa'.padEnd(8)}${'agree'.padEnd(8)}${'changed'.padEnd(9)}mean Δp`;
  lines.push(head);
  for (const p of c.pairs) {
    const truthCells = c.hasTruth ? `${signedCi(p.uarDifference!).padEnd(26)}${p.mcnemar!.pValue.toPrecision(3).padEnd(11)}` : '';
    lines.push(`${p.variant.padEnd(w)}${truthCells}${p.kappa.toFixed(3).padEnd(8)}${pct(p.agreement).padEnd(8)}${String(p.changed.length).padEnd(9)}${p.meanProbabilityShift.toFixed(4)}`);
  }
  for (const p of c.pairs) {
    if (!p.changed.length) continue;
    lines.push('');
    lines.push(`changed labels, ${p.baseline} -> ${p.variant}${p.changed.length > maxChanged ? ` (first ${maxChanged} of ${p.changed.length}; --json lists all)` : ''}:`);
    const idW = Math.max(4, ...p.changed.slice(0, maxChanged).map((x) => x.id.length)) + 2;
    for (const x of p.changed.slice(0, maxChanged)) {
      const mark = x.truth === undefined ? '' : x.to === x.truth ? '  (now right)' : x.from === x.truth ? '  (now wrong)' : '';
      lines.push(`  ${x.id.padEnd(idW)}${x.truth !== undefined ? `truth ${x.truth.padEnd(10)}` : ''}${String(x.from)} -> ${String(x.to)}${mark}`);
    }
  }
  return lines.join('\n') + '\n';
}
