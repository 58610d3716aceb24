/** `visage ablate`: each weighted level's contribution to UAR (leave-one-out, and Shapley values over subsets). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ablate, weightedLevels } from '../../compare/ablation.ts';
import { formatAblation } from '../../compare/format-ablation.ts';
import * as errors from '../../errors/messages.ts';
import { createLogger } from '../../logging/logger.ts';
import { RowWriter } from '../../output/row-writer.ts';
import { defaultLevelCacheDir, LevelCache } from '../../pipeline/level-cache.ts';
import { ablateReport } from '../../report/ablate-report.ts';
import { writeHtmlReport } from '../../report/html-report.ts';
import { addGroundTruthFlags, sourcesWithTruth, type GroundTruthFlags } from '../ground-truth.ts';
import { addHostFlags, addPresetFlags, hostFromFlags, presetRequest, type HostFlagValues } from '../host-flags.ts';
import { returnsExitCode, type CliIO } from '../cli-io.ts';
import { Progress } from '../progress.ts';
import { parseIntIn } from '../option-parsers.ts';

interface AblateFlags extends HostFlagValues, GroundTruthFlags {
  out?: string;
  json?: boolean;
  report?: string;
  maxExact: number;
  reps: number;
  seed: number;
  diskCache: boolean;
}

export function registerAblateCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('ablate')
    .summary("each level's contribution to UAR: leave-one-out and Shapley values over subsets")
    .description([
      'Run one preset over labelled clips; every level runs once per clip, then fusion and decide rerun without each',
      'weighted level (leave-one-out: the drop in UAR, with a paired bootstrap interval) and, for up to --max-exact',
      'weighted levels, on every subset (exact Shapley values of UAR; the empty set counts as chance, 1/K).',
    ].join('\n'))
    .argument('[inputs...]', 'files, folders or globs (quote globs); none with --dataset');
  addHostFlags(addPresetFlags(addGroundTruthFlags(cmd)))
    .option('--out <file>', 'write the full preset\'s rows (JSON Lines) here')
    .option('--json', 'print the ablation as JSON')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--max-exact <n>', 'every subset and Shapley values up to this many weighted levels', parseIntIn('--max-exact', 0, 12), 5)
    .option('--reps <n>', 'bootstrap resamples', parseIntIn('--reps', 1, 1_000_000), 2000)
    .option('--seed <n>', 'bootstrap seed', parseIntIn('--seed', 0, 2 ** 31 - 1), 1)
    .option('--no-disk-cache', 'keep level results in memory only (not under <cache-dir>/levels)')
    .addHelpText('after', '\nExamples:\n  visage ablate clips/ --labels-from-folders --preset embedded --report ablation.html');
  cmd.action(returnsExitCode(async (inputs: string[], flags: AblateFlags) => {
    const { sources, invalid } = await sourcesWithTruth(inputs, flags, 'ablate');
    const unlabelled = sources.filter((s) => s.label === undefined).length;
    if (unlabelled) throw errors.ablateNeedsTruth(unlabelled, sources.length);
    for (const row of invalid) io.err(`visage: ${row.source}: ${row.error!.message}\n`);
    const host = hostFromFlags(flags);
    const pl = await host.pipeline(presetRequest(flags));
    try {
      if (weightedLevels(pl).length === 0) throw errors.ablateNoWeightedLevels(pl.preset.name);
      await pl.prepare();
      const cache = new LevelCache({ dir: flags.diskCache ? defaultLevelCacheDir(host.settings.cacheDir) : undefined, logger: createLogger(flags.logLevel, 'level-cache') });
      const writer = flags.out ? (mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true }), new RowWriter('jsonl', flags.out)) : undefined;
      const progress = new Progress(sources.length);
      const result = await ablate(pl, sources, { cache, maxExact: Number(flags.maxExact), reps: Number(flags.reps), seed: Number(flags.seed), onClip: (row) => { void writer?.writeRow(row); progress.tick(!row.error); } });
      progress.finish();
      writer?.close();
      if (result.clips === 0) throw errors.noClipsScored('ablate');
      const { rows, labels, ...summary } = result;
      io.out(flags.json ? JSON.stringify(summary, null, 2) + '\n' : formatAblation(result));
      if (flags.report) writeHtmlReport(flags.report, ablateReport(result));
      return invalid.length || result.failed ? 1 : 0;
    } finally {
      await pl.dispose();
      await host.dispose();
    }
  }));
}
