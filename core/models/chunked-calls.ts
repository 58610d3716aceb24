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
  const results = new Array<R>(starts.length);
  let next = 0, failed = false;
  const lane = async () => {
    while (next < starts.length && !failed) {
      const k = next++;
      try {
        results[k] = await call(starts[k], Math.min(n, starts[k] + batch));
      } catch (e) {
        failed = true; // the other lanes start no new chunk
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, starts.length)) }, lane));
  return results;
}
