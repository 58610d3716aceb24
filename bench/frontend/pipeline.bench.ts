/**
 * The embedded preset through the real host (the same code path as `visage pipeline run`): 16-frame
 * clips of Megamind.avi through ingest (ffmpeg), landmarks (detect + mesh), parsing, description
 * and expression. Prints per-stage median times per clip, model time per model, clips/s over the
 * batch, peak RSS, and the share of wall time spent outside the onnxruntime model calls.
 *
 *   npm run bench:frontend -- [--clips 50] [--jobs 2] [--video PATH] [--detect-every 1]
 */
import path from 'node:path';
import { createHost, StageProfiler } from '../../core/index.ts';
import { modelRunStats } from '../../core/models/session-store.ts';
import { median, printTable } from '../lib/table.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const CLIPS = Number(arg('clips', '50'));
const JOBS = Number(arg('jobs', '2'));
const VIDEO = arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi'));
const DETECT_EVERY = arg('detect-every', '1');

const host = createHost({ logLevel: 'error' });
const profiler = new StageProfiler();
// Seeded training-mode sampling gives each clip different frames, so no two clips decode alike.
const pipeline = await host.pipeline({ set: ['stages.ingest.options.mode="train"', `stages.levels.landmarks.options.detectEvery=${DETECT_EVERY}`] }, { profiler });

// Warm-up: model conversion/loading and first-run allocations are not part of the steady state.
await pipeline.run({ path: VIDEO, id: 'warmup' });
profiler.spans.length = 0;
modelRunStats.clear();

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
let next = 0;
const perClipWall: number[] = [];
await Promise.all(Array.from({ length: JOBS }, async () => {
  while (next < CLIPS) {
    const i = next++;
    const t = performance.now();
    await pipeline.run({ path: VIDEO, id: `clip-${i}` });
    perClipWall.push(performance.now() - t);
  }
}));
const wall = performance.now() - t0;

const rows: string[][] = [];
for (const s of profiler.summary()) {
  const durations = profiler.spans.filter((x) => x.provider === s.provider).map((x) => x.duration);
  rows.push([`${s.stage}: ${s.provider}`, median(durations).toFixed(1), s.totalMs.toFixed(0)]);
}
let modelMs = 0;
for (const [model, st] of modelRunStats) {
  modelMs += st.ms;
  rows.push([`  model ${model} (${st.calls} calls)`, (st.ms / CLIPS).toFixed(1) + ' (mean)', st.ms.toFixed(0)]);
}
console.log(`frontend benchmark: ${CLIPS} clips x 16 frames of ${path.basename(VIDEO)}, jobs ${JOBS}, detectEvery ${DETECT_EVERY}, node ${process.version}`);
printTable(['stage / provider', 'median ms per clip', 'total ms'], rows);
const decodeMs = profiler.spans.filter((s) => s.stage === 'ingest').reduce((a, s) => a + s.duration, 0);
const busyMs = profiler.spans.filter((s) => s.stage !== 'ingest').reduce((a, s) => a + s.duration, 0);
printTable(['figure', 'value'], [
  ['clips/s (wall, whole batch)', (CLIPS / (wall / 1000)).toFixed(2)],
  ['median wall per clip, ms', median(perClipWall).toFixed(0)],
  ['peak RSS, MiB', (process.resourceUsage().maxRSS / 1024).toFixed(0)],
  ['RSS growth over the batch, MiB', ((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)],
  ['model time (onnxruntime) share of stage time', `${((100 * modelMs) / (busyMs + decodeMs)).toFixed(0)} %`],
  ['plumbing over model time (levels..decide minus models) / models', `${((100 * (busyMs - modelMs)) / modelMs).toFixed(0)} %`],
  ['decode (ingest) share of stage time', `${((100 * decodeMs) / (busyMs + decodeMs)).toFixed(0)} %`],
]);
await pipeline.dispose();
await host.dispose();

// Long videos (issue 14 item 2): seconds per minute and peak RSS per video length; --no-long skips them.
if (!args.includes('--no-long')) await import('./long-video.bench.ts');
