// runBatch asks for each clip's ingest to start ahead (Pipeline.prefetch) as the clip before it
// starts, never for the first clip, and never once the batch has stopped.
import { describe, expect, it } from 'vitest';
import type { OutputRow } from '../../output/row.ts';
import type { SourceRef } from '../../pipeline/stage-types.ts';
import { runBatch, type RowSink } from '../run-batch.ts';

const sink = (lines: string[]): RowSink => ({ format: (row) => row.id, write: async (line) => void lines.push(line) });
const row = (s: SourceRef): OutputRow => ({ id: s.path, source: s.path, error: null } as unknown as OutputRow);

describe('runBatch prefetch', () => {
  it('prefetches the next clip as each one starts, so one ingest runs ahead of the clips in flight', async () => {
    const sources = ['a', 'b', 'c', 'd', 'e'].map((path) => ({ path }));
    const events: string[] = [];
    const lines: string[] = [];
    await runBatch(sources, async (s) => {
      events.push(`run ${s.path}`);
      await new Promise((r) => setTimeout(r, 5));
      return row(s);
    }, sink(lines), { jobs: 2, prefetch: (s) => events.push(`prefetch ${s.path}`) });
    expect(events.slice(0, 4)).toEqual(['prefetch b', 'run a', 'prefetch c', 'run b']);
    expect(events.filter((e) => e.startsWith('prefetch'))).toEqual(['prefetch b', 'prefetch c', 'prefetch d', 'prefetch e']);
    expect(lines).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('prefetches nothing after a stop, and hands the batch\'s signal to each prefetch', async () => {
    const sources = ['a', 'b', 'c', 'd'].map((path) => ({ path }));
    const stop = new AbortController();
    const signals: AbortSignal[] = [];
    const prefetched: string[] = [];
    await runBatch(sources, async (s) => {
      if (s.path === 'a') stop.abort(new Error('Ctrl-C'));
      return row(s);
    }, sink([]), { jobs: 1, signal: stop.signal, prefetch: (s, signal) => (prefetched.push(s.path), signals.push(signal)) });
    expect(prefetched).toEqual(['b']);
    expect(signals[0].aborted).toBe(true);
  });
});
