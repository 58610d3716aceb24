/**
 * The per-clip warp work of the front end, warp by warp, at the real sizes: 16 frames of one clip
 * (readClip), the maps of the clip's real detections. CPU-ms per clip (this process's CPU time),
 * the median of the repeats.
 *
 * `--baseline DIR` times a second implementation in the same process, interleaved with this tree's
 * round by round: DIR holds core/models/image-warp.ts and core/models/wasm/ of another commit, e.g.
 *
 *   mkdir -p /tmp/base && git archive 4d3b656 core/models/image-warp.ts core/models/wasm | tar -x -C /tmp/base
 *   npx tsx bench/faces/warps.bench.ts [--video PATH] [--repeats 40] [--baseline /tmp/base]
 *
 * and reports whether the two wrote the same bytes.
 */
import path from 'node:path';
import { readClip } from '../../core/media/read-clip.ts';
import { OnnxSessionStore } from '../../core/models/index.ts';
import * as here from '../../core/models/image-warp.ts';
import type { Affine } from '../../core/models/image-warp.ts';
import type { Frame } from '../../core/types.ts';
import { alignmentMap } from '../../plugins/landmarks/src/aligned-crop.ts';
import { BLAZEFACE_SIZE } from '../../plugins/landmarks/src/blazeface-decode.ts';
import { FaceModels, MESH_SIZE, rotatedBoxMap } from '../../plugins/landmarks/src/face-models.ts';
import { trackFaces } from '../../plugins/landmarks/src/track-faces.ts';
import { median, printTable } from '../lib/table.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const VIDEO = path.resolve(arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi')));
const REPEATS = Number(arg('repeats', '40'));
const BASELINE = args.includes('--baseline') ? path.resolve(arg('baseline', '')) : null;

type Warps = Pick<typeof here, 'warpToFloat' | 'warpToFrame' | 'rectToAffine'>;
const impls: [string, Warps][] = [['this tree', here]];
if (BASELINE) impls.push([`baseline`, await import(path.join(BASELINE, 'core/models/image-warp.ts')) as Warps]);

const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
const models = await FaceModels.load(store);
const { frames } = await readClip(VIDEO, { frames: 16 });
const faces = await trackFaces(models, frames, { allowNoFace: true });
await store.dispose();

// The maps the pipeline uses: the detector's letterbox, the mesh's rotated box, the aligned crop
// (alignedCrop's centre square where a frame has no face).
const S = BLAZEFACE_SIZE, M = MESH_SIZE, C = 224;
const letterbox = (f: Frame) => {
  const side = Math.max(f.width, f.height), ox = (side - f.width) / 2, oy = (side - f.height) / 2;
  return here.rectToAffine([-ox, -oy, side - ox, side - oy], S, S);
};
const centre = (f: Frame): Affine => {
  const side = Math.min(f.width, f.height), s = side / C;
  return [s, 0, (f.width - side) / 2, 0, s, (f.height - side) / 2];
};
const detectorMaps = frames.map(letterbox);
const meshMaps = faces.flatMap((f, t) => (f.box ? [[t, rotatedBoxMap(f.box, 0.1, M)] as const] : []));
const cropMaps = frames.map((f, t) => alignmentMap(faces[t], C) ?? centre(f));
const crops = frames.map((f, t) => here.warpToFrame(f, cropMaps[t], C, C));

// The outputs, allocated once as the pipeline's InputBuffers keeps them; one set per implementation.
const outputs = impls.map(() => ({
  detector: new Float32Array(16 * S * S * 3), mesh: new Float32Array(16 * M * M * 3),
  crops: [] as Uint8Array[], fer: new Float32Array(16 * 64 * 64), faceApi: new Float32Array(16 * 112 * 112 * 3),
}));
type Out = (typeof outputs)[number];
const items: [string, (w: Warps, o: Out) => void][] = [
  [`detector input: 16 letterboxed ${S}x${S}, axis-aligned`, (w, o) => frames.forEach((f, i) =>
    w.warpToFloat(f, detectorMaps[i], S, S, o.detector, i * S * S * 3, { scale: 1 / 127.5, bias: -1 }))],
  [`mesh input: ${meshMaps.length} rotated ${M}x${M}`, (w, o) => meshMaps.forEach(([t, m], i) =>
    w.warpToFloat(frames[t], m, M, M, o.mesh, i * M * M * 3, { scale: 1 / 255 }))],
  [`aligned crops: 16 rotated ${C}x${C} RGB bytes`, (w, o) => { o.crops = frames.map((f, t) => w.warpToFrame(f, cropMaps[t], C, C).rgb); }],
  ['FER2013 input: 16 64x64 gray from the crops', (w, o) => crops.forEach((c, i) =>
    w.warpToFloat(c, w.rectToAffine([0, 0, C, C], 64, 64), 64, 64, o.fer, i * 64 * 64, { channels: 1, scale: 2 / 255, bias: -1 }))],
  ['face-api input: 16 112x112 RGB from the crops', (w, o) => crops.forEach((c, i) =>
    w.warpToFloat(c, w.rectToAffine([0, 0, C, C], 112, 112), 112, 112, o.faceApi, i * 112 * 112 * 3))],
];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU-ms of one clip's `work` per implementation, the implementations taking turns each repeat. */
function timed(work: (w: Warps, o: Out) => void): number[][] {
  const times = impls.map(() => [] as number[]);
  for (let r = -3; r < REPEATS; r++) {
    impls.forEach(([, w], i) => {
      const c0 = cpuMs();
      work(w, outputs[i]);
      if (r >= 0) times[i].push(cpuMs() - c0);
    });
  }
  return times;
}

const totals = impls.map(() => new Array<number>(REPEATS).fill(0));
const rows = items.map(([name, work]) => {
  const times = timed(work);
  times.forEach((t, i) => t.forEach((ms, r) => { totals[i][r] += ms; }));
  return [name, ...times.map((t) => median(t).toFixed(2))];
});
rows.push(['all warps of a clip (sum of the items per repeat)', ...totals.map((t) => median(t).toFixed(2))]);
if (BASELINE) {
  for (const row of rows) row.push((Number(row[2]) / Number(row[1])).toFixed(2));
  const bytes = (o: Out) => [o.detector, o.mesh, ...o.crops, o.fer, o.faceApi].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const [a, b] = outputs.map(bytes);
  const same = a.length === b.length && a.every((x, i) => x.equals(b[i]));
  console.log(`outputs of this tree and the baseline: ${same ? 'identical bytes' : 'DIFFER'}`);
}
console.log(`warps per clip (16 frames of ${path.basename(VIDEO)}, ${meshMaps.length} with a face), CPU-ms, median of ${REPEATS}` +
  (BASELINE ? `, interleaved with the baseline ${BASELINE}` : ''));
printTable(['item', ...impls.map(([name]) => `${name} CPU-ms`), ...(BASELINE ? ['baseline / this tree'] : [])], rows);
