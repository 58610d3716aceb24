/**
 * The level cache at work: `visage compare` of two variants that differ only in a level weight,
 * against one plain run of the same clips (no cache, as `pipeline run` does). Both go through the
 * same code as the CLI (variant pipelines, the per-clip loop, the statistics). Also times a rerun
 * that finds every level on disk. Medians of --reps repetitions, after one warm-up (model loading).
 *
 *   npm run bench:compare -- [--clips DIR] [--reps 3] [--frames 16]
 * Without --clips, scripts/make-labelled-clips.sh makes 12 labelled clips from ../shared faces.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sourcesWithTruth } from '../../core/cli/ground-truth.ts';
import { compareVariants } from '../../core/compare/compare-stats.ts';
import { runVariants, variantPipelines } from '../../core/compare/run-variants.ts';
import { createHost } from '../../core/index.ts';
import { LevelCache } from '../../core/pipeline/level-cache.ts';
import { median, printTable } from '../lib/table.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const REPS = Number(arg('reps', '3'));
const FRAMES = arg('frames', '16');
const repo = path.resolve(import.meta.dirname, '../..');
let clipsDir = arg('clips', '');
if (!clipsDir) {
  clipsDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-bench-compare-')), 'clips');
  execFileSync('bash', [path.join(repo, 'scripts/make-labelled-clips.sh'), clipsDir], { stdio: 'ignore' });
}
const { sources } = await sourcesWithTruth([clipsDir], { labelsFromFolders: true }, 'bench');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'visage-bench-cache-'));
const host = createHost({ logLevel: 'error' });
const base = { set: [`frames=${FRAMES}`] };
const variants = [
  { name: 'embedded', request: base },
  { name: 'reweighted', request: { set: [...base.set, 'stages.levels.expression.weight=0.5'] } },
];
const single = await variantPipelines(host, variants.slice(0, 1));
const pair = await variantPipelines(host, variants);
const classes = pair.pipelines[0].preset.classes!;

async function plainRun(): Promise<void> {
  for (const s of sources) await single.pipelines[0].run(s);
}
async function compare(cache: LevelCache): Promise<void> {
  const rows = await runVariants(pair.pipelines, sources, { cache });
  compareVariants(variants.map((v, i) => ({ name: v.name, rows: rows[i] })), classes);
}
const timed = async (f: () => Promise<void>) => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

await plainRun(); // warm-up: model conversion and loading, first-run allocations
const times = { single: [] as number[], compare: [] as number[], rerun: [] as number[] };
for (let r = 0; r < REPS; r++) {
  const dir = path.join(cacheDir, `rep-${r}`);
  times.single.push(await timed(plainRun));
  times.compare.push(await timed(() => compare(new LevelCache({ dir }))));
  times.rerun.push(await timed(() => compare(new LevelCache({ dir }))));
}
const s = median(times.single);
console.log(`${sources.length} clips, ${FRAMES} frames, embedded preset; median of ${REPS} reps\n`);
printTable(['run', 'median s', 'x single run'], [
  ['pipeline run (one variant, no cache)', s.toFixed(2), '1.00'],
  ['compare: 2 variants differing in one weight', median(times.compare).toFixed(2), (median(times.compare) / s).toFixed(2)],
  ['compare again (every level from the disk cache)', median(times.rerun).toFixed(2), (median(times.rerun) / s).toFixed(2)],
]);
await single.dispose();
await pair.dispose();
await host.dispose();
rmSync(cacheDir, { recursive: true, force: true });
