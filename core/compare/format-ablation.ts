/** The readable table of `visage ablate`. */
import type { Ablation } from './ablation.ts';

const pct = (x: number) => (100 * x).toFixed(2);
const signed = (x: number) => (x >= 0 ? '+' : '') + pct(x);

export function formatAblation(a: Ablation): string {
  const lines: string[] = [];
  lines.push(`preset ${a.preset}: ${a.clips} clips${a.failed ? ` (${a.failed} failed, left out)` : ''}, UAR ${pct(a.full.estimate)} [${pct(a.full.low)}, ${pct(a.full.high)}] with all ${a.levels.length} weighted levels`);
  lines.push('');
  const w = Math.max(8, ...a.levels.map((l) => l.slot.length)) + 2;
  const shapley = a.levels.some((l) => l.shapley !== undefined);
  lines.push(`${'level'.padEnd(w)}${'weight'.padEnd(8)}${'UAR without'.padEnd(13)}${'drop when removed [95% CI]'.padEnd(30)}${shapley ? 'Shapley (UAR points)' : ''}`);
  for (const l of a.levels) {
    lines.push(`${l.slot.padEnd(w)}${String(l.weight).padEnd(8)}${pct(l.uarWithout).padEnd(13)}${`${signed(l.drop.estimate)} [${pct(l.drop.low)}, ${pct(l.drop.high)}]`.padEnd(30)}${l.shapley !== undefined ? signed(l.shapley) : ''}`);
  }
  if (shapley) {
    lines.push('');
    lines.push('UAR of every subset of levels (empty set = chance):');
    const entries = Object.entries(a.subsets).sort((x, y) => y[1] - x[1]);
    for (const [name, v] of entries) lines.push(`  ${(name || '(none)').padEnd(40)}${pct(v)}`);
  } else {
    lines.push('', `more than the exact limit of levels: leave-one-out only (raise --max-exact for every subset and Shapley values)`);
  }
  return lines.join('\n') + '\n';
}
