/**
 * The front end's plumbing per clip, item by item: the CPU that the embedded preset spends around
 * its model calls (image warps into the model inputs, aligned crops, output decoding, the parsing,
 * action-unit and description levels), each timed alone on one real clip's frames and faces, with
 * the models run once beforehand. CPU-ms, so other load on the machine does not move it much.
 * Each item is timed with the exact f64 warps and with the SIMD ones (core/models/image-warp.ts),
 * alternating; `--warp exact|simd` times one of them only.
 *
 *   npx tsx bench/faces/plumbing.bench.ts [--video PATH] [--repeats 20] [--warp exact|simd]
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readClip } from '../../core/media/read-clip.ts';
import { OnnxSessionStore, rectToAffine, warpToFloat } from '../../core/models/index.ts';
import { setWarpPath, type WarpPath } from '../../core/models/image-warp.ts';
import { alignedCrop, alignmentMap, toCropSpace } from '../../plugins/landmarks/src/aligned-crop.ts';
import { BLAZEFACE_SIZE, blazefaceOutputs, decodeBlazeface, generateAnchors } from '../../plugins/landmarks/src/blazeface-decode.ts';
import { FaceModels, MESH_SIZE, rotatedBoxMap } from '../../plugins/landmarks/src/face-models.ts';
import { meshTo68 } from '../../plugins/landmarks/src/landmarks-68.ts';
import { trackFaces } from '../../plugins/landmarks/src/track-faces.ts';
import { emotionInput } from '../../plugins/expression/src/emotion-classifier.ts';
import { faceApiInput } from '../../plugins/expression/src/faceapi-classifier.ts';
import { parseFromMesh } from '../../plugins/parsing/src/parse-from-mesh.ts';
import { classArea } from '../../plugins/parsing/src/parsing-stats.ts';
import { computeActionUnits } from '../../plugins/mllm/src/action-units.ts';
import { prototypeScores } from '../../plugins/mllm/src/emotion-prototypes.ts';
import { describeClip } from '../../plugins/mllm/src/describe-clip.ts';
import { printTable } from '../lib/table.ts';
import { selfCpuSeconds } from '../frontend/cpu-seconds.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const VIDEO = path.resolve(arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi')));
const REPEATS = Number(arg('repeats', '20'));
const PATHS = (args.includes('--warp') ? [arg('warp', 'simd')] : ['exact', 'simd']) as WarpPath[];
const CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
const models = await FaceModels.load(store);
const { frames } = await readClip(VIDEO, { frames: 16 });
const faces = await trackFaces(models, frames, { allowNoFace: true });
const crops = frames.map((f, t) => alignedCrop(f, faces[t]));
const withFace = faces.flatMap((f, t) => (f.box ? [t] : []));

// One detector call's raw outputs (2 frames), for the decoding item.
const S = BLAZEFACE_SIZE;
const detInput = new Float32Array(2 * S * S * 3);
const detSession = await store.faceModel('blazeface');
const detOut = Object.values(await detSession.run({ [detSession.inputNames[0]]: new ort.Tensor('float32', detInput, [2, S, S, 3]) }))
  .map((t) => ({ dims: t.dims, data: t.data as Float32Array }));
const anchors = generateAnchors();

/** CPU-ms per clip of `work` (one clip's worth), the median of REPEATS timings after a warm-up. */
function cpuMs(work: () => unknown): number {
  for (let i = 0; i < 3; i++) work();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const c0 = selfCpuSeconds();
    work();
    times.push((selfCpuSeconds() - c0) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const letterbox = (f: (typeof frames)[number]) => {
  const side = Math.max(f.width, f.height);
  const ox = (side - f.width) / 2, oy = (side - f.height) / 2;
  return rectToAffine([-ox, -oy, side - ox, side - oy], S, S);
};
// The model inputs are allocated once, as InputBuffers keeps them in the pipeline (a fresh 12.6 MB
// array per run cost its page faults to whichever warp wrote it first).
const M = MESH_SIZE;
const detectorInput = new Float32Array(16 * S * S * 3), meshInput = new Float32Array(16 * M * M * 3);
const ferInput = new Float32Array(16 * 64 * 64), faceApiInputs = new Float32Array(16 * 112 * 112 * 3);
const items: [string, () => unknown][] = [
  ['detector input: 16 letterboxed 256x256 warps', () => {
    frames.forEach((f, i) => warpToFloat(f, letterbox(f), S, S, detectorInput, i * S * S * 3, { scale: 1 / 127.5, bias: -1 }));
  }],
  ['detector output: 8 x decode 2 frames', () => {
    for (let k = 0; k < 8; k++) {
      const outputs = blazefaceOutputs(detOut);
      for (let b = 0; b < 2; b++) decodeBlazeface(outputs, b, anchors);
    }
  }],
  ['mesh input: 16 rotated 192x192 warps', () => {
    faces.forEach((f, i) => f.box && warpToFloat(frames[i], rotatedBoxMap(f.box, 0.1, M), M, M, meshInput, i * M * M * 3, { scale: 1 / 255 }));
  }],
  ['aligned crops: 16 rotated 224x224 RGB', () => frames.map((f, t) => alignedCrop(f, faces[t]))],
  ['68 points, crop maps, crop-space points', () => faces.map((f) => {
    const m = alignmentMap(f, 224);
    return f.mesh && m ? toCropSpace(meshTo68(f.mesh), m) : null;
  })],
  ['FER2013 input: 64x64 gray from crops', () => emotionInput(withFace.map((t) => crops[t]), ferInput)],
  ['face-api input: 112x112 RGB from crops', () => faceApiInput(withFace.map((t) => crops[t]), faceApiInputs)],
  ['parsing level: 16 maps from the mesh + skin fraction', () => faces.map((f) => classArea(parseFromMesh(f, 224, alignmentMap(f, 224) ?? undefined), 'skin'))],
  ['action-units level: AUs + prototypes', () => prototypeScores(computeActionUnits(faces), CLASSES)],
  ['description level: AUs + sentences', () => describeClip({ frames, faces })],
];

/** The item's CPU-ms under each warp path, the paths taking turns twice. */
function byPath(work: () => unknown): string[] {
  const times = PATHS.map(() => [] as number[]);
  for (let round = 0; round < 2; round++) {
    PATHS.forEach((p, i) => {
      setWarpPath(p);
      times[i].push(cpuMs(work));
    });
  }
  return times.map((t) => Math.min(...t).toFixed(2));
}

const rows = items.map(([name, work]) => [name, ...byPath(work)]);
console.log(`plumbing per clip (16 frames of ${path.basename(VIDEO)}, ${withFace.length} with a face), CPU-ms, median of ${REPEATS}, the lower of two turns`);
printTable(['item', ...PATHS.map((p) => `${p} warps`)], rows);
await store.dispose();
