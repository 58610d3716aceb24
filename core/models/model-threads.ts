/**
 * onnxruntime intra-op threads per model session when `jobs` clips are in flight at once.
 *
 * Each clip in flight already keeps a core busy, and onnxruntime's default pool (one thread per
 * core) spins while it waits for work: with 2 clips on 2 cores the default cost about 70% more CPU
 * per clip in the face models than one thread per session (measured for bench/frontend).
 */
import { availableParallelism } from 'node:os';

export function modelThreadsFor(jobs: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, jobs)));
}
