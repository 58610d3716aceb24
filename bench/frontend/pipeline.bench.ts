/**
 * The front end's throughput against its floor, through the real host (the code path of `visage
 * pipeline run`, embedded preset): rounds of N clips, each Megamind.avi under its own name (a
 * symbolic link), `jobs` clips in flight, onnxruntime sessions as the host makes them, each clip's
 * frame memory handed back when it ends (Pipeline.release; VISAGE_REUSE_FRAMES=0 for no reuse).
 *
 * The floor is measured alone (nothing else in flight) before the first round and after each:
 * decode-only CPU-s per clip (`readClip`, the same decoder, on the same file) and model-only CPU-s
 * per clip (the onnxruntime calls of one clip, recorded and replayed through the same sessions). A
 * round's floor is the mean of the two around it: a shared machine's speed drifts by several
 * percent within a minute, and a floor taken at another time than the batch misjudges it. The round
 * of median efficiency speaks for the run (one slow minute moves one round), and every round is
 * printed.
 *
 * Printed:
 * - per-stage table (median wall ms per clip over all rounds, from the stage profiler) and the model calls;
 * - per round: clips/s, CPU-s per clip (this process, all threads, plus the decoder processes: the
 *   pooled PyAV decoders, or ffmpeg/ffprobe children with VISAGE_DECODER=ffmpeg), the floor,
 *   efficiency = achieved clips/s / floor clips/s (floor = cores / floor CPU-s per clip), CPU
 *   efficiency = floor CPU-s / achieved CPU-s per clip, and the cores' utilization (efficiency =
 *   utilization x CPU efficiency);
 * - for the median round: those figures, the floor's two measurements, the CPU per clip of the JS
 *   main thread, the process's other threads and the decoder processes, and the decode and plumbing
 *   shares of the CPU per clip (plumbing: neither decoding nor model inference);
 * - RSS every 50 clips from the end of the rounds up to `--rss-clips` (default 500; 0 skips it):
 *   growth, the highest sample, the peak; and the throughput figures of those clips (the steady
 *   state of a long batch) against the floors before and after them.
 *
 *   npm run bench:frontend -- [--clips 50] [--rounds 3] [--jobs 2] [--rss-clips 500] [--video PATH] [--model-threads 0|N|auto]
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHost, StageProfiler } from '../../core/index.ts';
import { readClip } from '../../core/media/read-clip.ts';
import { frameMemory } from '../../core/media/frame-memory.ts';
import { modelRunStats, ortWorkers } from '../../core/models/session-store.ts';
import { modelThreadsFor } from '../../core/models/model-threads.ts';
import { median, printTable } from '../lib/table.ts';
import { applyHeapGrowth } from '../../core/cli/heap-growth.ts';
import { decoderChoice, pyavDecoderStats } from '../../core/media/pyav-decoder.ts';
import { cpuSeconds, decoderRssBytes, mainThreadCpuSeconds } from './cpu-seconds.ts';
import { recordModelCalls, replayCpuSeconds } from './model-replay.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const CLIPS = Number(arg('clips', '50'));
const JOBS = Number(arg('jobs', '2'));
const RSS_CLIPS = Number(arg('rss-clips', '500'));
const ROUNDS = Number(arg('rounds', '3'));
// As `visage pipeline run --jobs JOBS --model-threads N` chooses them (default 0: onnxruntime's default).
const MODEL_THREADS = modelThreadsFor(arg('model-threads', '0') === 'auto' ? 'auto' : Number(arg('model-threads', '0')), JOBS);
const VIDEO = path.resolve(arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi')));
const FLOOR_REPEATS = 10;
const CORES = os.availableParallelism();
const MiB = 2 ** 20;

const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-frontend-bench-'));
const clipPath = (i: number) => {
  const p = path.join(dir, `clip-${String(i).padStart(4, '0')}${path.extname(VIDEO)}`);
  if (!existsSync(p)) symlinkSync(VIDEO, p);
  return p;
};

// As the `visage` command sets it at start-up (core/cli/heap-growth.ts).
const heapGrowing = applyHeapGrowth();
const host = createHost({ logLevel: 'error', modelThreads: MODEL_THREADS });
const sessionWorkers = ortWorkers(); // as the host's store chooses them
const profiler = new StageProfiler();
const pipeline = await host.pipeline({}, { profiler });
const load0 = os.loadavg();

// Warm-up (model conversion or cache read, first-run allocations), recording one clip's model calls.
await pipeline.run({ path: clipPath(-1), id: 'warmup' });
const modelCalls = await recordModelCalls(() => pipeline.run({ path: clipPath(-2), id: 'record' }));

/** Runs clips [from, to) with JOBS in flight; calls `after` as each finishes. */
async function batch(from: number, to: number, after: (done: number) => void = () => {}): Promise<number[]> {
  let next = from, done = from;
  const walls: number[] = [];
  await Promise.all(Array.from({ length: JOBS }, async () => {
    while (next < to) {
      const i = next++;
      // As `pipeline run` does (core/batch/run-batch.ts): the next clip's ingest starts now.
      if (next < to) pipeline.prefetch({ path: clipPath(next), id: `clip-${next}` });
      const t = performance.now();
      // As `pipeline run` does once the row is written: the frames' memory goes to the next decode.
      pipeline.release(await pipeline.run({ path: clipPath(i), id: `clip-${i}` }));
      walls.push(performance.now() - t);
      after(++done);
    }
  }));
  return walls;
}

// Then a short batch, as the first seconds of any long one: V8 is still compiling the hot code over
// the first clips (with two warm-up clips only, the first of three rounds ran 5-7% below the others).
const WARM_CLIPS = 10, WARM_FROM = 100_000;
await batch(WARM_FROM, WARM_FROM + WARM_CLIPS);

/**
 * The floor, measured alone (nothing else in flight): the same decoder on the same file, the same
 * model calls. Each clip's frame memory is handed back, as the batch's clips are (core/media/frame-memory.ts).
 */
async function measureFloor(): Promise<{ decode: number; model: number }> {
  const d0 = cpuSeconds();
  for (let i = 0; i < FLOOR_REPEATS; i++) frameMemory.giveBack((await readClip(VIDEO, { frames: 16 })).frames);
  const decode = (cpuSeconds().total - d0.total) / FLOOR_REPEATS;
  return { decode, model: await replayCpuSeconds(modelCalls, FLOOR_REPEATS) };
}
// Measured before and after each batch: a shared machine's speed drifts by several percent within a
// minute, and the mean of the two follows the batch's conditions better than either.
const floors = [await measureFloor()];

profiler.spans.length = 0;
modelRunStats.clear();

/** One round: a batch of CLIPS clips (names of their own), then the floor again. */
async function round(r: number) {
  const c0 = cpuSeconds(), main0 = mainThreadCpuSeconds(), elu0 = performance.eventLoopUtilization(), t0 = performance.now();
  const walls = await batch(r * CLIPS, (r + 1) * CLIPS);
  // onnxruntime-node runs session.run on the calling thread (the JS thread with VISAGE_ORT_WORKERS=0),
  // so this thread's busy share says whether it, rather than the cores, is what limits clips/s.
  const jsBusy = performance.eventLoopUtilization(elu0).utilization;
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuSeconds();
  const main = (mainThreadCpuSeconds() - main0) / CLIPS;
  floors.push(await measureFloor());
  const [before, after] = floors.slice(r, r + 2);
  const rate = CLIPS / wall, cpu = (c1.total - c0.total) / CLIPS;
  const floor = { decode: (before.decode + after.decode) / 2, model: (before.model + after.model) / 2 };
  return {
    walls, jsBusy, rate, cpu, main, before, after, floor,
    floorCpu: floor.decode + floor.model,
    others: (c1.self - c0.self) / CLIPS - main,
    children: (c1.children - c0.children) / CLIPS,
    efficiency: rate / (CORES / (floor.decode + floor.model)),
  };
}
const rounds: Awaited<ReturnType<typeof round>>[] = [];
for (let r = 0; r < ROUNDS; r++) rounds.push(await round(r));
const load1 = os.loadavg();
// The round of median efficiency speaks for the run; every round's figures are printed too.
const mid = [...rounds].sort((a, b) => a.efficiency - b.efficiency)[Math.floor(ROUNDS / 2)];
const { floorCpu, cpu: runCpu, rate: achieved, main: mainCpu, jsBusy } = mid;
const perClipWall = rounds.flatMap((r) => r.walls);
const beforeAfter = (a: number, b: number) => `${((a + b) / 2).toFixed(3)} (${a.toFixed(3)} before, ${b.toFixed(3)} after)`;

const rows: string[][] = [];
for (const s of profiler.summary()) {
  const durations = profiler.spans.filter((x) => x.provider === s.provider).map((x) => x.duration);
  rows.push([`${s.stage}: ${s.provider}`, median(durations).toFixed(1), s.totalMs.toFixed(0)]);
}
let modelMs = 0;
for (const [model, st] of modelRunStats) {
  modelMs += st.ms;
  rows.push([`  model ${model} (${st.calls} calls)`, (st.ms / (CLIPS * ROUNDS)).toFixed(1) + ' (mean)', st.ms.toFixed(0)]);
}
const ingestMs = profiler.spans.filter((s) => s.stage === 'ingest').reduce((a, s) => a + s.duration, 0);
const stageMs = profiler.spans.reduce((a, s) => a + s.duration, 0);

const floorRate = CORES / floorCpu;
console.log(`frontend benchmark: ${ROUNDS} rounds of ${CLIPS} clips x 16 frames of ${path.basename(VIDEO)} (each under its own name), embedded preset, jobs ${JOBS}, ${MODEL_THREADS ?? 'default'} model threads, sessions in ${sessionWorkers} worker threads (VISAGE_ORT_WORKERS), V8 heap growing ${heapGrowing || 'default'}% (VISAGE_HEAP_GROWING_PERCENT), ${CORES} cores, node ${process.version}`);
console.log(`decoder: VISAGE_DECODER=${decoderChoice()}; clips decoded by the pooled PyAV decoder: ${pyavDecoderStats.decoded} (MPEG-4 B-frames not needed, so not decoded: ${pyavDecoderStats.bFramesSkipped}), passed to the ffmpeg command: ${pyavDecoderStats.declined}`);
console.log(`frame memory (VISAGE_REUSE_FRAMES${process.env.VISAGE_REUSE_FRAMES === '0' ? '=0: off' : ': on'}): decodes into handed-back memory ${frameMemory.stats.reused} of ${frameMemory.stats.lent}`);
console.log(`1-min load average: ${load0[0].toFixed(1)} at start, ${load1[0].toFixed(1)} after the batches (other processes on this machine)`);
printTable(['stage / provider', 'median ms per clip (wall)', 'total ms'], rows);
printTable(['round (a batch, between two floors)', 'clips/s', 'CPU-s per clip', 'floor CPU-s per clip', 'efficiency', 'CPU efficiency', 'utilization'], rounds.map((r, i) => [
  String(i + 1), r.rate.toFixed(2), r.cpu.toFixed(3), r.floorCpu.toFixed(3), r.efficiency.toFixed(2), (r.floorCpu / r.cpu).toFixed(2), ((r.rate * r.cpu) / CORES).toFixed(2),
]));
printTable([`figure (the round of median efficiency, ${rounds.indexOf(mid) + 1} of ${ROUNDS})`, 'value'], [
  ['clips/s (wall, whole batch)', achieved.toFixed(2)],
  ['median wall per clip (all rounds), ms', median(perClipWall).toFixed(0)],
  ['CPU-s per clip (process + decoder processes: pooled PyAV, or ffmpeg/ffprobe)', `${runCpu.toFixed(3)} (children ${mid.children.toFixed(3)})`],
  [`floor: decode-only CPU-s per clip (readClip x${FLOOR_REPEATS}, alone; mean of before and after the batch)`, beforeAfter(mid.before.decode, mid.after.decode)],
  [`floor: model-only CPU-s per clip (${modelCalls.length} onnxruntime calls replayed x${FLOOR_REPEATS}; the same)`, beforeAfter(mid.before.model, mid.after.model)],
  [`floor clips/s (${CORES} cores / floor CPU-s per clip)`, floorRate.toFixed(2)],
  ['efficiency = achieved clips/s / floor clips/s', mid.efficiency.toFixed(2)],
  ['CPU efficiency = floor CPU-s / achieved CPU-s per clip', (floorCpu / runCpu).toFixed(2)],
  ['utilization = clips/s x CPU-s per clip / cores (efficiency = utilization x CPU efficiency)', ((achieved * runCpu) / CORES).toFixed(2)],
  ['CPU-s per clip by thread: JS main thread / the process\'s other threads (onnxruntime workers, V8 and libuv helpers) / decoder processes', `${mainCpu.toFixed(3)} / ${mid.others.toFixed(3)} / ${mid.children.toFixed(3)}`],
  ['decode share of CPU per clip (floor decode / achieved)', `${((100 * mid.floor.decode) / runCpu).toFixed(0)} %`],
  ['plumbing share of CPU per clip (neither decode nor models)', `${((100 * Math.max(0, runCpu - floorCpu)) / runCpu).toFixed(0)} %`],
  [`JS thread busy share during the batch (model calls ${sessionWorkers > 0 ? 'in worker threads' : 'run on it'})`, `${(100 * jsBusy).toFixed(0)} %`],
  ['ingest share of stage time (wall)', `${((100 * ingestMs) / stageMs).toFixed(0)} %`],
  ['model time (onnxruntime, wall) share of stage time', `${((100 * modelMs) / stageMs).toFixed(0)} %`],
]);

const FIRST = ROUNDS * CLIPS; // clips run so far
if (RSS_CLIPS > FIRST) {
  const samples: { clips: number; rss: number }[] = [];
  const sample = (n: number) => {
    // The pooled decoders are part of the front end's memory: their RSS counts too.
    const decoders = decoderRssBytes();
    samples.push({ clips: n, rss: process.memoryUsage().rss + decoders });
    console.log(`RSS after ${n} clips: ${(samples[samples.length - 1].rss / MiB).toFixed(0)} MiB (decoder processes ${(decoders / MiB).toFixed(0)})`); // as it goes: the run is long
  };
  sample(FIRST);
  const steady0 = cpuSeconds(), steadyT0 = performance.now();
  await batch(FIRST, RSS_CLIPS, (n) => n % 50 === 0 && sample(n));
  // The same figures once the JIT has warmed up (a long batch's steady state), against the floors
  // before and after these clips.
  const steadyRate = (RSS_CLIPS - FIRST) / ((performance.now() - steadyT0) / 1000);
  const steadyCpu = (cpuSeconds().total - steady0.total) / (RSS_CLIPS - FIRST);
  if (samples[samples.length - 1].clips !== RSS_CLIPS) sample(RSS_CLIPS);
  const [before, after] = [floors[ROUNDS], await measureFloor()];
  const steadyFloor = (before.decode + after.decode + before.model + after.model) / 2;
  printTable([`steady state, clips ${FIRST + 1}-${RSS_CLIPS}`, 'value'], [
    ['clips/s (wall; RSS sampled every 50 clips)', steadyRate.toFixed(2)],
    ['CPU-s per clip (process + decoder processes)', steadyCpu.toFixed(3)],
    ['floor CPU-s per clip (mean of before and after these clips)', steadyFloor.toFixed(3)],
    ['efficiency = achieved clips/s / floor clips/s', (steadyRate / (CORES / steadyFloor)).toFixed(2)],
    ['CPU efficiency = floor CPU-s / achieved CPU-s per clip', (steadyFloor / steadyCpu).toFixed(2)],
  ]);
  const end = samples[samples.length - 1].rss;
  // Allocators and onnxruntime's arenas settle over the first hundred clips or so (the rounds
  // before); growth is what comes after that.
  const settled = samples.find((x) => x.clips >= 2 * CLIPS) ?? samples[0];
  const growth = (from: { clips: number; rss: number }) => [`RSS growth from clip ${from.clips} to ${RSS_CLIPS}, MiB`, ((end - from.rss) / MiB).toFixed(0)];
  const highestAfter = Math.max(...samples.filter((x) => x.clips >= settled.clips).map((x) => x.rss));
  printTable(['memory figure', 'value'], [
    growth(samples[0]),
    ...(settled !== samples[0] ? [growth(settled)] : []),
    [`highest sample after clip ${settled.clips} - RSS there, MiB`, ((highestAfter - settled.rss) / MiB).toFixed(0)],
    ['peak RSS of the process, MiB', (process.resourceUsage().maxRSS / 1024).toFixed(0)],
    ['RSS of the pooled decoder processes at the end, MiB', (decoderRssBytes() / MiB).toFixed(0)],
  ]);
} else {
  console.log(`peak RSS of the process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB, pooled decoders now ${(decoderRssBytes() / MiB).toFixed(0)} MiB (RSS run skipped: --rss-clips ${RSS_CLIPS})`);
}

await pipeline.dispose();
await host.dispose();
rmSync(dir, { recursive: true, force: true });

// Long videos (issue 14 item 2): seconds per minute and peak RSS per video length; --no-long skips them.
if (!args.includes('--no-long')) await import('./long-video.bench.ts');
