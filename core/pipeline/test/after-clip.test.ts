/** The afterClip hook, tapped by a real observer plugin that only its activation event brings in. */
import { beforeEach, describe, expect, it } from 'vitest';
import { usedPlugins } from '../../config/resolve-preset.ts';
import { probeHost, resetProbe, type ProbeLog } from './probe-plugins.ts';

let log: ProbeLog;
beforeEach(() => {
  log = resetProbe();
});

const observed = () => log.events.filter(([e]) => e === 'observed').map(([, d]) => d);
const withLate = { preset: 'probe', set: ['stages.levels.late.weight=1'] };

describe('afterClip', () => {
  it('is called with every clip run() finishes, in order, by each observer tap', async () => {
    const host = probeHost();
    expect(usedPlugins(host.registry, host.resolve(withLate))).toContain('test.observer');
    const pl = await host.pipeline(withLate);
    await pl.run({ path: 'x' });
    await pl.run({ path: 'y' });
    expect(observed()).toEqual([
      { id: 'clip-x', label: 'happy', levels: ['a', 'b', 'late'] },
      { id: 'clip-y', label: 'happy', levels: ['a', 'b', 'late'] },
    ]);
  });

  it('is not called for a failed clip, nor for a levels-only run', async () => {
    const pl = await probeHost().pipeline(withLate);
    await expect(pl.run({ path: 'throw:' })).rejects.toMatchObject({ code: 'PLUGIN_ERROR' });
    await pl.levels({ path: 'x' });
    expect(observed()).toEqual([]);
  });

  it('an observer that throws is logged with its plugin; the clip and the other observers go on', async () => {
    const lines: string[] = [];
    const pl = await probeHost({ logLevel: 'warn', logSink: (l) => lines.push(l) }).pipeline(withLate);
    const r = await pl.run({ path: 'boom' });
    expect(r.decision.label).toBe('happy');
    expect(observed()).toEqual([{ id: 'clip-boom', label: 'happy', levels: ['a', 'b', 'late'] }]);
    expect(lines.some((l) => l.includes('test.observer') && l.includes('afterClip failed on clip-boom: observer broke'))).toBe(true);
  });

  it('a plugin activated by no event of the preset stays unloaded, and observes nothing', async () => {
    const host = probeHost();
    expect(usedPlugins(host.registry, host.resolve({ preset: 'probe' }))).not.toContain('test.observer');
    const pl = await host.pipeline({ preset: 'probe' });
    await pl.run({ path: 'x' });
    expect(observed()).toEqual([]);
    expect(pl.hooks.afterClip.taps).toEqual([]);
  });
});
