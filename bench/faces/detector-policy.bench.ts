/**
 * The landmarks level's detector policies side by side, through the real host (embedded preset):
 * `every` (BlazeFace on every frame) against `track` (BlazeFace on the first frame and when the face
 * followed from the previous mesh is lost).
 *
 * Printed: CPU-s per clip of each (process + ffmpeg children; N clips of the video, each under its
 * own name, `jobs` in flight, the two policies alternating in halves so that load drifts hit both),
 * and for each video how much `track` changes the results: frames detected and tracked, the mesh
 * difference in pixels (mean and max over the 468 points of frames where both found a face), and the
 * scoring levels' and the decision's labels and largest probability difference.
 *
 *   npx tsx bench/faces/detector-policy.bench.ts [--clips 50] [--jobs 2] [--model-threads 0|N|auto] [--video PATH]...
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHost } from '../../core/index.ts';
import { modelThreadsFor } from '../../core/models/model-threads.ts';
import type { ClassScores } from '../../core/types.ts';
import type { LandmarksData } from '../../plugins/landmarks/src/index.ts';
import { printTable } from '../lib/table.ts';
import { cpuSeconds } from '../frontend/cpu-seconds.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const CLIPS = Number(arg('clips', '50'));
const JOBS = Number(arg('jobs', '2'));
const THREADS = modelThreadsFor(arg('model-threads', '0') === 'auto' ? 'auto' : Number(arg('model-threads', '0')), JOBS);
const named = args.flatMap((a, i) => (a === '--video' ? [path.resolve(args[i + 1])] : []));
const VIDEOS = named.length ? named : [path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi'), path.resolve(import.meta.dirname, '../../samples/astronaut.mp4')];
const POLICIES = ['every', 'track'] as const;

const host = createHost({ logLevel: 'error', modelThreads: THREADS });
const pipelines = Object.fromEntries(await Promise.all(POLICIES.map(async (p) => [p, await host.pipeline({ set: [`stages.levels.landmarks.options.detector="${p}"`] })] as const)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-detector-bench-'));
let made = 0;
const linked = (video: string) => {
  const p = path.join(dir, `clip-${made++}${path.extname(video)}`);
  symlinkSync(video, p);
  return p;
};

// Warm-up: models loaded and converted before any timing.
for (const p of POLICIES) await pipelines[p].run({ path: linked(VIDEOS[0]) });

/** CPU-s of `n` clips of the first video through `policy`, `JOBS` in flight. */
async function cpuOf(policy: (typeof POLICIES)[number], n: number): Promise<number> {
  const c0 = cpuSeconds();
  let next = 0;
  await Promise.all(Array.from({ length: JOBS }, async () => {
    while (next < n) {
      next++;
      await pipelines[policy].run({ path: linked(VIDEOS[0]) });
    }
  }));
  return cpuSeconds().total - c0.total;
}

const load0 = os.loadavg()[0];
const cpu = { every: 0, track: 0 };
const half = Math.ceil(CLIPS / 2);
for (const n of [half, CLIPS - half]) for (const p of POLICIES) cpu[p] += await cpuOf(p, n);
const load1 = os.loadavg()[0];

console.log(`detector policies: ${CLIPS} clips x 16 frames of ${path.basename(VIDEOS[0])} per policy, embedded preset, jobs ${JOBS}, ${THREADS ?? "onnxruntime's default"} model threads; 1-min load ${load0.toFixed(1)} -> ${load1.toFixed(1)}`);
printTable(['policy', 'CPU-s per clip (process + ffmpeg)'], [
  ...POLICIES.map((p) => [p, (cpu[p] / CLIPS).toFixed(3)]),
  ['track saves', `${(((cpu.every - cpu.track) / CLIPS) * 1000).toFixed(0)} CPU-ms per clip`],
]);

const argmax = (s: ClassScores | undefined) => (s ? Object.entries(s).reduce((a, b) => (b[1] > a[1] ? b : a))[0] : '-');
const maxDiff = (a: ClassScores | undefined, b: ClassScores | undefined) => (a && b ? Math.max(...Object.keys(a).map((k) => Math.abs(a[k] - b[k]))) : NaN);
const rows: string[][] = [];
for (const video of VIDEOS) {
  const [e, t] = await Promise.all(POLICIES.map((p) => pipelines[p].run({ path: linked(video) })));
  const fe = (e.levels.landmarks.data as LandmarksData).frames, ft = (t.levels.landmarks.data as LandmarksData).frames;
  let sum = 0, n = 0, max = 0;
  fe.forEach((f, i) => {
    const a = f.face.mesh, b = ft[i].face.mesh;
    if (!a || !b) return;
    for (let p = 0; p < a.length; p += 3) {
      const d = Math.hypot(a[p] - b[p], a[p + 1] - b[p + 1]);
      sum += d;
      n++;
      max = Math.max(max, d);
    }
  });
  const count = (fs: typeof fe, s: string) => fs.filter((f) => f.face.source === s).length;
  const name = path.basename(video);
  rows.push([name, 'frames detected / tracked / none', `${count(fe, 'detected')} / ${count(fe, 'tracked')} / ${count(fe, 'none')}`, `${count(ft, 'detected')} / ${count(ft, 'tracked')} / ${count(ft, 'none')}`, '']);
  const box = (fs: typeof fe) => fs.find((f) => f.face.box)?.face.box;
  const side = ((box(fe)?.[2] ?? 0) - (box(fe)?.[0] ?? 0)) || 1;
  rows.push([name, 'mesh difference, px (mean / max)', '', '', `${(sum / Math.max(1, n)).toFixed(2)} / ${max.toFixed(1)} (face box ${side.toFixed(0)} px)`]);
  for (const level of ['expression', 'faceapi-expression', 'action-units']) {
    const a = e.levels[level]?.scores, b = t.levels[level]?.scores;
    rows.push([name, `${level}: label, largest probability change`, argmax(a), argmax(b), maxDiff(a, b).toFixed(4)]);
  }
  rows.push([name, 'decision: label, largest probability change', String(e.decision.label), String(t.decision.label), maxDiff(e.decision.probabilities, t.decision.probabilities).toFixed(4)]);
}
printTable(['video', 'figure', 'every', 'track', 'difference'], rows);

await Promise.all(POLICIES.map((p) => pipelines[p].dispose()));
await host.dispose();
rmSync(dir, { recursive: true, force: true });
