/** `visage compare`: two or more variants over the same clips, in one process, with paired statistics. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { compareVariants } from '../../compare/compare-stats.ts';
import { formatComparison } from '../../compare/format-comparison.ts';
import { compareOpenSet, formatOpenSet, isOpenSet } from '../../compare/open-set-comparison.ts';
import { runVariants, variantPipelines } from '../../compare/run-variants.ts';
import { addVariantFlags } from '../../compare/variants.ts';
import * as errors from '../../errors/messages.ts';
import { createLogger } from '../../logging/logger.ts';
import { RowWriter } from '../../output/row-writer.ts';
import { defaultLevelCacheDir, LevelCache } from '../../pipeline/level-cache.ts';
import { compareReport } from '../../report/compare-report.ts';
import { ClipVisuals } from '../../report/clip-visuals.ts';
import { writeHtmlReport } from '../../report/html-report.ts';
import { addGroundTruthFlags, sourcesWithTruth, type GroundTruthFlags } from '../ground-truth.ts';
import { addHostFlags, hostFromFlags, type HostFlagValues } from '../host-flags.ts';
import { returnsExitCode, type CliIO } from '../cli-io.ts';
import { Progress } from '../progress.ts';
import { parseIntIn } from '../option-parsers.ts';

/** Changed clips whose report thumbnail is the level's aligned face crop; later ones show their middle frame. */
const ALIGNED_THUMBNAILS = 50;

export interface CompareFlags extends HostFlagValues, GroundTruthFlags {
  outDir?: string;
  json?: boolean;
  report?: string;
  reps: number;
  seed: number;
  diskCache: boolean;
}

export function registerCompareCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('compare')
    .summary('compare presets or variants on the same clips: UAR/WAR with intervals, paired tests, changed clips')
    .description([
      'Run two or more variants over the same clips in one process. Each clip is decoded once and a level that',
      'several variants share runs once (results are cached in memory and under <cache-dir>/levels, so a rerun is cheap).',
      'With ground truth: UAR and WAR with bootstrap 95% intervals per variant and, against the first variant, the paired',
      'bootstrap interval of the UAR difference, an exact McNemar test on accuracy, Cohen\'s kappa and the clips whose label changed.',
      'Without: agreement, kappa, changed labels and the mean probability shift (total variation distance).',
    ].join('\n'))
    .argument('[inputs...]', 'files, folders or globs (quote globs); none with --dataset');
  const { variants } = addVariantFlags(cmd);
  addHostFlags(addGroundTruthFlags(cmd))
    .option('--out-dir <dir>', 'write each variant\'s rows to <dir>/<variant>.jsonl')
    .option('--json', 'print the comparison as JSON')
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--reps <n>', 'bootstrap resamples', parseIntIn('--reps', 1, 1_000_000), 2000)
    .option('--seed <n>', 'bootstrap seed', parseIntIn('--seed', 0, 2 ** 31 - 1), 1)
    .option('--no-disk-cache', 'keep level results in memory only (not under <cache-dir>/levels)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  visage compare clips/ --labels-from-folders --preset embedded --variant no-expression --set stages.levels.expression.enabled=false',
      '  visage compare clips/ --labels-from-folders --preset embedded --variant half --set stages.levels.expression.weight=0.5 --json --out-dir rows/ --report report.html',
    ].join('\n'));
  cmd.action(returnsExitCode(async (inputs: string[], flags: CompareFlags) => {
    const list = variants();
    if (list.length < 2) throw errors.compareNeedsVariants(list.length);
    const { sources, invalid } = await sourcesWithTruth(inputs, flags, 'compare');
    for (const row of invalid) io.err(`visage: ${row.source}: ${row.error!.message}\n`);
    const host = hostFromFlags(flags);
    const cache = new LevelCache({ dir: flags.diskCache ? defaultLevelCacheDir(host.settings.cacheDir) : undefined, logger: createLogger(flags.logLevel, 'level-cache') });
    const pls = await variantPipelines(host, list);
    const visuals = new ClipVisuals();
    const progress = new Progress(sources.length);
    try {
      const rows = await runVariants(pls.pipelines, sources, {
        cache,
        onClip: async (source, results, clipRows) => {
          progress.tick(clipRows.every((r) => !r.error));
          if (!flags.report) return;
          if (!ClipVisuals.changed(clipRows) || visuals.byId.size >= ALIGNED_THUMBNAILS) return visuals.keepIfChanged(results, clipRows);
          // Renders (the aligned face crop) are asked for only here, for a changed clip: one more run of the
          // first variant's levels, with the decoded clip from the cache.
          const rendered = await pls.pipelines[0].run(source, { cache, wantRenders: true }).catch(() => undefined);
          await visuals.keep([rendered, ...results], clipRows);
        },
      });
      progress.finish();
      if (flags.outDir) {
        mkdirSync(flags.outDir, { recursive: true });
        for (const [i, v] of list.entries()) {
          const w = new RowWriter('jsonl', path.join(flags.outDir!, `${v.name}.jsonl`));
          for (const row of rows[i]) await w.writeRow(row);
          w.close();
        }
      }
      const named = pls.pipelines[0].preset.classes;
      const classes = named?.length ? named : [...new Set(rows.flat().flatMap((r) => Object.keys(r.probabilities)))].sort();
      // Open-set data (clips of classes outside the run's): the paired closed-set figures use the known clips.
      const runs = list.map((v, i) => ({ name: v.name, rows: rows[i] }));
      const openSet = isOpenSet(runs, classes) ? compareOpenSet(runs, classes) : undefined;
      const closed = openSet ? runs.map((r) => ({ ...r, rows: r.rows.filter((row) => row.groundTruth === undefined || classes.includes(row.groundTruth)) })) : runs;
      const comparison = compareVariants(closed, classes, { reps: Number(flags.reps), seed: Number(flags.seed) });
      if (comparison.clips.length === 0) throw errors.noClipsScored('compare');
      io.out(flags.json ? JSON.stringify({ ...comparison, ...(openSet && { openSet }), cache: cache.stats }, null, 2) + '\n' : formatComparison(comparison) + (openSet ? formatOpenSet(openSet) : ''));
      io.err(`cache: ${cache.stats.levelRuns} level runs, ${cache.stats.memoryHits + cache.stats.diskHits} reused (${cache.stats.diskHits} from disk); ${cache.stats.ingestRuns} clips decoded\n`);
      if (flags.report) writeHtmlReport(flags.report, compareReport(comparison, rows, visuals, openSet));
      return invalid.length || rows.some((r) => r.some((row) => row.error)) ? 1 : 0;
    } finally {
      await pls.dispose();
      await host.dispose();
    }
  }));
}
