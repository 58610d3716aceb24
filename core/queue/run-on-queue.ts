/**
 * `visage pipeline run --queue URL`: the batch goes to workers as one job per clip, and the rows
 * come back into the usual writer, in input order, with the usual progress bar. Rows are the ones
 * the workers built with `rowFromResult`/`rowFromError`, so they equal an in-process run's rows.
 */
import path from 'node:path';
import type { ResolvedPreset } from '../config/resolve-preset.ts';
import { rowFromError, type OutputRow } from '../output/row.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';
import { Progress } from '../cli/progress.ts';
import type { ClipJobData } from './clip-job.ts';
import { contentHash, jobId, presetSpec } from './job-identity.ts';
import { mapRoot, type RootMap } from './root-map.ts';
import { submitAndCollect, type SubmittedJob } from './submitter.ts';
import { modelsHash, requirementsOf } from './worker-requirements.ts';
import { isUri } from '../pipeline/normalize-source.ts';

export interface QueueRunOptions {
  url: string;
  rootMaps: RootMap[];
  attempts: number;
  failFast?: boolean;
  modelsDir?: string;
  log: (line: string) => void;
}

/** Runs `sources` on the queue; returns the number of failed clips (like the in-process batch loop). */
/** Where the collected rows go, in input order. */
export interface QueuedRowSink {
  write(row: OutputRow): void;
}

export async function runOnQueue(preset: ResolvedPreset, sources: SourceRef[], writer: QueuedRowSink, o: QueueRunOptions): Promise<number> {
  const requires = requirementsOf(preset, await modelsHash(o.modelsDir));
  const work = { kind: 'row', preset: presetSpec(preset) };
  const rows = new Map<number, OutputRow>();
  const jobs: (SubmittedJob | undefined)[] = [];
  for (const [i, s] of sources.entries()) {
    try {
      const forWorker = isUri(s.path) ? s.path : mapRoot(path.resolve(s.path), o.rootMaps);
      const data: ClipJobData = { v: 1, kind: 'row', source: { ...s, path: forWorker }, preset, requires };
      jobs.push({ id: jobId(work, await contentHash(s.path)), data });
    } catch (e) {
      rows.set(i, rowFromError(s, e)); // unreadable input: its error row, without a job
      jobs.push(undefined);
    }
  }

  const progress = new Progress(sources.length);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let failed = 0;
  let settled = 0;
  let nextToWrite = 0;
  const flush = () => {
    while (rows.has(nextToWrite)) {
      writer.write(rows.get(nextToWrite)!);
      rows.delete(nextToWrite++);
    }
  };
  const settle = (i: number, row: OutputRow) => {
    if (row.error) {
      failed++;
      if (o.failFast) abort.abort();
    }
    progress.tick(!row.error);
    settled++;
    rows.set(i, row);
  };
  for (const [i, row] of rows) settle(i, row);
  flush();

  const submitted = jobs.flatMap((j, i) => (j ? [{ job: j, index: i }] : []));
  try {
    await submitAndCollect({
      url: o.url,
      jobs: submitted.map((s) => s.job),
      attempts: o.attempts,
      signal: abort.signal,
      log: o.log,
      onOutcome: (k, outcome) => {
        const { index, job } = submitted[k];
        const source = sources[index];
        const row = outcome.ok && outcome.value && 'row' in outcome.value ? asInputRow(outcome.value.row, source, job.data.source) : rowFromError(source, outcome.ok ? new Error('the worker returned no row') : outcome.error);
        settle(index, row);
        flush();
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.finish();
  }
  for (const i of [...rows.keys()].sort((a, b) => a - b)) writer.write(rows.get(i)!);
  // Clips still out when the batch was stopped (Ctrl-C, --fail-fast) count as failed; their jobs stay queued.
  return failed + sources.length - settled;
}

/**
 * The worker's row, as this machine names the clip: the input path as given (not the worker's
 * mapped path), and the input's own file name as id when the job was shared with a same-content
 * clip under another name.
 */
function asInputRow(row: OutputRow, input: SourceRef, sent: SourceRef): OutputRow {
  const stem = (p: string) => path.basename(p).replace(/\.[^.]+$/, '');
  const id = !input.id && !isUri(input.path) && row.id === stem(sent.path) ? stem(input.path) : row.id;
  return { ...row, id, source: input.path };
}
