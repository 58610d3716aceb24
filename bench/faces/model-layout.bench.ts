/**
 * The face models' own CPU in onnxruntime, A/B in one process: the converter's graph (version 2,
 * NCHW between convs, PRelu and channel pads as convs, this CPU's channel block) against version 1's (`layout: 'nhwc'`, a
 * Transpose pair around every conv), and the worker sessions' memory options (CPU arena on without
 * memory patterns, against arena off as before). One session per variant with the worker sessions'
 * options (one intra-op thread, idle threads sleeping), the pipeline's batch per call, rounds
 * alternating between the variants; CPU-ms per frame (median of the rounds) and minor page faults
 * per call, so other load on the machine moves the figures little. Inputs are the shared face
 * images (../shared/data/faces).
 *
 *   npx tsx bench/faces/model-layout.bench.ts [--rounds 8] [--calls 10]
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { faceModelJsonPath, type FaceModelName } from '../../core/models/face-model-sources.ts';
import { readTfjsGraphModel } from '../../core/models/tfjs-graph.ts';
import { convertTfjsToOnnx } from '../../core/models/tfjs-to-onnx.ts';
import { nchwcChannelBlock } from '../../core/models/nchwc-block.ts';
import { median, printTable } from '../lib/table.ts';
import { selfCpuSeconds } from '../frontend/cpu-seconds.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const ROUNDS = Number(arg('rounds', '8'));
const CALLS = Number(arg('calls', '10'));

/** Input side, channels, and the batch of each call as the landmarks and expression levels chunk a clip. */
const MODELS: [FaceModelName, number, number, number][] = [['blazeface', 256, 3, 2], ['facemesh', 192, 3, 4], ['emotion', 64, 1, 8]];
/** Value range of each model's input (the levels' pre-processing). */
const RANGE: Record<string, [number, number]> = { blazeface: [-1, 1], facemesh: [0, 1], emotion: [-1, 1] };
/** Real face images: timings depend on the values (onnxruntime's PRelu slowed on random input). */
const FACES = path.resolve(import.meta.dirname, '../../../shared/data/faces');
const IMAGES = ['astronaut.png', 'messi5.jpg', 'face_swapped.jpg'].map((f) => path.join(FACES, f));

/** `batch` face images resized to the model input, in its value range, NHWC. */
async function faceBatch(model: string, size: number, channels: number, batch: number): Promise<Float32Array> {
  const [lo, hi] = RANGE[model];
  const out = new Float32Array(batch * size * size * channels);
  for (let b = 0; b < batch; b++) {
    let img = sharp(IMAGES[b % IMAGES.length]).removeAlpha().resize(size, size, { fit: 'fill' });
    if (channels === 1) img = img.grayscale();
    const raw = await img.raw().toBuffer();
    for (let i = 0; i < raw.length; i++) out[b * raw.length + i] = lo + (raw[i] / 255) * (hi - lo);
  }
  return out;
}

const WORKER_OPTIONS = { intraOpNumThreads: 1, graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } } as const;
const ARENA_NO_PATTERNS = { ...WORKER_OPTIONS, enableMemPattern: false };
const NO_ARENA = { ...WORKER_OPTIONS, enableCpuMemArena: false };

interface Variant { name: string; session: ort.InferenceSession; cpuMs: number[]; faults: number }

async function compare(model: FaceModelName, size: number, channels: number, batch: number, variants: [string, Uint8Array, ort.InferenceSession.SessionOptions][]) {
  const vs: Variant[] = [];
  for (const [name, bytes, options] of variants) vs.push({ name, session: await ort.InferenceSession.create(bytes, options), cpuMs: [], faults: 0 });
  const shape = [batch, size, size, channels];
  const x = await faceBatch(model, size, channels, batch);
  const feeds = { [vs[0].session.inputNames[0]]: new ort.Tensor('float32', x, shape) };
  for (const v of vs) for (let i = 0; i < 3; i++) await v.session.run(feeds);
  for (let r = 0; r < ROUNDS; r++) for (const v of vs) {
    const c0 = selfCpuSeconds();
    const f0 = process.resourceUsage().minorPageFault;
    for (let i = 0; i < CALLS; i++) await v.session.run(feeds);
    v.cpuMs.push(((selfCpuSeconds() - c0) * 1000) / CALLS / batch);
    v.faults += process.resourceUsage().minorPageFault - f0;
  }
  for (const v of vs) await v.session.release();
  return vs.map((v) => [`${model} [${shape.join(',')}]`, v.name, median(v.cpuMs).toFixed(2), `${Math.min(...v.cpuMs).toFixed(2)}–${Math.max(...v.cpuMs).toFixed(2)}`, (v.faults / ROUNDS / CALLS).toFixed(0)]);
}

const rows: string[][] = [];
for (const [model, size, channels, batch] of MODELS) {
  const source = await readTfjsGraphModel(faceModelJsonPath(model));
  const v2 = convertTfjsToOnnx(source, { modelName: model, channelBlock: nchwcChannelBlock() }).bytes;
  const v1 = convertTfjsToOnnx(source, { modelName: model, layout: 'nhwc' }).bytes;
  rows.push(...await compare(model, size, channels, batch, [
    ['converter v1, arena off (before)', v1, NO_ARENA],
    ['converter v1, arena without patterns', v1, ARENA_NO_PATTERNS],
    ['converter v2, arena off', v2, NO_ARENA],
    ['converter v2, arena without patterns (now)', v2, ARENA_NO_PATTERNS],
  ]));
}
console.log(`face models in onnxruntime: ${ROUNDS} alternating rounds of ${CALLS} calls, one intra-op thread, load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
printTable(['model [batch shape]', 'graph, session memory', 'CPU-ms per frame (median)', 'range over rounds', 'minor faults per call'], rows);
