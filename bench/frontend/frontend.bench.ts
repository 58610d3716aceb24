/**
 * Front-end throughput: per 16-frame clip, decode -> detect -> mesh -> aligned crops + landmark
 * renders -> parsing -> expression, over N clips (default 50), on onnxruntime-node CPU.
 *
 * Run: npx tsx bench/frontend/frontend.bench.ts [--clips 50] [--detect-every 1] [--max-side N] [--video PATH] [--no-pipeline]
 *
 * Decode uses core/media `readClip` (ffmpeg) on Megamind.avi from ../shared/data/faces, a different
 * random segment sample per clip (seeded), and parsing uses plugins/parsing `parseFromMesh`, when
 * those modules exist; otherwise decode is a pan-and-zoom of astronaut.png via sharp and parsing
 * is skipped. With pipelining (default) the next clip is decoded while the current one runs
 * through the models, as a batch run would do.
 */
import { resolve } from 'node:path';
import { modelRunStats, OnnxSessionStore } from '../../core/models/session-store.ts';
import type { Frame } from '../../core/types.ts';
import { EmotionClassifier } from '../../plugins/expression/src/emotion-classifier.ts';
import { expressionScores } from '../../plugins/expression/src/expression-scores.ts';
import { alignedCrop, alignmentMap } from '../../plugins/landmarks/src/aligned-crop.ts';
import { FaceModels } from '../../plugins/landmarks/src/face-models.ts';
import { renderLandmarks } from '../../plugins/landmarks/src/render-landmarks.ts';
import { trackFaces } from '../../plugins/landmarks/src/track-faces.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const CLIPS = Number(arg('clips', '50'));
const PIPELINE = !args.includes('--no-pipeline');
const DETECT_EVERY = Number(arg('detect-every', '1'));
const MAX_SIDE = args.includes('--max-side') ? Number(arg('max-side', '0')) : undefined;
const shared = resolve(import.meta.dirname, '../../../shared/data/faces');
const VIDEO = arg('video', resolve(shared, 'Megamind.avi'));

type Decoder = (i: number) => Promise<Frame[]>;

async function makeDecoder(): Promise<{ name: string; decode: Decoder }> {
  const media = await import('../../core/media/index.ts').catch(() => null);
  if (media) {
    return {
      name: `readClip(${VIDEO.split('/').pop()}, T=16, train sampling${MAX_SIDE ? `, maxSide ${MAX_SIDE}` : ''})`,
      decode: async (i) => (await media.readClip(VIDEO, { frames: 16, mode: 'train', seed: i, maxSide: MAX_SIDE })).frames,
    };
  }
  const { stillClip } = await import('../../test/helpers/still-clip.ts');
  return { name: 'sharp pan-and-zoom of astronaut.png (core/media absent)', decode: () => stillClip('astronaut.png') };
}

type Parse = (faces: Parameters<typeof alignmentMap>[0][]) => void;
async function makeParser(): Promise<Parse | null> {
  const parsing = await import('../../plugins/parsing/src/parse-from-mesh.ts').catch(() => null);
  if (!parsing) return null;
  return (faces) => {
    for (const f of faces) parsing.parseFromMesh(f, 224, alignmentMap(f, 224) ?? undefined);
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const store = new OnnxSessionStore();
  const tLoad = performance.now();
  const [faceModels, classifier] = await Promise.all([FaceModels.load(store), EmotionClassifier.load(store)]);
  const loadMs = performance.now() - tLoad;
  const { name: decodeName, decode } = await makeDecoder();
  const parse = await makeParser();

  // Warm-up clip: first runs allocate onnxruntime arenas and JIT the JS loops.
  {
    const frames = await decode(-1);
    const faces = await trackFaces(faceModels, frames, { allowNoFace: true });
    await expressionScores(classifier, frames.map((f, t) => alignedCrop(f, faces[t])), faces);
  }
  modelRunStats.clear();

  const stages: Record<string, number[]> = { decode: [], detect: [], mesh: [], 'crops+render': [], parsing: [], expression: [], total: [] };
  const load0 = (await import('node:os')).loadavg()[0];
  let facesFound = 0, framesSeen = 0;
  const t0 = performance.now();
  let next = decode(0);
  for (let i = 0; i < CLIPS; i++) {
    const td = performance.now();
    const frames = await next;
    const decodeWait = performance.now() - td;
    const tStart = performance.now();
    if (PIPELINE && i + 1 < CLIPS) next = decode(i + 1);
    const timings: Record<string, number> = {};
    const faces = await trackFaces(faceModels, frames, { allowNoFace: true, timings, detectEvery: DETECT_EVERY });
    let t = performance.now();
    const crops = frames.map((f, k) => alignedCrop(f, faces[k]));
    for (const f of faces) renderLandmarks(f, 224);
    stages['crops+render'].push(performance.now() - t);
    t = performance.now();
    parse?.(faces);
    stages.parsing.push(parse ? performance.now() - t : NaN);
    t = performance.now();
    await expressionScores(classifier, crops, faces);
    stages.expression.push(performance.now() - t);
    stages.detect.push(timings.detect);
    stages.mesh.push(timings.mesh);
    if (!PIPELINE && i + 1 < CLIPS) {
      const tdn = performance.now();
      next = decode(i + 1);
      await next;
      stages.decode.push(performance.now() - tdn);
    } else {
      stages.decode.push(decodeWait);
    }
    stages.total.push(performance.now() - tStart + decodeWait);
    facesFound += faces.filter((f) => f.source !== 'none').length;
    framesSeen += frames.length;
  }
  const wall = performance.now() - t0;
  const modelMs = [...modelRunStats.values()].reduce((a, s) => a + s.ms, 0);

  console.log(`frontend bench: ${CLIPS} clips x 16 frames, decode = ${decodeName}, pipeline = ${PIPELINE}, detectEvery = ${DETECT_EVERY}, parsing = ${parse ? 'parseFromMesh' : 'absent'}`);
  console.log(`model load (convert or cache read + sessions): ${loadMs.toFixed(0)} ms; faces found in ${facesFound}/${framesSeen} frames`);
  console.log('');
  console.log('| stage | median ms / clip | mean ms / clip |');
  console.log('|---|---|---|');
  for (const [k, xs] of Object.entries(stages)) {
    const ok = xs.filter((x) => !Number.isNaN(x));
    if (ok.length === 0) { console.log(`| ${k} | n/a | n/a |`); continue; }
    const label = k === 'decode' && PIPELINE ? 'decode (wait, overlapped)' : k;
    console.log(`| ${label} | ${median(ok).toFixed(1)} | ${(ok.reduce((a, b) => a + b, 0) / ok.length).toFixed(1)} |`);
  }
  console.log('');
  console.log('| model | calls | ms total | ms / clip |');
  console.log('|---|---|---|---|');
  for (const [k, s] of modelRunStats) console.log(`| ${k} | ${s.calls} | ${s.ms.toFixed(0)} | ${(s.ms / CLIPS).toFixed(1)} |`);
  console.log('');
  console.log(`clips/s: ${(CLIPS / (wall / 1000)).toFixed(2)}  (wall ${(wall / 1000).toFixed(1)} s)`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(`time outside onnxruntime: ${(100 * (1 - modelMs / wall)).toFixed(1)} % of wall`);
  console.log(`machine: ${(await import('node:os')).cpus().length} CPUs, 1-min load average ${load0.toFixed(1)} at start, ${(await import('node:os')).loadavg()[0].toFixed(1)} at end`);
  await store.dispose();
}

await main();
