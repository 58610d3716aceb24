/** Orders enabled levels so each runs after the levels it needs; a cycle or a disabled need is an error. */
import * as errors from '../errors/messages.ts';

export function orderLevels<L extends { slot: string; needs: string[] }>(levels: L[]): L[] {
  const bySlot = new Map(levels.map((l) => [l.slot, l]));
  for (const l of levels) {
    for (const need of l.needs) if (!bySlot.has(need)) throw errors.levelNeedsDisabled(l.slot, need);
  }
  const out: L[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (l: L, chain: string[]) => {
    if (state.get(l.slot) === 'done') return;
    if (state.get(l.slot) === 'visiting') throw errors.levelCycle([...chain.slice(chain.indexOf(l.slot)), l.slot]);
    state.set(l.slot, 'visiting');
    for (const need of l.needs) visit(bySlot.get(need)!, [...chain, l.slot]);
    state.set(l.slot, 'done');
    out.push(l);
  };
  // Stryker disable next-line ArrayDeclaration: a cycle's chain is cut at the level that closes it, so a root entry never shows
  for (const l of levels) visit(l, []);
  return out;
}
