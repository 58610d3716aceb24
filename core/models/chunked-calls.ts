/**
 * A model's calls over a clip, chunk by chunk, with up to `inFlight` chunks pending at once. With
 * the sessions in worker threads (worker-sessions.ts) the JS thread builds the next chunk's input
 * while the previous chunks run, and two chunks of one clip run on two workers at once, so that
 * `--jobs 2` has work for both cores without the JS thread in the way. On the main thread the calls
 * still run one after another.
 * Each chunk holds the same items as when the chunks ran one by one, so results do not change.
 */

/** Chunks in flight per model call site: the worker threads used by default (session-store.ts). */
export const CHUNKS_IN_FLIGHT = 2;

/**
 * Runs `call(start, end)` for the chunks [start, end) of `n` items, `batch` items each, at most
 * `inFlight` at once; returns the results in chunk order.
 */
export async function chunkedCalls<R>(n: number, batch: number, call: (start: number, end: number) => Promise<R>, inFlight = CHUNKS_IN_FLIGHT): Promise<R[]> {
  const starts: number[] = [];
  for (let s = 0; s < n; s += batch) starts.push(s);
  const chunks: Chunks<R> = { n, batch, call, starts, results: new Array<R>(starts.length), next: 0, failed: false };
  const lanes: Promise<void>[] = [];
  for (let l = Math.max(1, Math.min(inFlight, starts.length)); l > 0; l--) lanes.push(lane(chunks));
  await Promise.all(lanes);
  return chunks.results;
}

/** The state the lanes of one chunkedCalls share. */
interface Chunks<R> {
  n: number;
  batch: number;
  call: (start: number, end: number) => Promise<R>;
  starts: number[];
  results: R[];
  next: number;
  failed: boolean;
}

/**
 * One lane: takes the next chunk until none is left or a chunk failed. Module-level, not a closure
 * made per call: V8 drops a dead closure's optimized code at a full GC, so in a batch it was
 * compiled again every few clips.
 */
async function lane<R>(c: Chunks<R>): Promise<void> {
  while (c.next < c.starts.length && !c.failed) {
    const k = c.next++;
    try {
      c.results[k] = await c.call(c.starts[k], Math.min(c.n, c.starts[k] + c.batch));
    } catch (e) {
      c.failed = true; // the other lanes start no new chunk
      throw e;
    }
  }
}
