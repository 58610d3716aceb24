/**
 * Parity of the converter: each face model runs in TensorFlow.js (wasm backend, the original
 * graph) and as converted ONNX in onnxruntime-node on the same inputs. Requirement (issue 3):
 * max |diff| <= 1e-3 of the output's range, for every output tensor.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import onnxProto from 'onnx-proto';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFile } from 'node:fs/promises';
import { FACE_MODEL_NAMES, type FaceModelName, faceModelJsonPath, faceModelOnnx, humanModelsDir } from '../face-model-sources.ts';
import { ModelCache } from '../model-cache.ts';
import { readTfjsGraphModel } from '../tfjs-graph.ts';
import { convertTfjsToOnnx } from '../tfjs-to-onnx.ts';
import { nchwcChannelBlock } from '../nchwc-block.ts';

const shared = resolve(import.meta.dirname, '../../../../shared');
const astronautPath = join(shared, 'data/faces/astronaut.png');

/** Loads a TFJS graph model from disk without any network (tfjs has no file:// handler). */
async function loadTfjs(jsonPath: string): Promise<GraphModel> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8'));
  const shards = [];
  for (const group of json.weightsManifest) for (const p of group.paths) shards.push(await readFile(join(dirname(jsonPath), p)));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      userDefinedMetadata: json.userDefinedMetadata,
      signature: json.signature ?? json.userDefinedMetadata?.signature,
    }),
  });
}

/** A smooth deterministic pattern in [lo, hi], shaped like the model input. */
function pattern(shape: number[], lo: number, hi: number, phase = 0): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + ((Math.sin(i * 0.0137 + phase) * Math.cos(i * 0.00071) + 1) / 2) * (hi - lo);
  return out;
}

/** astronaut.png resized to size x size, channels 3 or gray 1, mapped to [lo, hi]. */
async function astronaut(size: number, channels: 1 | 3, lo: number, hi: number): Promise<Float32Array> {
  let img = sharp(astronautPath).removeAlpha().resize(size, size, { fit: 'fill' });
  if (channels === 1) img = img.grayscale();
  const raw = await img.raw().toBuffer();
  return Float32Array.from(raw, (v) => lo + (v / 255) * (hi - lo));
}

/** Model input spec and value range as used by the pre-processing in environment.md section 1. */
const INPUTS: Record<FaceModelName | 'faceres', { size: number; channels: 1 | 3; lo: number; hi: number }> = {
  blazeface: { size: 256, channels: 3, lo: -1, hi: 1 },
  facemesh: { size: 192, channels: 3, lo: 0, hi: 1 },
  emotion: { size: 64, channels: 1, lo: -1, hi: 1 },
  iris: { size: 64, channels: 3, lo: 0, hi: 1 },
  // Not used by Visage; converted here because it exercises the other ops (Conv2D, Mul,
  // Maximum/Minimum as ReLU6, _FusedMatMul, Sigmoid) and a listed output that feeds other nodes.
  faceres: { size: 224, channels: 3, lo: 0, hi: 1 },
};

let cacheDir: string;
beforeAll(async () => {
  setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await tf.setBackend('wasm');
  await tf.ready();
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-models-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('TFJS -> ONNX parity with TensorFlow.js (wasm)', () => {
  it('finds ../shared/data/faces (required in CI)', () => {
    if (process.env.CI === 'true') expect(existsSync(astronautPath), `missing ${astronautPath}`).toBe(true);
  });

  for (const name of [...FACE_MODEL_NAMES, 'faceres' as const]) {
    it(`${name}: every output within 1e-3 of its range`, async () => {
      const jsonPath = name === 'faceres' ? join(humanModelsDir(), 'faceres.json') : faceModelJsonPath(name);
      const source = await readTfjsGraphModel(jsonPath);
      // channelBlock 16 (AVX-512's): the zero channels appended to blazeface's 24 are checked on every CPU.
      const converted = convertTfjsToOnnx(source, { modelName: name, channelBlock: 16 });
      const session = await ort.InferenceSession.create(converted.bytes);
      const tfModel = await loadTfjs(jsonPath);
      const { size, channels, lo, hi } = INPUTS[name];
      const shape = [1, size, size, channels];
      const inputs = [pattern(shape, lo, hi)];
      if (existsSync(astronautPath)) inputs.push(await astronaut(size, channels, lo, hi));

      for (const x of inputs) {
        const feeds = { [converted.inputs[0].name]: new ort.Tensor('float32', x, shape) };
        const ours = await session.run(feeds);
        // Ask tfjs for the same tensors, by the TF names the signature maps our outputs to.
        const sig = source.signature!.outputs;
        const tfNames = converted.outputs.map((o) => sig.find((s) => s.key.replace(/:0$/, '') === o)!.tensorName);
        const input = tf.tensor(x, shape);
        const res = tfModel.execute(input, tfNames);
        const ref = Array.isArray(res) ? res : [res];
        for (let k = 0; k < converted.outputs.length; k++) {
          const want = ref[k].dataSync() as Float32Array;
          const got = ours[converted.outputs[k]].data as Float32Array;
          expect(got.length).toBe(want.length);
          let lo2 = Infinity, hi2 = -Infinity, maxDiff = 0;
          for (let i = 0; i < want.length; i++) {
            lo2 = Math.min(lo2, want[i]);
            hi2 = Math.max(hi2, want[i]);
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
          }
          // A one-value output (facemesh's face flag) has no spread: use its magnitude instead.
          const range = Math.max(hi2 - lo2, Math.abs(lo2), Math.abs(hi2));
          if (process.env.VISAGE_PARITY_LOG) console.log(`parity ${name}/${converted.outputs[k]}: max|diff| ${maxDiff.toExponential(2)}, range ${range.toFixed(3)}`);
          expect(maxDiff, `${name}/${converted.outputs[k]}: diff ${maxDiff} vs range ${range}`).toBeLessThanOrEqual(1e-3 * range);
        }
        tf.dispose([input, ...ref]);
      }
      tfModel.dispose();
      await session.release();
    });
  }

  it('batched ONNX facemesh equals per-sample runs (dynamic batch)', async () => {
    const { bytes } = await faceModelOnnx('facemesh', new ModelCache(cacheDir));
    const session = await ort.InferenceSession.create(bytes);
    const shape = [1, 192, 192, 3];
    const a = pattern(shape, 0, 1, 0);
    const b = pattern(shape, 0, 1, 1.7);
    const both = new Float32Array(a.length * 2);
    both.set(a);
    both.set(b, a.length);
    const batch = await session.run({ input_1: new ort.Tensor('float32', both, [2, 192, 192, 3]) });
    const one = await session.run({ input_1: new ort.Tensor('float32', b, shape) });
    const mesh2 = batch.output_mesh.data as Float32Array;
    const mesh1 = one.output_mesh.data as Float32Array;
    for (let i = 0; i < 1404; i += 37) expect(mesh2[1404 + i]).toBeCloseTo(mesh1[i], 3);
  });

  it('caches the .onnx keyed by the source hash and reuses it', async () => {
    const cache = new ModelCache(cacheDir);
    const first = await faceModelOnnx('emotion', cache);
    const second = await faceModelOnnx('emotion', cache);
    expect(second.cacheHit).toBe(true);
    expect(second.path).toBe(first.path);
    expect(first.path).toContain(first.sourceSha256.slice(0, 16));
    expect(Buffer.compare(Buffer.from(first.bytes), Buffer.from(second.bytes))).toBe(0);
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

/** Node list of a serialized ONNX model. */
function nodesOf(bytes: Uint8Array) {
  return onnxProto.onnx.ModelProto.decode(bytes).graph!.node!.map((n) => ({ op: n.opType!, inputs: n.input!, outputs: n.output! }));
}

describe('layout: NCHW between convolutions (converter version 2)', () => {
  // Ops that need TF's axis meaning, so their input is transposed back to NHWC (and graph outputs).
  const NHWC_READERS = new Set(['Reshape', 'ReduceMean', 'Softmax', 'Concat', 'MatMul', 'Identity']);

  for (const name of FACE_MODEL_NAMES) {
    it(`${name}: outputs equal the NHWC-wrapped graph's (version 1) within float rounding`, async () => {
      const source = await readTfjsGraphModel(faceModelJsonPath(name));
      const nchw = convertTfjsToOnnx(source, { modelName: name, channelBlock: 16 });
      const nhwc = convertTfjsToOnnx(source, { modelName: name, layout: 'nhwc' });
      const { size, channels, lo, hi } = INPUTS[name];
      const one = size * size * channels;
      const x = new Float32Array(2 * one);
      x.set(existsSync(astronautPath) ? await astronaut(size, channels, lo, hi) : pattern([1, size, size, channels], lo, hi, 0.5));
      x.set(pattern([1, size, size, channels], lo, hi), one);
      const feeds = { [nchw.inputs[0].name]: new ort.Tensor('float32', x, [2, size, size, channels]) };
      const [a, b] = await Promise.all([nchw, nhwc].map(async (c) => (await ort.InferenceSession.create(c.bytes)).run(feeds)));
      expect(nchw.outputs).toEqual(nhwc.outputs);
      for (const o of nchw.outputs) {
        const got = a[o].data as Float32Array;
        const want = b[o].data as Float32Array;
        expect(a[o].dims).toEqual(b[o].dims);
        let maxDiff = 0, magnitude = 0;
        for (let i = 0; i < want.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
          magnitude = Math.max(magnitude, Math.abs(want[i]));
        }
        // Rounding only: the fused sums and PRelu-as-convs reorder float additions (measured <= 6e-7 of
        // the magnitude; a probability near 0, facemesh's face flag on a non-face, gets 1e-5 absolute).
        expect(maxDiff, `${name}/${o}: diff ${maxDiff} vs magnitude ${magnitude}`).toBeLessThanOrEqual(1e-5 * Math.max(magnitude, 1));
      }
    });

    it(`${name}: transposes only at the input and before ops that need NHWC; no PRelu or channel Pad left`, async () => {
      const source = await readTfjsGraphModel(faceModelJsonPath(name));
      const converted = convertTfjsToOnnx(source, { modelName: name, channelBlock: nchwcChannelBlock() });
      const nodes = nodesOf(converted.bytes);
      const readers = (value: string) => nodes.filter((n) => n.inputs.includes(value)).map((n) => n.op);
      for (const t of nodes.filter((n) => n.op === 'Transpose')) {
        const fromInput = t.inputs[0] === converted.inputs[0].name;
        const toNhwcReaders = readers(t.outputs[0]).every((op) => NHWC_READERS.has(op));
        expect(fromInput || toNhwcReaders, `Transpose of ${t.inputs[0]} feeds ${readers(t.outputs[0]).join(', ')}`).toBe(true);
      }
      // onnxruntime's NCHWc transformer blocks neither: they cost a reorder pair each (PRelu also ran
      // unvectorised: 60% of facemesh's time).
      expect(nodes.filter((n) => n.op === 'PRelu' || n.op === 'Pad')).toEqual([]);
      // onnxruntime's x64 NCHWc transformer keeps every conv and pool blocked with this CPU's channel
      // block: nothing is reordered into the blocked layout after the input's first conv. (Other
      // CPUs have no NCHWc: no reorders.)
      const optimized = join(cacheDir, `${name}-optimized.onnx`);
      await ort.InferenceSession.create(converted.bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized, logSeverityLevel: 3 });
      const ran = nodesOf(await readFile(optimized));
      expect(ran.filter((n) => n.op === 'ReorderInput').length, `${name}: ReorderInput nodes in onnxruntime's graph`).toBe(0);
      // The 'nhwc' reference really is the other layout: a Transpose pair around every conv.
      const reference = nodesOf(convertTfjsToOnnx(source, { modelName: name, layout: 'nhwc' }).bytes);
      const convs = reference.filter((n) => n.op === 'Conv').length;
      expect(reference.filter((n) => n.op === 'Transpose').length).toBeGreaterThanOrEqual(convs);
    });
  }
});

describe('nchwcChannelBlock', () => {
  it('is 16 on an x64 CPU with AVX-512, else 0', () => {
    const cpu = (flags: string) => `processor\t: 0\nflags\t\t: fpu sse2 ${flags}\nbugs\t\t: spectre\n`;
    expect(nchwcChannelBlock(cpu('avx2 fma'))).toBe(0);
    expect(nchwcChannelBlock('')).toBe(0);
    expect(nchwcChannelBlock(cpu('avx2 avx512f avx512bw'))).toBe(process.arch === 'x64' ? 16 : 0);
  });
});
