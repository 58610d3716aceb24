/** `visage pipeline run` and `visage pipeline explain`. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { explainPreset } from '../../config/explain.ts';
import { expandInputs } from '../../media/expand-inputs.ts';
import { StageProfiler } from '../../pipeline/stage-profiler.ts';
import type { SourceRef } from '../../pipeline/stage-types.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import { rowFromError, rowFromResult, type OutputRow } from '../../output/row.ts';
import { RowWriter, type OutputFormat } from '../../output/row-writer.ts';
import { saveRenders } from '../../output/save-renders.ts';
import { addHostFlags, addPresetFlags, hostFromFlags, presetRequest, type HostFlagValues } from '../host-flags.ts';
import { Progress } from '../progress.ts';
import { addQueueFlags, runQueued, type QueueFlags } from './pipeline-queue.ts';
import { setExitCode, type CliIO } from '../main.ts';

interface RunFlags extends HostFlagValues, QueueFlags {
  out?: string;
  format: OutputFormat;
  failFast?: boolean;
  jobs: string;
  profile?: boolean;
  trace?: string;
  saveRenders?: string;
}

export function registerPipelineCommands(program: Command, io: CliIO): void {
  const pipeline = program.command('pipeline').summary('run or explain a pipeline').description('Run clips through the five stages, or explain a resolved preset.');

  const run = pipeline
    .command('run')
    .summary('run clips through the pipeline')
    .description('Run videos, frame folders and images through ingest, levels, prompts, fusion and decide.\nOne output row per clip; a failing clip becomes a row with its error and the batch goes on.')
    .argument('<inputs...>', 'files, folders or globs (quote globs)')
    .option('--out <file>', 'write rows here instead of stdout')
    .addOption(new Option('--format <format>', 'row format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--fail-fast', 'stop at the first failing clip')
    .option('--jobs <n>', 'clips processed at once (decode overlaps inference)', '2')
    .option('--profile', 'print time per stage and plugin to stderr at the end')
    .option('--trace <file>', 'write a Chrome trace-event JSON of every stage call')
    .option('--save-renders <dir>', 'save what each level saw (frames with mesh, parsing map, ...) as PNGs');
  addQueueFlags(run);
  addHostFlags(addPresetFlags(run));
  run.addHelpText('after', '\nExamples:\n  visage pipeline run samples/astronaut.mp4\n  visage pipeline run "clips/*.mp4" --out rows.jsonl --set stages.levels.expression.weight=0.5\n  visage pipeline run clips/ --preset my-variant --profile --trace trace.json');
  run.action(async (inputs: string[], flags: RunFlags, cmd: Command) => {
    const host = hostFromFlags(flags);
    const preset = host.resolve(presetRequest(flags));
    const { sources, invalid } = await sourcesFromArgs(inputs);
    if (flags.queue) return runQueued(host, preset, sources, invalid, flags, io, cmd);
    const profiler = flags.profile || flags.trace ? new StageProfiler() : undefined;
    const pl = await host.pipeline(preset, { profiler });
    await pl.prepare();
    const writer = new RowWriter(flags.format, flags.out, preset.classes ?? []);
    for (const row of invalid) writer.write(row);
    const failed = invalid.length + (await runAll(pl, sources, writer, flags));
    writer.close();
    await pl.dispose();
    await host.dispose();
    if (profiler && flags.profile) io.err(profiler.formatTable() + '\n');
    if (profiler && flags.trace) writeFileSync(flags.trace, JSON.stringify(profiler.chromeTrace()));
    const total = sources.length + invalid.length;
    io.err(`${total - failed} of ${total} clips ok${failed ? `, ${failed} failed (see their rows' "error")` : ''}\n`);
    if (failed) setExitCode(cmd, 1);
  });

  const explain = pipeline
    .command('explain')
    .summary('show the resolved preset without running it')
    .description('Print the preset layers, the provider of each stage and level, and where every value came from. Loads no model.');
  addHostFlags(addPresetFlags(explain));
  explain.action((flags: HostFlagValues) => {
    const host = hostFromFlags(flags);
    io.out(explainPreset(host.resolve(presetRequest(flags)), host.registry));
  });
}

/**
 * Inputs are files, folders and globs; an argument with a URI scheme (`solid:...`, `dataset:...`) is
 * handed to the ingesters as it is. An argument that matches nothing becomes an error row, so the
 * other inputs still run.
 */
async function sourcesFromArgs(args: string[]): Promise<{ sources: SourceRef[]; invalid: OutputRow[] }> {
  const sources: SourceRef[] = [];
  const invalid: OutputRow[] = [];
  for (const arg of args) {
    if (/^[a-z][a-z0-9+.-]+:/i.test(arg)) {
      sources.push({ path: arg });
      continue;
    }
    try {
      for (const p of await expandInputs([arg])) sources.push({ path: p });
    } catch (e) {
      invalid.push(rowFromError({ path: arg }, e));
    }
  }
  return { sources, invalid };
}

/**
 * Runs clips with up to `jobs` in flight and writes rows in input order. Ctrl-C stops launching new
 * clips, aborts those in flight and still leaves only whole rows in the output.
 */
async function runAll(pl: Pipeline, sources: SourceRef[], writer: RowWriter, flags: RunFlags): Promise<number> {
  const jobs = Math.max(1, Number.parseInt(flags.jobs, 10) || 1);
  const progress = new Progress(sources.length);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pending = new Map<number, OutputRow>();
  let nextToWrite = 0;
  let nextToStart = 0;
  let failed = 0;
  const flush = () => {
    while (pending.has(nextToWrite)) {
      writer.write(pending.get(nextToWrite)!);
      pending.delete(nextToWrite++);
    }
  };
  const worker = async () => {
    while (nextToStart < sources.length && !abort.signal.aborted) {
      const i = nextToStart++;
      let row: OutputRow;
      try {
        const result = await pl.run(sources[i], { signal: abort.signal, wantRenders: !!flags.saveRenders });
        if (flags.saveRenders) await saveRenders(flags.saveRenders, result);
        row = rowFromResult(result);
      } catch (e) {
        row = rowFromError(sources[i], e);
      }
      if (row.error) {
        failed++;
        if (flags.failFast) abort.abort();
      }
      progress.tick(!row.error);
      pending.set(i, row);
      flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, sources.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.finish();
  }
  // Rows after a gap (a clip aborted by --fail-fast) are still complete; keep them in order.
  for (const i of [...pending.keys()].sort((a, b) => a - b)) writer.write(pending.get(i)!);
  return failed + (abort.signal.aborted ? sources.length - nextToStart : 0);
}

