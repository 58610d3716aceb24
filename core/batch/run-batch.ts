/**
 * Runs a batch of clips with a bounded number in flight and writes one row per input, whatever
 * happens: a clip that fails, hangs until its stage time limit, or is stopped by Ctrl-C or
 * --fail-fast gets an error row (SKIPPED for clips that never started), and finished rows are never
 * held hostage by a slow one. Writing waits for the output (backpressure), so a slow reader slows
 * the batch instead of losing rows.
 */
import { clipSkipped } from '../errors/messages.ts';
import { isVisageError } from '../errors/visage-error.ts';
import { rowFromError, type OutputRow } from '../output/row.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';

/** Where rows go: one formatted line per row, written in the order the batch decides. */
export interface RowSink {
  /** One line (no newline) for the row; throws a VisageError when the row cannot be written. */
  format(row: OutputRow): string;
  /** Resolves when the line has been handed to the OS; rejects when the output is gone. */
  write(line: string): Promise<void>;
}

/**
 * `input`: rows in input order, however long an earlier clip takes. `completion`: each row as soon
 * as its clip ends. `auto` (default): input order, but a finished row waits at most `holdMs` for
 * earlier clips, then is written as it is (so a stuck clip delays others by seconds, not for ever).
 */
export type RowOrder = 'auto' | 'input' | 'completion';

export interface BatchOptions {
  jobs: number;
  failFast?: boolean;
  order?: RowOrder;
  holdMs?: number;
  /** Stops the batch: clips in flight end with ABORTED rows, the rest get SKIPPED rows. */
  signal?: AbortSignal;
  /** Called when a clip starts and once per row as it is decided (progress bars). */
  onStart?: (source: SourceRef) => void;
  onRow?: (row: OutputRow) => void;
  /**
   * Called with the clip after each one that starts, before that one runs, so its ingest (decoding)
   * can start while the clips in flight are in the model stages (Pipeline.prefetch).
   */
  prefetch?: (source: SourceRef, signal: AbortSignal) => void;
}

export interface BatchCounts {
  total: number;
  ok: number;
  failed: number;
  /** Clips stopped in flight (ABORTED) or never started (SKIPPED). */
  notRun: number;
  /** Why the batch stopped early, when it did. */
  stoppedBy?: string;
}

type RunOne = (source: SourceRef, signal: AbortSignal) => Promise<OutputRow>;

export async function runBatch(sources: SourceRef[], runOne: RunOne, sink: RowSink, opts: BatchOptions, counts: BatchCounts = newCounts(sources.length)): Promise<BatchCounts> {
  const order = opts.order ?? 'auto';
  const holdMs = opts.holdMs ?? 10_000;
  const stop = new AbortController();
  const stopWith = (reason: string) => {
    if (stop.signal.aborted) return;
    counts.stoppedBy = reason;
    stop.abort(new Error(reason));
  };
  const onOuterAbort = () => stopWith(reasonOf(opts.signal!.reason));
  if (opts.signal?.aborted) onOuterAbort();
  else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const ready = new Map<number, { line: string; at: number }>();
  const written = new Set<number>();
  let nextInOrder = 0;
  let outputError: unknown;
  let holdTimer: NodeJS.Timeout | undefined;

  const emit = async (i: number) => {
    const entry = ready.get(i)!;
    ready.delete(i);
    written.add(i);
    if (outputError) return;
    try {
      await sink.write(entry.line);
    } catch (e) {
      outputError = e;
      stopWith(isVisageError(e) ? e.message : String(e));
    }
  };
  const flushNow = async (force: boolean) => {
    if (order === 'completion') {
      for (const i of [...ready.keys()]) await emit(i);
      return;
    }
    for (;;) {
      while (written.has(nextInOrder)) nextInOrder++;
      if (!ready.has(nextInOrder)) break;
      await emit(nextInOrder);
    }
    if (force) {
      for (const i of [...ready.keys()].sort((a, b) => a - b)) await emit(i);
      return;
    }
    if (order === 'auto' && ready.size) {
      const now = performance.now();
      const overdue = [...ready.entries()].filter(([, r]) => now - r.at >= holdMs).map(([i]) => i);
      for (const i of overdue) await emit(i);
      if (ready.size && !holdTimer) {
        const oldest = Math.min(...[...ready.values()].map((r) => r.at));
        holdTimer = setTimeout(() => {
          holdTimer = undefined;
          void flush(false);
        }, Math.max(0, oldest + holdMs - now));
        holdTimer.unref();
      }
    }
  };
  // Writes are chained so rows never interleave, whoever finishes first.
  let chain: Promise<void> = Promise.resolve();
  const flush = (force: boolean) => (chain = chain.then(() => flushNow(force)));

  const settle = (i: number, row: OutputRow) => {
    let line: string;
    try {
      line = sink.format(row);
    } catch (e) {
      row = rowFromError(sources[i], e);
      line = sink.format(row);
    }
    const code = row.error?.code;
    if (!row.error) counts.ok++;
    else if (code === 'SKIPPED' || code === 'ABORTED') counts.notRun++;
    else counts.failed++;
    opts.onRow?.(row);
    ready.set(i, { line, at: performance.now() });
    if (row.error && code !== 'SKIPPED' && code !== 'ABORTED' && opts.failFast) stopWith(`--fail-fast: ${row.id} failed`);
  };

  let nextToStart = 0;
  const worker = async () => {
    while (nextToStart < sources.length && !stop.signal.aborted) {
      const i = nextToStart++;
      let row: OutputRow;
      opts.onStart?.(sources[i]);
      if (nextToStart < sources.length) opts.prefetch?.(sources[nextToStart], stop.signal);
      try {
        row = await runOne(sources[i], stop.signal);
      } catch (e) {
        row = rowFromError(sources[i], e);
      }
      settle(i, row);
      await flush(false);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, sources.length)) }, worker));
    for (let i = nextToStart; i < sources.length; i++) settle(i, rowFromError(sources[i], clipSkipped(counts.stoppedBy ?? 'the batch stopped')));
    await flush(true);
  } finally {
    if (holdTimer) clearTimeout(holdTimer);
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (outputError) throw outputError;
  return counts;
}

export function newCounts(total: number): BatchCounts {
  return { total, ok: 0, failed: 0, notRun: 0 };
}

/** The one summary line every batch ends with, on stderr. */
export function summaryLine(c: BatchCounts): string {
  const parts = [`${c.ok} of ${c.total} clips ok`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.notRun) parts.push(`${c.notRun} not run (SKIPPED or ABORTED)`);
  const rest = c.total - c.ok - c.failed - c.notRun;
  if (rest > 0) parts.push(`${rest} unfinished`);
  const tail = c.failed || c.notRun ? ` (see their rows' "error")` : '';
  return parts.join(', ') + tail + (c.stoppedBy ? `; stopped early: ${c.stoppedBy}` : '');
}

function reasonOf(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason ?? 'stopped');
}
