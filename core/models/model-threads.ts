/**
 * How many intra-op threads each onnxruntime session gets (`--model-threads`).
 *
 * onnxruntime's default is one thread per physical core for every session. With several clips in
 * flight that oversubscribes the cores: each model call splits its work over the pool while the
 * other clips' decoding and calls want the same cores, and a split call costs more CPU than a
 * whole one (see README, Performance). `auto` gives each session cores / clips in flight threads
 * (at least 1); with one clip in flight it keeps onnxruntime's default. The outputs do not depend on
 * the thread count (test/frontend/same-results.test.ts).
 */
import os from 'node:os';

/** `--model-threads`: a thread count, 0 for onnxruntime's own default, or auto. */
export type ModelThreadsRequest = number | 'auto';

/**
 * The intra-op thread count for sessions when `clipsInFlight` clips run at once, or undefined for
 * onnxruntime's default.
 */
export function modelThreadsFor(request: ModelThreadsRequest, clipsInFlight: number, cores = os.availableParallelism()): number | undefined {
  if (request !== 'auto') return request > 0 ? request : undefined;
  if (clipsInFlight <= 1) return undefined;
  return Math.max(1, Math.floor(cores / clipsInFlight));
}
