/**
 * Parity of the face-api expression model written as ONNX against face-api's own code: its
 * FaceExpressionNet (the npm package's node build) runs on TensorFlow.js (cpu backend) with the same
 * weights and the same inputs. Requirement as for the human models: max |diff| <= 1e-3 of the range.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { FACE_API_EXPRESSION_LABELS, FACE_API_EXPRESSION_SIZE, faceApiModelsDir, faceExpressionNetOnnx } from '../face-expression-net.ts';
import { ModelCache } from '../model-cache.ts';

const require = createRequire(import.meta.url);
const astronautPath = join(resolve(import.meta.dirname, '../../../../shared'), 'data/faces/astronaut.png');
const S = FACE_API_EXPRESSION_SIZE;

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * face-api's node build requires the umbrella package `@tensorflow/tfjs`, which Visage does not
 * install; tfjs-core plus the cpu backend is the same engine once the chained tensor methods the
 * umbrella package registers (`x.as2D(...)`, `x.relu()`, ...) are added. Loaded once, CJS only, so
 * face-api and this test share one tfjs engine.
 */
function loadFaceApi(): { faceapi: any; tf: any } {
  const loader = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const proto = tf.Tensor.prototype;
  for (const [name, fn] of Object.entries(tf)) {
    if (typeof fn === 'function' && !(name in proto)) proto[name] = function (this: unknown, ...a: unknown[]) { return (fn as any)(this, ...a); };
  }
  for (const rank of [1, 2, 3, 4, 5]) proto[`as${rank}D`] = function (this: unknown, ...shape: number[]) { return tf.reshape(this, shape); };
  loader._load = function (req: string, ...rest: unknown[]) {
    return req === '@tensorflow/tfjs' ? tf : original.call(this, req, ...rest);
  };
  try {
    return { faceapi: require('@vladmandic/face-api/dist/face-api.node-wasm.js'), tf };
  } finally {
    loader._load = original;
  }
}

let cacheDir: string;
let faceapi: any, tf: any, net: any;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-faceapi-'));
  ({ faceapi, tf } = loadFaceApi());
  await tf.setBackend('cpu');
  await tf.ready();
  const dir = faceApiModelsDir();
  const manifest = JSON.parse(await readFile(join(dir, 'face_expression_model-weights_manifest.json'), 'utf8'));
  const bin = await readFile(join(dir, 'face_expression_model.bin'));
  const weightMap = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest.flatMap((g: { weights: unknown[] }) => g.weights));
  net = new faceapi.FaceExpressionNet();
  net.loadFromWeightMap(weightMap);
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** A smooth deterministic RGB pattern in 0..255. */
function pattern(n: number, phase: number): Float32Array {
  const out = new Float32Array(n * S * S * 3);
  for (let i = 0; i < out.length; i++) out[i] = ((Math.sin(i * 0.0137 + phase) * Math.cos(i * 0.00071) + 1) / 2) * 255;
  return out;
}

describe('face-api FaceExpressionNet as ONNX', () => {
  it('labels are face-api\'s own order', () => {
    expect([...FACE_API_EXPRESSION_LABELS]).toEqual([...faceapi.FACE_EXPRESSION_LABELS]);
  });

  it('matches face-api on TensorFlow.js within 1e-3 of the output range (pattern and a real face, batched)', async () => {
    const { bytes } = await faceExpressionNetOnnx(new ModelCache(cacheDir));
    const session = await ort.InferenceSession.create(bytes);
    const inputs = [pattern(1, 0), pattern(2, 1.3)];
    if (existsSync(astronautPath)) {
      const raw = await sharp(astronautPath).removeAlpha().extract({ left: 150, top: 40, width: 200, height: 200 }).resize(S, S, { fit: 'fill' }).raw().toBuffer();
      inputs.push(Float32Array.from(raw));
    } else if (process.env.CI === 'true') {
      throw new Error(`missing ${astronautPath}`);
    }
    for (const x of inputs) {
      const n = x.length / (S * S * 3);
      const ours = (await session.run({ input: new ort.Tensor('float32', x, [n, S, S, 3]) })).probabilities.data as Float32Array;
      // face-api takes a batch as an array of [H, W, 3] tensors.
      const images = Array.from({ length: n }, (_, i) => tf.tensor3d(x.subarray(i * S * S * 3, (i + 1) * S * S * 3), [S, S, 3]));
      const theirs = await net.predictExpressions(n === 1 ? images[0] : images);
      tf.dispose(images);
      const want = (n === 1 ? [theirs] : theirs).flatMap((e: Record<string, number>) => FACE_API_EXPRESSION_LABELS.map((l) => e[l]));
      expect(ours.length).toBe(want.length);
      let maxDiff = 0, lo = Infinity, hi = -Infinity;
      want.forEach((v: number, i: number) => { maxDiff = Math.max(maxDiff, Math.abs(ours[i] - v)); lo = Math.min(lo, v); hi = Math.max(hi, v); });
      if (process.env.VISAGE_PARITY_LOG) console.log(`parity face-api expression (batch ${n}): max|diff| ${maxDiff.toExponential(2)}, range ${(hi - lo).toFixed(3)}`);
      expect(maxDiff).toBeLessThanOrEqual(1e-3 * (hi - lo));
    }
    await session.release();
  });

  it('onnxruntime fuses every dense-block sum into a conv (x64 NCHWc; other CPUs have no blocked convs)', async () => {
    const { bytes } = await faceExpressionNetOnnx(new ModelCache(cacheDir));
    const optimized = join(cacheDir, 'face-api-expression-optimized.onnx');
    await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized, logSeverityLevel: 3 });
    const ops = onnxProto.onnx.ModelProto.decode(await readFile(optimized)).graph!.node!.map((n) => `${n.domain ?? ''}:${n.opType}`);
    if (!ops.some((op) => op.includes('nchwc'))) return;
    // Each running sum reads a conv output nothing else reads, so it runs inside that conv.
    expect(ops.filter((op) => op.endsWith(':Add'))).toEqual([]);
  });

  it('caches the .onnx keyed by the weights\' sha256 and reuses it', async () => {
    const cache = new ModelCache(cacheDir);
    const first = await faceExpressionNetOnnx(cache);
    const second = await faceExpressionNetOnnx(cache);
    expect(second.cacheHit).toBe(true);
    expect(second.path).toBe(first.path);
    expect(first.path).toContain(first.sourceSha256.slice(0, 16));
    expect(Buffer.compare(Buffer.from(first.bytes), Buffer.from(second.bytes))).toBe(0);
  });
});
