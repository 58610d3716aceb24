/**
 * face-api's FaceExpressionNet (npm `@vladmandic/face-api`, MIT; weights `model/face_expression_model*`)
 * written as ONNX from its weights manifest. face-api ships no graph for it, only weights and the
 * TypeScript that runs them (`src/faceFeatureExtractor/FaceFeatureExtractor.ts`, `denseBlock.ts`,
 * `src/faceProcessor/FaceProcessor.ts`), so the graph below follows that source op for op:
 *
 *   x: [N, 112, 112, 3] RGB in 0..255 -> (x - [122.782, 117.001, 104.298]) / 255
 *   -> 4 dense blocks (32, 64, 128, 256 channels), each halving the size: conv0 (a 3x3 stride-2
 *      conv in block 0, a stride-2 separable conv after) + ReLU, then three separable convs whose
 *      inputs are ReLUs of the running sums, output ReLU(out1 + out2 + out3 + out4)
 *   -> 7x7 average pool (7x7 -> 1x1) -> fully connected 256 -> 7 -> softmax.
 *
 * TF 'same' padding puts the odd pixel of a stride-2 conv on an even input at the bottom/right, so
 * the pads are explicit. Outputs in face-api's label order (FACE_API_EXPRESSION_LABELS).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { errors } from '../errors/index.ts';
import { ModelCache } from './model-cache.ts';
import { OnnxGraphBuilder } from './onnx-builder.ts';
import { readTfjsWeights, type TfWeight } from './tfjs-graph.ts';
import { depthwiseToGrouped, hwioToOihw } from './tfjs-weights.ts';

/** face-api's label order of the 7 outputs (`FACE_EXPRESSION_LABELS` in its source). */
export const FACE_API_EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** Input side of the network. */
export const FACE_API_EXPRESSION_SIZE = 112;

/** Bumped whenever the graph written here changes, so cached .onnx files are rebuilt. */
export const FACE_EXPRESSION_NET_VERSION = 2;

const MEAN_RGB = [122.782, 117.001, 104.298];

/** The `model/` folder of the installed `@vladmandic/face-api` package. */
export function faceApiModelsDir(): string {
  // The package's main entry lives in dist/, next to model/.
  return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api')), '..', 'model');
}

/** Builds the ONNX model from decoded face-api weights. */
export function buildFaceExpressionNet(weights: Map<string, TfWeight>): Uint8Array {
  const w = (name: string): TfWeight => {
    const found = weights.get(name);
    if (!found) throw errors.modelConversionFailed('face_expression_model', `weight ${name} is missing from the manifest`);
    return found;
  };
  const g = new OnnxGraphBuilder('face_expression_net');
  const S = FACE_API_EXPRESSION_SIZE;
  g.addInput('input', 'float32', ['batch', S, S, 3]);
  const nchw = g.op('Transpose', ['input'], { perm: [0, 3, 1, 2] });
  const mean = g.addInitializer('mean_rgb', Float32Array.from(MEAN_RGB), [1, 3, 1, 1]);
  const scale = g.addInitializer('inv_255', Float32Array.of(255), []);
  let x = g.op('Div', [g.op('Sub', [nchw, mean]), scale]);

  // Pads [top, left, bottom, right] of TF 'same' for a 3x3 kernel on an even input.
  const samePads = (stride: number) => (stride === 2 ? [0, 0, 1, 1] : [1, 1, 1, 1]);
  const bias = (name: string) => {
    const b = w(name);
    return g.addInitializer(name, b.data as Float32Array, [1, b.shape[0], 1, 1]);
  };
  const conv = (input: string, prefix: string, stride: number) => {
    const k = hwioToOihw(w(`${prefix}/filters`));
    const kernel = g.addInitializer(`${prefix}/filters`, k.data, k.dims);
    return g.op('Add', [g.op('Conv', [input, kernel], { kernel_shape: [3, 3], strides: [stride, stride], pads: samePads(stride) }), bias(`${prefix}/bias`)]);
  };
  const separable = (input: string, prefix: string, stride: number) => {
    const dw = depthwiseToGrouped(w(`${prefix}/depthwise_filter`));
    const dwName = g.addInitializer(`${prefix}/depthwise_filter`, dw.data, dw.dims);
    const depthwise = g.op('Conv', [input, dwName], { kernel_shape: [3, 3], strides: [stride, stride], pads: samePads(stride), group: dw.group });
    const pw = hwioToOihw(w(`${prefix}/pointwise_filter`));
    const pwName = g.addInitializer(`${prefix}/pointwise_filter`, pw.data, pw.dims);
    return g.op('Add', [g.op('Conv', [depthwise, pwName], { kernel_shape: [1, 1] }), bias(`${prefix}/bias`)]);
  };
  const relu = (v: string) => g.op('Relu', [v]);
  const add = (a: string, b: string) => g.op('Add', [a, b]);

  for (let block = 0; block < 4; block++) {
    const p = `dense${block}`;
    const out1 = relu(block === 0 ? conv(x, `${p}/conv0`, 2) : separable(x, `${p}/conv0`, 2));
    // Running sums, each new conv output added last (face-api adds out1 + (out2 + (out3 + ...)):
    // the same sums up to float rounding). A conv output read only by an Add is what onnxruntime's
    // NCHWc transformer fuses into the conv; face-api's order read out2 and out3 three times each.
    const sum2 = add(separable(out1, `${p}/conv1`, 1), out1);
    const sum3 = add(separable(relu(sum2), `${p}/conv2`, 1), sum2);
    x = relu(add(separable(relu(sum3), `${p}/conv3`, 1), sum3));
  }
  const pooled = g.op('AveragePool', [x], { kernel_shape: [7, 7], strides: [2, 2] });
  const flat = g.op('Flatten', [pooled], { axis: 1 });
  const fcW = w('fc/weights');
  const fcB = w('fc/bias');
  const logits = g.op('Add', [
    g.op('MatMul', [flat, g.addInitializer('fc/weights', fcW.data as Float32Array, fcW.shape)]),
    g.addInitializer('fc/bias', fcB.data as Float32Array, fcB.shape),
  ]);
  g.op('Softmax', [logits], { axis: 1 }, 'probabilities');
  g.addOutput('probabilities', 'float32', ['batch', FACE_API_EXPRESSION_LABELS.length]);
  return g.serialize({ docString: 'face-api FaceExpressionNet (@vladmandic/face-api model/face_expression_model), built by Visage' });
}

/** A converted face-api model ready for onnxruntime. */
export interface FaceExpressionNetOnnx {
  path: string;
  bytes: Uint8Array;
  /** sha256 of the weights manifest and its shard. */
  sourceSha256: string;
  cacheHit: boolean;
}

/**
 * The ONNX form of face-api's expression model: built from the weights on the first call and
 * cached, keyed by the weights' sha256 and the builder version.
 */
export async function faceExpressionNetOnnx(cache: ModelCache = new ModelCache(), sourceDir = faceApiModelsDir()): Promise<FaceExpressionNetOnnx> {
  const source = await readTfjsWeights(join(sourceDir, 'face_expression_model-weights_manifest.json'));
  const cached = await cache.getOrBuild('face-api-expression', source.sha256, () => buildFaceExpressionNet(source.weights), `b${FACE_EXPRESSION_NET_VERSION}`);
  return { path: cached.path, bytes: cached.bytes, sourceSha256: source.sha256, cacheHit: cached.hit };
}
