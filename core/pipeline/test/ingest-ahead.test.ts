// Pipeline.prefetch: a clip's ingest started ahead of its run (so decoding overlaps the clips in
// flight) is taken by that run, gives the same clip or error, and follows the batch's and the
// clip's aborts. On a real host with the probe plugins, which log every ingest call.
import { describe, expect, it } from 'vitest';
import type { VisageError } from '../../errors/visage-error.ts';
import { IngestAhead } from '../ingest-ahead.ts';
import { probeHost, resetProbe } from './probe-plugins.ts';

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: VisageError) => e);
const ingests = (log: ReturnType<typeof resetProbe>) => log.events.filter(([stage]) => stage === 'ingest').map(([, d]) => (d as { path: string }).path);

describe('Pipeline.prefetch', () => {
  it('starts the ingest now, and the run of that source takes it instead of ingesting again', async () => {
    const log = resetProbe();
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const direct = await pl.run({ path: 'a.mp4' });
    pl.prefetch({ path: 'b.mp4' });
    await new Promise((r) => setTimeout(r, 0));
    expect(ingests(log)).toEqual(['a.mp4', 'b.mp4']);
    const ahead = await pl.run({ path: 'b.mp4' });
    expect(ingests(log)).toEqual(['a.mp4', 'b.mp4']);
    expect(ahead.clip.id).toBe('clip-b.mp4');
    expect(ahead.decision).toEqual(direct.decision);
    expect(ahead.timings.ingest).toBeGreaterThanOrEqual(0);
    // Taken once: a second run of the same source ingests again.
    await pl.run({ path: 'b.mp4' });
    expect(ingests(log)).toEqual(['a.mp4', 'b.mp4', 'b.mp4']);
    await pl.dispose();
  });

  // A batch asks for the next clip's ingest as a clip starts, before that clip has taken its own:
  // two must be held then, or every other clip of a two-lane batch is not ingested ahead.
  it('holds two ingests ahead (the clip just started, and the next), a third prefetch starts nothing', async () => {
    const log = resetProbe();
    const pl = await probeHost().pipeline({ preset: 'probe' });
    pl.prefetch({ path: 'b.mp4' });
    pl.prefetch({ path: 'c.mp4' });
    pl.prefetch({ path: 'd.mp4' });
    pl.prefetch({ path: 'b.mp4' });
    await new Promise((r) => setTimeout(r, 0));
    expect(ingests(log)).toEqual(['b.mp4', 'c.mp4']);
    await pl.run({ path: 'b.mp4' });
    await pl.run({ path: 'c.mp4' });
    await pl.run({ path: 'd.mp4' });
    expect(ingests(log)).toEqual(['b.mp4', 'c.mp4', 'd.mp4']);
    await pl.dispose();
  });

  it('a failed ingest ahead fails its clip with the error a direct ingest gives', async () => {
    resetProbe();
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const direct = await rejection(pl.run({ path: 'throw:' }));
    pl.prefetch({ path: 'throw:' });
    const ahead = await rejection(pl.run({ path: 'throw:' }));
    expect([ahead.code, ahead.message]).toEqual([direct.code, direct.message]);
    expect(ahead).toMatchObject({ code: 'PLUGIN_ERROR', message: 'cannot open throw:', stage: 'ingest' });
    await pl.dispose();
  });

  it('a stopped batch aborts the ingest it started ahead', async () => {
    resetProbe();
    const pl = await probeHost().pipeline({ preset: 'probe' });
    const batch = new AbortController();
    pl.prefetch({ path: 'b.mp4' }, { signal: batch.signal });
    batch.abort(new Error('Ctrl-C'));
    const e = await rejection(pl.run({ path: 'b.mp4' }));
    expect(e.code).toBe('ABORTED');
    await pl.dispose();
  });
});

describe('IngestAhead', () => {
  const never = (abort: AbortController) => new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason)));

  it('forwards the clip\'s abort to the ingest it takes, and adds the ingest\'s timings to the clip\'s', async () => {
    const ahead = new IngestAhead();
    let seen: AbortController | undefined;
    ahead.start({ path: 'x' }, (abort, timings) => {
      seen = abort;
      timings.ingest = 7;
      return never(abort);
    });
    const clipAbort = new AbortController();
    const timings: Record<string, number> = {};
    const taken = ahead.take({ path: 'x' }, clipAbort, timings)!;
    expect(ahead.size).toBe(0);
    clipAbort.abort(new Error('timeout'));
    await expect(taken).rejects.toThrow('timeout');
    expect(seen!.signal.aborted).toBe(true);
    expect(timings).toEqual({ ingest: 7 });
    expect(ahead.take({ path: 'x' }, clipAbort, timings)).toBeUndefined();
  });

  it('keys by path and id, and drop() aborts what no clip took', async () => {
    const ahead = new IngestAhead(2);
    const aborts: AbortController[] = [];
    const start = (id: string) => ahead.start({ path: 'same.mp4', id }, (abort) => (aborts.push(abort), never(abort)));
    start('one');
    start('two');
    expect(ahead.size).toBe(2);
    expect(ahead.take({ path: 'same.mp4', id: 'three' }, new AbortController(), {})).toBeUndefined();
    ahead.drop();
    expect(ahead.size).toBe(0);
    expect(aborts.map((a) => a.signal.aborted)).toEqual([true, true]);
  });
});
