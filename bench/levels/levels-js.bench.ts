/**
 * The levels' own JS on the main thread, before and after issue 14's work on it: each function
 * that changed, timed on one real clip's inputs (16 frames of Megamind.avi through the real
 * landmarks level and detector), the previous implementation (plugins/<level>/test/reference-*.ts)
 * and the current one taking turns. CPU-ms per clip: the median over rounds of the mean of
 * `--clips` clips' worth of calls.
 *
 *   npm run bench:levels -- [--video PATH] [--rounds 15] [--clips 10]
 */
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readClip } from '../../core/media/read-clip.ts';
import { type Affine, OnnxSessionStore, rectToAffine, warpToFloat } from '../../core/models/index.ts';
import { alignmentMap, toCropSpace } from '../../plugins/landmarks/src/aligned-crop.ts';
import { meshTo68 } from '../../plugins/landmarks/src/landmarks-68.ts';
import { BLAZEFACE_SIZE, blazefaceOutputs, decodeBlazeface, generateAnchors } from '../../plugins/landmarks/src/blazeface-decode.ts';
import { FaceModels, MESH_SIZE, meshToFrame, rotatedBoxMap } from '../../plugins/landmarks/src/face-models.ts';
import { trackFaces } from '../../plugins/landmarks/src/track-faces.ts';
import { referenceAssembleRows, referenceDecodeRows, referenceMeshToFrame, referenceToCropSpace } from '../../plugins/landmarks/test/reference-face-models.ts';
import { meshToCrop } from '../../plugins/parsing/src/aligned-crop.ts';
import { emptyParsingMap, PARSING_LABEL, type ParsingMap } from '../../plugins/parsing/src/classes.ts';
import { MESH_REGION_ORDER } from '../../plugins/parsing/src/mesh-regions.ts';
import { classArea } from '../../plugins/parsing/src/parsing-stats.ts';
import { fillPolygon } from '../../plugins/parsing/src/rasterize.ts';
import { referenceClassArea, referenceFillPolygon } from '../../plugins/parsing/test/reference-parsing.ts';
import { median, printTable } from '../lib/table.ts';
import { selfCpuSeconds } from '../frontend/cpu-seconds.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const VIDEO = path.resolve(arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi')));
const ROUNDS = Number(arg('rounds', '15'));
const CLIPS = Number(arg('clips', '10'));

// ---- one clip's real inputs ----
const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
const models = await FaceModels.load(store);
const { frames } = await readClip(VIDEO, { frames: 16 });
const faces = await trackFaces(models, frames, { allowNoFace: true });
const withFace = faces.filter((f) => f.mesh && f.box);
const cropPoints = withFace.map((f) => meshToCrop(f.mesh!, alignmentMap(f, 224)!));
const points68 = withFace.map((f) => ({ points: meshTo68(f.mesh!), map: alignmentMap(f, 224)! }));

// The detector's raw outputs for the clip, in the level's calls of 2 frames.
const S = BLAZEFACE_SIZE;
const detector = await store.faceModel('blazeface');
const detectorCalls: { dims: readonly number[]; data: Float32Array }[][] = [];
for (let start = 0; start < frames.length; start += 2) {
  const input = new Float32Array(2 * S * S * 3);
  frames.slice(start, start + 2).forEach((f, i) => {
    const side = Math.max(f.width, f.height), ox = (side - f.width) / 2, oy = (side - f.height) / 2;
    warpToFloat(f, rectToAffine([-ox, -oy, side - ox, side - oy], S, S), S, S, input, i * S * S * 3, { scale: 1 / 127.5, bias: -1 });
  });
  const out = await detector.run({ [detector.inputNames[0]]: new ort.Tensor('float32', input, [2, S, S, 3]) });
  detectorCalls.push(Object.values(out).map((t) => ({ dims: t.dims, data: t.data as Float32Array })));
}
const anchors = generateAnchors();

// FaceMesh's raw output for the clip's faces (one call; meshToFrame reads face k of it).
const M = MESH_SIZE;
const meshModel = await store.faceModel('facemesh');
const meshMaps: Affine[] = withFace.map((f) => rotatedBoxMap(f.box!, 0.1, M));
const meshInput = new Float32Array(meshMaps.length * M * M * 3);
meshMaps.forEach((m, i) => warpToFloat(frames[i], m, M, M, meshInput, i * M * M * 3, { scale: 1 / 255 }));
const meshOut = (await meshModel.run({ [meshModel.inputNames[0]]: new ort.Tensor('float32', meshInput, [meshMaps.length, M, M, 3]) })).output_mesh.data as Float32Array;

const maps: ParsingMap[] = cropPoints.map((points) => {
  const map = emptyParsingMap(224);
  for (const r of MESH_REGION_ORDER) fillPolygon(map.labels, 224, points, r.polygon, PARSING_LABEL[r.label]);
  return map;
});

type Fill = typeof fillPolygon;
/** The parsing level's fills for the clip: a fresh map per face, every region in order. */
const parseClip = (fill: Fill) => {
  for (const points of cropPoints) {
    const map = emptyParsingMap(224);
    for (const r of MESH_REGION_ORDER) fill(map.labels, 224, points, r.polygon, PARSING_LABEL[r.label]);
  }
};

// ---- the items: [name, before, after], each one clip's worth of calls ----
const items: [string, () => unknown, () => unknown][] = [
  ['parsing: 16 maps, 9 regions filled (fillPolygon)', () => parseClip(referenceFillPolygon), () => parseClip(fillPolygon)],
  ['parsing: skin area of 16 maps (classArea)', () => maps.map((m) => referenceClassArea(m, 'skin')), () => maps.map((m) => classArea(m, 'skin'))],
  ['landmarks: detector outputs of 16 frames, 8 calls (assembleRows + decodeBlazeface)', () => {
    for (const call of detectorCalls) for (const rows of referenceAssembleRows(call, 2)) referenceDecodeRows(rows, anchors);
  }, () => {
    for (const call of detectorCalls) {
      const outputs = blazefaceOutputs(call);
      for (let b = 0; b < 2; b++) decodeBlazeface(outputs, b, anchors);
    }
  }],
  ['landmarks: 16 meshes to frame pixels (meshToFrame)', () => meshMaps.map((m, k) => referenceMeshToFrame(meshOut, k, m)), () => meshMaps.map((m, k) => meshToFrame(meshOut, k, m))],
  ['landmarks: 16 x 68 points into the crop (toCropSpace)', () => points68.map((p) => referenceToCropSpace(p.points, p.map)), () => points68.map((p) => toCropSpace(p.points, p.map))],
];

/** CPU-ms per clip of `work`: the mean over CLIPS calls. */
function cpuMsPerClip(work: () => unknown): number {
  const c0 = selfCpuSeconds();
  for (let i = 0; i < CLIPS; i++) work();
  return ((selfCpuSeconds() - c0) * 1000) / CLIPS;
}

const rows: string[][] = [];
let totalBefore = 0, totalAfter = 0;
for (const [name, before, after] of items) {
  for (let i = 0; i < 20; i++) { before(); after(); } // JIT warm-up of both
  const b: number[] = [], a: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(cpuMsPerClip(before));
    a.push(cpuMsPerClip(after));
  }
  const mb = median(b), ma = median(a);
  totalBefore += mb;
  totalAfter += ma;
  rows.push([name, mb.toFixed(3), ma.toFixed(3), (mb / ma).toFixed(1) + 'x']);
}
rows.push(['total', totalBefore.toFixed(3), totalAfter.toFixed(3), (totalBefore / totalAfter).toFixed(1) + 'x']);
const load = os.loadavg()[0].toFixed(2);
console.log(`levels' JS per clip (16 frames of ${path.basename(VIDEO)}, ${withFace.length} with a face), CPU-ms, median of ${ROUNDS} rounds of ${CLIPS} clips, before/after taking turns; node ${process.version}, ${os.cpus().length} cpus, load ${load}`);
printTable(['function', 'before', 'after', 'speed-up'], rows);
await store.dispose();
