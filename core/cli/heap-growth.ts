/**
 * How far V8 lets the JS heap grow before its next full garbage collection, for the `visage`
 * process. A clip in flight allocates some 20 MB outside the JS heap (its decoded frames, the face
 * crops) and little inside it; with V8's own limits, which follow the small heap (about 20 MB live,
 * the next full collection due at about twice that), that still ran a full collection for almost
 * every clip: 1.07 per clip in bench:frontend, 30–40 CPU-ms per clip across the main thread and
 * V8's helper threads. With the old generation allowed to grow 4x (a limit of about 80 MB here) it
 * was 0.33 per clip and 30–40 CPU-ms less per clip, for about 20 MiB more peak RSS (README,
 * "Front end").
 *
 * VISAGE_HEAP_GROWING_PERCENT sets it (default 300, V8's --heap-growing-percent: the limit is the
 * live size times 1 + percent/100); 0 leaves V8's own heuristics.
 */
import v8 from 'node:v8';
import { heapGrowingInvalid } from '../errors/messages.ts';

export const DEFAULT_HEAP_GROWING_PERCENT = 300;

/** The percentage VISAGE_HEAP_GROWING_PERCENT asks for (0: V8's own heuristics). */
export function heapGrowingPercent(value = process.env.VISAGE_HEAP_GROWING_PERCENT): number {
  if (value === undefined || value.trim() === '') return DEFAULT_HEAP_GROWING_PERCENT;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 1000) throw heapGrowingInvalid(value);
  return Number(value);
}

/**
 * Applies heapGrowingPercent() to this process. V8 reads the flag each time it sets the next
 * limit, after every full collection, so it takes effect although the heap already exists (flags
 * that size the heap at start-up would not).
 */
export function applyHeapGrowth(value?: string): number {
  const percent = heapGrowingPercent(value);
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
