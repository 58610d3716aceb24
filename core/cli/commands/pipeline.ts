/** `visage pipeline run` and `visage pipeline explain`. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { explainPreset } from '../../config/explain.ts';
import { StageProfiler } from '../../pipeline/stage-profiler.ts';
import type { SourceRef } from '../../pipeline/stage-types.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import { STAGE_NAMES } from '../../pipeline/stages.ts';
import { rowFromError, rowFromResult, type OutputRow } from '../../output/row.ts';
import { RowWriter, type OutputFormat } from '../../output/row-writer.ts';
import { saveRenders } from '../../output/save-renders.ts';
import { ContactSheet } from '../../output/contact-sheet.ts';
import { addHostFlags, addPresetFlags, hostFromFlags, presetRequest, type HostFlagValues } from '../host-flags.ts';
import { Progress } from '../progress.ts';
import { parsePositiveInt, parseSecondsAsMs } from '../option-parsers.ts';
import { checkOutputFile, prepareOutputDir } from '../output-paths.ts';
import { describeDeviceRequest } from '../../models/ort-provider.ts';
import { newCounts, runBatch, summaryLine, type RowOrder, type RowSink } from '../../batch/run-batch.ts';
import { prepareResume } from '../../output/resume.ts';
import { Interrupts } from '../../batch/interrupts.ts';
import { guardProcess } from '../../batch/process-guards.ts';
import { addGroundTruthFlags, sourcesWithTruth, type GroundTruthFlags } from '../ground-truth.ts';
import { runReport } from '../../report/run-report.ts';
import { writeHtmlReport } from '../../report/html-report.ts';
import { addQueueFlags, runQueued, type QueueFlags } from './pipeline-queue.ts';
import { addWindowFlags, checkWindowFlags, runWindowed, type WindowFlags } from './pipeline-windows.ts';
import { returnsExitCode, type CliIO } from '../cli-io.ts';
import { isVisageError } from '../../errors/visage-error.ts';
import { optionNeeds, rendersUnknownLevel } from '../../errors/messages.ts';

interface RunFlags extends HostFlagValues, GroundTruthFlags, QueueFlags, WindowFlags {
  out?: string;
  format: OutputFormat;
  failFast?: boolean;
  jobs: number;
  order: RowOrder;
  /** ms */
  hold: number;
  profile?: boolean;
  trace?: string;
  saveRenders?: string;
  renders?: string;
  resume?: boolean;
  report?: string;
}

export function registerPipelineCommands(program: Command, io: CliIO): void {
  const pipeline = program.command('pipeline').summary('run or explain a pipeline').description('Run clips through the five stages, or explain a resolved preset.');

  const run = pipeline
    .command('run')
    .summary('run clips through the pipeline')
    .description(`Run videos, frame folders and images through the stages (${STAGE_NAMES.join(', ')}).\nOne output row per clip; a failing clip becomes a row with its error and the batch goes on.`)
    .argument('[inputs...]', 'files, folders or globs (quote globs); none with --dataset')
    .option('--out <file>', 'write rows here instead of stdout')
    .addOption(new Option('--format <format>', 'row format (csv-wide adds per-level scores, AU mean/peak, head pose, face box and confidence)').choices(['jsonl', 'csv', 'csv-wide']).default('jsonl'))
    .option('--fail-fast', 'stop at the first failing clip')
    .addOption(new Option('--jobs <n>', 'clips processed at once (decode overlaps inference)').argParser(parsePositiveInt('--jobs', 64)).default(2))
    .addOption(new Option('--order <order>', 'row order: input, completion, or auto (input order, but a finished row waits at most --hold seconds for a slower earlier clip)').choices(['auto', 'input', 'completion']).default('auto'))
    .addOption(new Option('--hold <seconds>', 'with --order auto: how long a finished row waits for earlier clips').argParser(parseSecondsAsMs('--hold')).default(10_000, '10'))
    .option('--profile', 'print time per stage and plugin to stderr at the end')
    .option('--trace <file>', 'write a Chrome trace-event JSON of every stage call')
    .option('--save-renders <dir>', 'save what each level saw (frames with mesh, parsing map, ...) as PNGs, with an index.html contact sheet')
    .option('--renders <levels>', 'with --save-renders: only these level slots\' renders, comma-separated (e.g. landmarks,parsing)')
    .option('--resume', 'with --out: keep the rows already in the file, run only the clips without one, and append')
    .option('--report <file.html>', 'with ground truth: write a self-contained HTML report (metrics with intervals, confusion matrix, each level\'s UAR)');
  addQueueFlags(run);
  addWindowFlags(run);
  addHostFlags(addPresetFlags(addGroundTruthFlags(run)));
  run.addHelpText('after', '\nExamples:\n  visage pipeline run samples/astronaut.mp4\n  visage pipeline run "clips/*.mp4" --out rows.jsonl --set stages.levels.expression.weight=0.5\n  visage pipeline run clips/ --preset ./my-variant.pipeline.json --profile --trace trace.json\n  visage pipeline run samples/astronaut.mp4 --save-renders renders --renders landmarks,parsing\n  visage pipeline run samples/astronaut.mp4 --window 1s --stride 0.5s --format csv');
  run.action(returnsExitCode(async (inputs: string[], flags: RunFlags) => {
    checkWindowFlags(flags);
    const host = hostFromFlags(flags, flags.jobs);
    const preset = host.resolve(presetRequest(flags));
    let { sources, invalid } = await sourcesWithTruth(inputs, flags, 'pipeline run');
    checkOutputs(flags, sources);
    if (flags.window) return runWindowed(host, preset, sources, invalid, flags, io);
    const renderSlots = rendersWanted(flags, preset.levels.map((l) => l.slot));
    if (flags.queue) return runQueued(host, preset, sources, invalid, flags, io);
    const sheet = flags.saveRenders ? new ContactSheet(flags.saveRenders) : undefined;
    if (flags.resume) {
      const state = prepareResume(flags.out!);
      sources = sources.filter((s) => !state.done.has(s.path));
      invalid = invalid.filter((r) => !state.done.has(r.source));
      io.err(`resuming ${flags.out}: ${state.kept} finished row(s) kept${state.dropped ? `, ${state.dropped} unfinished or torn dropped` : ''}; ${sources.length + invalid.length} clip(s) to run\n`);
    }
    const writerOptions = { append: flags.resume, levelSlots: preset.levels.map((l) => l.slot) };
    const counts = newCounts(sources.length + invalid.length);
    const interrupts = new Interrupts(() => summaryLine(counts)).install();
    const guard = guardProcess((line) => io.err(line + '\n'));
    const profiler = flags.profile || flags.trace ? new StageProfiler() : undefined;
    const progress = new Progress(counts.total);
    const rows: OutputRow[] = []; // kept for --report only
    let traceFailed = false;
    const exitCode = () => (counts.ok < counts.total || traceFailed ? 1 : 0);
    let writer: RowWriter | undefined;
    let pl: Pipeline | undefined;
    // The bar steps aside while a row is printed, so rows on the same terminal never garble it.
    const sink = (w: RowWriter): RowSink => ({
      format: (row) => w.format(row),
      write: async (line) => {
        progress.clear();
        await w.write(line);
        progress.draw();
      },
    });
    const writeAll = async (errorRows: OutputRow[]) => {
      for (const row of errorRows) {
        counts.failed++;
        progress.tick(false);
        if (flags.report) rows.push(row);
        await sink(writer!).write(writer!.format(row));
      }
    };
    try {
      try {
        pl = await host.pipeline(preset, { profiler, signal: interrupts.signal });
        await pl.prepare();
      } catch (e) {
        // A bad configuration stops the run before any row (exit 2); a plugin that fails or hangs
        // while loading is a run failure: every input still gets a row that says why.
        if (!isVisageError(e) || e.exitCode === 2) throw e;
        writer = new RowWriter(flags.format, flags.out, preset.classes ?? [], writerOptions);
        await writeAll([...invalid, ...sources.map((src) => rowFromError(src, e))]);
        return exitCode();
      }
      writer = new RowWriter(flags.format, flags.out, preset.classes ?? [], writerOptions);
      await writeAll(invalid);
      const p = pl;
      await runBatch(sources, (source, signal) => runOne(p, source, signal, flags, renderSlots, sheet), sink(writer), {
        jobs: flags.jobs, failFast: flags.failFast, order: flags.order, holdMs: flags.hold, signal: interrupts.signal,
        prefetch: (source, signal) => p.prefetch(source, { signal, wantRenders: !!flags.saveRenders }),
        onStart: (source) => progress.clipStarted(source.path),
        onRow: (row) => {
          progress.tick(!row.error, row.source);
          if (flags.report) rows.push(row);
        },
      }, counts);
      if (sheet) io.err(`contact sheet: ${await sheet.write()}\n`);
      if (profiler && flags.profile) io.err(profiler.formatTable() + '\n');
      if (profiler && flags.trace) traceFailed = !writeTrace(flags.trace, profiler, io);
      if (flags.report) writeHtmlReport(flags.report, runReport(preset.name, rows, preset.classes ?? []));
      return exitCode();
    } finally {
      progress.finish();
      await pl?.dispose();
      writer?.close();
      guard.release();
      interrupts.uninstall();
      const models = host.modelProvider;
      await host.dispose();
      // Which execution provider ran the models; why, when a WebGPU adapter was tried.
      if (writer) io.err(summaryLine(counts) + (models ? `; models on ${models.provider}${models.probed ? ` (${models.detail})` : ''}` : '') + '\n');
    }
  }));

  const explain = pipeline
    .command('explain')
    .summary('show the resolved preset without running it')
    .description('Print the preset layers, the provider of each stage and level, and where every value came from. Loads no model.');
  addHostFlags(addPresetFlags(explain));
  explain.action((flags: HostFlagValues) => {
    const host = hostFromFlags(flags);
    io.out(explainPreset(host.resolve(presetRequest(flags)), host.registry));
    io.out(`\nmodel device (--device): ${describeDeviceRequest(flags.device)}\n`);
  });
}

/** One clip through the pipeline, to its row (renders saved first, so their failure is the clip's). */
async function runOne(pl: Pipeline, source: SourceRef, signal: AbortSignal, flags: RunFlags, slots?: ReadonlySet<string>, sheet?: ContactSheet): Promise<OutputRow> {
  const result = await pl.run(source, { signal, wantRenders: !!flags.saveRenders });
  if (flags.saveRenders) sheet?.add(result, await saveRenders(flags.saveRenders, result, slots));
  const row = rowFromResult(result);
  pl.release(result);
  return row;
}

/** `--renders a,b`: level slots of this preset whose renders are saved; undefined = all. */
function rendersWanted(flags: RunFlags, slots: string[]): ReadonlySet<string> | undefined {
  if (flags.renders === undefined) return undefined;
  if (!flags.saveRenders) throw optionNeeds('--renders', '--save-renders DIR', 'it chooses which levels\' renders that folder gets');
  const wanted = flags.renders.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !slots.includes(w));
  if (unknown.length || !wanted.length) throw rendersUnknownLevel(unknown, slots);
  return new Set(wanted);
}

/** Every output path is checked before a model loads; --out may not overwrite an input. */
function checkOutputs(flags: RunFlags, sources: SourceRef[]): void {
  const inputs = sources.map((s) => s.path);
  if (flags.resume && !flags.out) throw optionNeeds('--resume', '--out FILE', 'the rows already in that file are kept, and only the missing clips run');
  if (flags.resume && flags.format !== 'jsonl') throw optionNeeds('--resume', '--format jsonl', 'CSV rows do not carry what a resume needs');
  if (flags.out) checkOutputFile('--out', flags.out, inputs);
  if (flags.trace) checkOutputFile('--trace', flags.trace, inputs);
  if (flags.report) checkOutputFile('--report', flags.report, inputs);
  if (flags.saveRenders) prepareOutputDir('--save-renders', flags.saveRenders);
}

/** The batch has run by now: a trace that cannot be written is reported (false), the rows stand. */
function writeTrace(file: string, profiler: StageProfiler, io: CliIO): boolean {
  try {
    writeFileSync(file, JSON.stringify(profiler.chromeTrace()));
    return true;
  } catch (e) {
    io.err(`visage: could not write the trace to ${file}: ${(e as Error).message}\n`);
    return false;
  }
}
