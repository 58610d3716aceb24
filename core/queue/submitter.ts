/**
 * The submitting side: enqueues one job per clip (ids from content + work, so jobs finished by an
 * earlier submission are reused, not recomputed) and collects each job's outcome as it ends.
 * Outcomes arrive through BullMQ's event stream, with a slow poll as the safety net for anything
 * that ended while this process or Redis was down.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { VisageError } from '../errors/visage-error.ts';
import { errorFromFailure, type ClipJobData, type ClipJobResult } from './clip-job.ts';
import { checkReachable, QUEUE_NAME, queueTarget } from './queue-connection.ts';
import { hideFromProcessList } from './redact-url.ts';

export interface SubmittedJob {
  id: string;
  data: ClipJobData;
}

export type JobOutcome = { ok: true; value: ClipJobResult } | { ok: false; error: VisageError };

export interface SubmitOptions {
  url: string;
  /** In input order; several inputs may share one job (same content). */
  jobs: SubmittedJob[];
  /** Tries per job before its error is final (a poison clip fails this many times, then becomes an error row). */
  attempts: number;
  /** Called once per input index, as soon as its job has ended. */
  onOutcome: (index: number, outcome: JobOutcome) => void | Promise<void>;
  signal?: AbortSignal;
  /** Delete each job once collected (its result lives on in the submitter's cache). */
  removeWhenCollected?: boolean;
  /** How often the safety-net poll runs. */
  pollMs?: number;
  log?: (line: string) => void;
}

/** Jobs looked at per poll: the oldest outstanding ones, so a huge batch does not flood Redis. */
const POLL_BATCH = 500;
const DAY_S = 24 * 3600;

export async function submitAndCollect(o: SubmitOptions): Promise<void> {
  const target = queueTarget(o.url);
  hideFromProcessList(o.url, 'visage (submitting to a queue)');
  await checkReachable(target);
  // Nothing to submit (every clip already cached): open no clients, so none can be closed half-started.
  if (!o.jobs.length) return;
  const queue = new Queue<ClipJobData, ClipJobResult>(QUEUE_NAME, { connection: target.connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: target.connection });
  let down = false;
  const onError = (e: Error) => {
    if (!down) o.log?.(`queue ${target.shown} unavailable (${e.message}); reconnecting`);
    down = true;
  };
  queue.on('error', onError);
  events.on('error', onError);
  try {
    // A BullMQ client closed while its connection still runs its version check loses that check's
    // rejection ("Connection is closed.") to nobody: both must have started before `finally` closes them.
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const outstanding = new Map<string, number[]>();
    const dataById = new Map<string, ClipJobData>();
    o.jobs.forEach((j, i) => {
      outstanding.set(j.id, [...(outstanding.get(j.id) ?? []), i]);
      dataById.set(j.id, j.data);
    });

    let wake: () => void = () => {};
    const settling = new Set<string>();
    /** Looks at one job; hands its outcome over when it has ended. `retryFailed`: a resubmission retries failed jobs. */
    const settle = async (id: string, retryFailed = false): Promise<void> => {
      if (!outstanding.has(id) || settling.has(id)) return;
      settling.add(id);
      try {
        // State first, then the job: a job read before its state could predate its ending (no result yet).
        const state = await queue.getJobState(id);
        if (state !== 'completed' && state !== 'failed') return;
        const job = await queue.getJob(id);
        if (!job) return;
        if (state === 'failed' && retryFailed) {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }); // a full --attempts again
          return;
        }
        const outcome: JobOutcome = state === 'completed' ? { ok: true, value: job.returnvalue } : { ok: false, error: errorFromFailure(job.failedReason) };
        const indexes = outstanding.get(id)!;
        outstanding.delete(id);
        for (const i of indexes) await o.onOutcome(i, outcome);
        if (o.removeWhenCollected) await job.remove().catch(() => undefined);
      } finally {
        settling.delete(id);
        if (!outstanding.size) wake();
      }
    };
    events.on('completed', ({ jobId }) => void settle(jobId).catch(onError));
    events.on('failed', ({ jobId }) => void settle(jobId).catch(onError));

    // Subscribed before adding, so no ending is missed. An id that exists already is left as it is.
    const ids = [...outstanding.keys()];
    for (let i = 0; i < ids.length; i += POLL_BATCH) {
      await queue.addBulk(ids.slice(i, i + POLL_BATCH).map((id) => ({
        name: 'clip',
        data: dataById.get(id)!,
        opts: { jobId: id, attempts: o.attempts, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { age: 7 * DAY_S }, removeOnFail: { age: 7 * DAY_S } },
      })));
    }
    // Jobs of an earlier submission: collect the finished ones, retry the failed ones.
    for (let i = 0; i < ids.length; i += POLL_BATCH) await Promise.all(ids.slice(i, i + POLL_BATCH).map((id) => settle(id, true)));

    const pollMs = o.pollMs ?? 2000;
    while (outstanding.size && !o.signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        const onAbort = () => resolve();
        o.signal?.addEventListener('abort', onAbort, { once: true });
        wake = () => {
          clearTimeout(timer);
          o.signal?.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      wake = () => {};
      await Promise.all([...outstanding.keys()].slice(0, POLL_BATCH).map((id) => settle(id)));
      if (down) {
        o.log?.(`queue ${target.shown} reconnected`);
        down = false;
      }
    }
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}

