/** guard(): a call into plugin code settles with its work, or with a coded error at its deadline or abort. */
import { describe, expect, it } from 'vitest';
import { guard } from '../stage-guard.ts';

const never = () => new Promise<never>(() => {});
const opts = (extra: Partial<Parameters<typeof guard>[1]> = {}) => ({
  ms: 50,
  onTimeout: () => new Error('timed out'),
  onAbort: (reason: unknown) => new Error(`aborted: ${String(reason)}`),
  ...extra,
});

describe('guard', () => {
  it('passes the work through: its value, or its own error', async () => {
    await expect(guard(Promise.resolve(7), opts())).resolves.toBe(7);
    await expect(guard(Promise.reject(new Error('boom')), opts())).rejects.toThrow('boom');
  });

  it('rejects with onTimeout() when the work outlives the deadline, and not before', async () => {
    const t0 = performance.now();
    await expect(guard(never(), opts({ ms: 60 }))).rejects.toThrow('timed out');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    await expect(guard(new Promise((r) => setTimeout(() => r('late but in time'), 20)), opts({ ms: 200 }))).resolves.toBe('late but in time');
  });

  it('has no deadline at 0 or Infinity', async () => {
    for (const ms of [0, Infinity]) {
      const slow = new Promise((r) => setTimeout(() => r(ms), 80));
      await expect(guard(slow, opts({ ms }))).resolves.toBe(ms);
    }
  });

  it('rejects with onAbort(reason) when the signal fires first, or has fired already', async () => {
    const ac = new AbortController();
    const p = guard(never(), opts({ ms: 10_000, signal: ac.signal }));
    ac.abort('Ctrl-C');
    await expect(p).rejects.toThrow('aborted: Ctrl-C');
    await expect(guard(Promise.resolve(1), opts({ signal: ac.signal }))).rejects.toThrow('aborted: Ctrl-C');
  });

  it('lets go of the signal and the timer once settled, and swallows a late rejection', async () => {
    const ac = new AbortController();
    await guard(Promise.resolve(1), opts({ ms: 10_000, signal: ac.signal }));
    ac.abort('after'); // no listener left: nothing happens
    let rejectLate!: (e: Error) => void;
    const late = new Promise<never>((_, reject) => (rejectLate = reject));
    await expect(guard(late, opts({ ms: 10 }))).rejects.toThrow('timed out');
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    rejectLate(new Error('too late'));
    await new Promise((r) => setTimeout(r, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
});
