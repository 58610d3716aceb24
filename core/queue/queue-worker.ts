/**
 * The worker side: takes clip jobs from the queue, refuses those its plugins or models cannot
 * reproduce, runs the others through a pipeline built from the job's resolved preset, and returns
 * the same output row (or level embeddings) an in-process run would produce.
 */
import { Worker, type Job } from 'bullmq';
import type { Host } from '../host/host.ts';
import { queueWorkerMismatch } from '../errors/messages.ts';
import { rowFromResult } from '../output/row.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { ClipResult } from '../pipeline/stage-types.ts';
import { encodeLevels, failureReason, type ClipJobData, type ClipJobResult } from './clip-job.ts';
import { jobId, presetSpec } from './job-identity.ts';
import { checkReachable, QUEUE_NAME, queueTarget } from './queue-connection.ts';
import { hideFromProcessList } from './redact-url.ts';
import { mapRoot, type RootMap } from './root-map.ts';
import { modelsHash, requirementDifferences } from './worker-requirements.ts';

export interface WorkerOptions {
  url: string;
  host: Host;
  concurrency: number;
  rootMaps: RootMap[];
  /** A job whose worker stops renewing its lock for this long is handed to another worker (BullMQ lockDuration). */
  lockMs: number;
  /** How often workers look for stalled jobs (BullMQ stalledInterval). */
  stalledIntervalMs: number;
  /** Times a job may stall (its worker died) before it fails (BullMQ maxStalledCount). */
  maxStalledCount: number;
  log: (line: string) => void;
}

/** Pipelines built per preset; a worker usually serves one or two presets at a time. */
const MAX_PIPELINES = 4;

export async function startWorker(o: WorkerOptions): Promise<{ close(): Promise<void> }> {
  const target = queueTarget(o.url);
  hideFromProcessList(o.url, 'visage worker');
  await checkReachable(target);
  const ownModels = await modelsHash(o.host.settings.modelsDir);
  const pipelines = new Map<string, Promise<Pipeline>>();
  const pipelineFor = (preset: ClipJobData['preset']): Promise<Pipeline> => {
    const key = jobId(presetSpec(preset), '');
    let p = pipelines.get(key);
    if (!p) {
      p = o.host.pipeline(preset).then(async (pl) => (await pl.prepare(), pl));
      p.catch(() => pipelines.delete(key));
      pipelines.set(key, p);
      if (pipelines.size > MAX_PIPELINES) {
        const [oldest, old] = pipelines.entries().next().value!;
        pipelines.delete(oldest);
        void old.then((pl) => pl.dispose()).catch(() => undefined);
      }
    }
    return p;
  };

  const runJob = async (job: Job<ClipJobData, ClipJobResult>): Promise<ClipJobResult> => {
    const d = job.data;
    const attempt = `attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1}`;
    const t0 = performance.now();
    o.log(`job ${job.id} started: ${d.source.path} (${attempt})`);
    try {
      const differences = requirementDifferences(d.requires, o.host.registry, ownModels);
      if (differences.length) throw queueWorkerMismatch(differences);
      const pl = await pipelineFor(d.preset);
      const source = { ...d.source, path: mapRoot(d.source.path, o.rootMaps) };
      // Extraction needs the levels alone (no classes, no fusion), as in an in-process extract.
      const result = d.kind === 'levels' ? await pl.levels(source) : await pl.run(source);
      const out = d.kind === 'levels' ? { levels: encodeLevels(result.levels, d.slots ?? []) } : { row: rowFromResult(result as ClipResult) };
      pl.release(result); // encoded: the frames' memory goes to the next job's decode
      o.log(`job ${job.id} done in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      return out;
    } catch (e) {
      const reason = failureReason(e);
      o.log(`job ${job.id} failed (${attempt}): ${JSON.parse(reason).visageError.code}: ${JSON.parse(reason).visageError.message}`);
      throw new Error(reason);
    }
  };

  const worker = new Worker<ClipJobData, ClipJobResult>(QUEUE_NAME, runJob, {
    connection: target.connection,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalledCount,
    autorun: false,
  });
  // Connection errors are retried by ioredis; report each outage once, never with the URL's secrets.
  let down = false;
  worker.on('error', (e) => {
    if (!down) o.log(`queue ${target.shown} unavailable (${e.message}); reconnecting`);
    down = true;
  });
  worker.on('ready', () => {
    if (down) o.log(`queue ${target.shown} reconnected`);
    down = false;
  });
  void worker.run();
  o.log(`worker serving ${target.shown} (concurrency ${o.concurrency})`);
  return {
    async close() {
      await worker.close();
      for (const p of pipelines.values()) await p.then((pl) => pl.dispose()).catch(() => undefined);
    },
  };
}
