/**
 * Ingests started before their clip's turn, so that decoding (a decoder process, or ffmpeg) overlaps
 * the model stages of the clips in flight: `--jobs` bounds the clips in the stages, and a batch asks
 * for the next clip's ingest while they run. A clip takes its own ingest back when it starts; the
 * result or error is the one the clip would have got by ingesting then.
 */
import type { Clip } from '../types.ts';
import type { ClipTimings } from './stage-profiler.ts';
import type { SourceRef } from './stage-types.ts';

interface Pending {
  clip: Promise<Clip>;
  abort: AbortController;
  timings: ClipTimings;
  stopFollowing: () => void;
}

/** Runs one ingest under the given abort controller, recording its time into `timings`. */
export type StartIngest = (abort: AbortController, timings: ClipTimings) => Promise<Clip>;

const keyOf = (s: SourceRef) => `${s.path}\0${s.id ?? ''}`;

export class IngestAhead {
  private readonly pending = new Map<string, Pending>();

  /** At most `limit` ingests are held ahead (each holds a decoded clip in memory). */
  constructor(private readonly limit = 1) {}

  /** Starts ingesting `source` unless it is already started or `limit` are held; `signal` aborts it. */
  start(source: SourceRef, ingest: StartIngest, signal?: AbortSignal): void {
    const key = keyOf(source);
    if (this.pending.has(key) || this.pending.size >= this.limit || signal?.aborted) return;
    const abort = new AbortController();
    const timings: ClipTimings = {};
    const follow = () => abort.abort(signal!.reason);
    signal?.addEventListener('abort', follow, { once: true });
    const clip = ingest(abort, timings);
    clip.catch(() => {}); // the error is the clip's, reported when it is taken (or never, if dropped)
    this.pending.set(key, { clip, abort, timings, stopFollowing: () => signal?.removeEventListener('abort', follow) });
  }

  /**
   * The ingest started ahead for `source`, if any, now tied to the clip's own abort controller;
   * its timings are added to the clip's when it settles.
   */
  take(source: SourceRef, clipAbort: AbortController, timings: ClipTimings): Promise<Clip> | undefined {
    const key = keyOf(source);
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.pending.delete(key);
    p.stopFollowing();
    const forward = () => p.abort.abort(clipAbort.signal.reason);
    if (clipAbort.signal.aborted) forward();
    else clipAbort.signal.addEventListener('abort', forward, { once: true });
    return p.clip.finally(() => {
      clipAbort.signal.removeEventListener('abort', forward);
      Object.assign(timings, p.timings);
    });
  }

  /** Aborts and forgets the ingests not taken (the batch ended or stopped before their clips). */
  drop(): void {
    for (const p of this.pending.values()) {
      p.stopFollowing();
      p.abort.abort(new Error('the batch ended before this clip'));
    }
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
