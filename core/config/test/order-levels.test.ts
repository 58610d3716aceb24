import { describe, expect, it } from 'vitest';
import { VisageError } from '../../errors/visage-error.ts';
import { orderLevels } from '../order-levels.ts';
import { thrown } from '../../testing.ts';

const level = (slot: string, ...needs: string[]) => ({ slot, needs });
const slots = (levels: { slot: string }[]) => levels.map((l) => l.slot);

describe('orderLevels', () => {
  it('keeps the given order of independent levels', () => {
    expect(slots(orderLevels([level('b'), level('a'), level('c')]))).toEqual(['b', 'a', 'c']);
  });

  it('puts every level after the levels it needs, transitively', () => {
    expect(slots(orderLevels([level('top', 'mid'), level('mid', 'base'), level('base')]))).toEqual(['base', 'mid', 'top']);
  });

  it('lists a level needed by several others once', () => {
    const out = orderLevels([level('x', 'base'), level('y', 'base', 'x'), level('base')]);
    expect(slots(out)).toEqual(['base', 'x', 'y']);
  });

  it('returns the level objects themselves', () => {
    const a = { slot: 'a', needs: [], weight: 2 };
    expect(orderLevels([a])[0]).toBe(a);
  });

  it('refuses a need that is not among the enabled levels', () => {
    const e = thrown(() => orderLevels([level('a'), level('b', 'a', 'gone')]));
    expect(e.code).toBe('LEVEL_NEEDS_DISABLED');
    expect(e.pointer).toBe('/stages/levels/b');
    expect(e.hint).toBe('enable it: --set stages.levels.gone.enabled=true, or disable b');
    expect(e.exitCode).toBe(2);
  });

  it('refuses a cycle and names it from where it closes', () => {
    const e = thrown(() => orderLevels([level('entry', 'a'), level('a', 'b'), level('b', 'c'), level('c', 'a')]));
    expect(e.code).toBe('LEVEL_CYCLE');
    expect(e.message).toBe('levels need each other in a cycle: a -> b -> c -> a');
    expect(e.hint).toMatch(/cannot \(indirectly\) need itself/);
  });

  it('refuses a level that needs itself', () => {
    expect(thrown(() => orderLevels([level('a', 'a')])).message).toBe('levels need each other in a cycle: a -> a');
  });
});
