/**
 * How many intra-op threads each onnxruntime session gets (`--model-threads`, default 0:
 * onnxruntime's own default, one thread per physical core).
 *
 * `auto` gives each session cores / clips in flight (at least 1), so that clips in flight x threads
 * = cores. It is not the default because onnxruntime-node runs `session.run` synchronously on the
 * JS thread: the model calls of all clips in flight already take turns there, one at a time, and with
 * one thread each a call cannot spread over the other cores. Measured on 2 cores, `--jobs 2`
 * (README, Performance): the same CPU per clip, 0.95 against 1.53-1.65 clips/s. The outputs do not
 * depend on the thread count (test/frontend/same-results.test.ts).
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
