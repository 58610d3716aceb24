/**
 * The second expression model: face-api's FaceExpressionNet (vladmandic/face-api, trained
 * independently of the FER2013 CNN), run as ONNX built from its weights. Pre-processing as in
 * face-api `FaceFeatureExtractor.forwardInput`: the face crop resized to 112x112 RGB in 0..255 (the
 * mean subtraction and /255 are inside the graph). Its labels are mapped to Visage's class names.
 */
import * as ort from 'onnxruntime-node';
import { chunkedCalls, FACE_API_EXPRESSION_LABELS, FACE_API_EXPRESSION_SIZE, faceExpressionNetOnnx, InputBuffers, rectToAffine, warpToFloat, type OnnxSessionStore, runSession } from '@visage/core/models';
import { errors } from '@visage/core';
import type { ClassScores, Frame } from '@visage/core';
import { EMOTION_LABELS } from './emotion-classifier.ts';

/** face-api label -> Visage class name (by name, never by index). */
export const FACE_API_TO_VISAGE: Readonly<Record<(typeof FACE_API_EXPRESSION_LABELS)[number], string>> = {
  neutral: 'neutral', happy: 'happy', sad: 'sad', angry: 'angry', fearful: 'fear', disgusted: 'disgust', surprised: 'surprise',
};

/** Builds the [N, 112, 112, 3] input (RGB, 0..255) from face crops of any size, into `input` when given. */
export function faceApiInput(crops: Frame[], input: Float32Array<ArrayBuffer> = new Float32Array(crops.length * FACE_API_EXPRESSION_SIZE ** 2 * 3)): Float32Array<ArrayBuffer> {
  const S = FACE_API_EXPRESSION_SIZE;
  // A loop, not a closure made per call: V8 drops a dead closure's optimized code at a full GC.
  for (let i = 0; i < crops.length; i++) {
    const c = crops[i];
    if (c.rgb.length !== c.width * c.height * 3) throw errors.badFrame(`crop ${i}: ${c.width}x${c.height} with ${c.rgb.length} bytes`);
    warpToFloat(c, rectToAffine([0, 0, c.width, c.height], S, S), S, S, input, i * S * S * 3);
  }
  return input;
}

/** face-api's expression model on onnxruntime-node. */
export class FaceApiExpressionClassifier {
  private readonly inputs = new InputBuffers();

  private constructor(private readonly session: ort.InferenceSession, private readonly batchSize: number) {}

  /** Loads the model (built from face-api's weights and cached on first use) through the store. */
  static async load(store: OnnxSessionStore, opts: { batchSize?: number } = {}): Promise<FaceApiExpressionClassifier> {
    const session = await store.get('face-api:expression', async () => (await faceExpressionNetOnnx(store.cache)).bytes);
    return new FaceApiExpressionClassifier(session, opts.batchSize ?? 4);
  }

  /**
   * Class probabilities per crop, keyed by Visage class name. One model call per chunk of `batchSize`
   * crops (default 4: larger batches cost more CPU per crop on onnxruntime's CPU EP).
   */
  async classify(crops: Frame[]): Promise<ClassScores[]> {
    const S = FACE_API_EXPRESSION_SIZE;
    const K = FACE_API_EXPRESSION_LABELS.length;
    const perChunk = await chunkedCalls(crops.length, this.batchSize, async (start, end) => {
      const chunk = crops.slice(start, end);
      const r = await this.inputs.with(chunk.length * S * S * 3, (input) =>
        runSession(this.session, 'face-api-expression', { input: new ort.Tensor('float32', faceApiInput(chunk, input), [chunk.length, S, S, 3]) }));
      const probs = r.probabilities.data as Float32Array;
      // Plain loops, not closures made per chunk: V8 drops a dead closure's optimized code at a
      // full GC, so those were compiled again every few clips.
      const perCrop: ClassScores[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const byName: ClassScores = {};
        for (let k = 0; k < K; k++) byName[FACE_API_TO_VISAGE[FACE_API_EXPRESSION_LABELS[k]]] = probs[i * K + k];
        // Same key order as the FER2013 level, so rows read alike.
        const scores: ClassScores = {};
        for (const c of EMOTION_LABELS) scores[c] = byName[c];
        perCrop.push(scores);
      }
      return perCrop;
    });
    return perChunk.flat();
  }
}
