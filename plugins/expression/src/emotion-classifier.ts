/**
 * The embedded expression CNN: oarriaga/face_classification's mini-Xception, trained on FER2013
 * (64x64 grayscale), shipped as @vladmandic/human `models/emotion.json` and run as converted ONNX.
 * Pre-processing as in human `src/gear/emotion.ts`: face crop -> 64x64 bilinear ->
 * gray = 0.2989 R + 0.5870 G + 0.1140 B (in 0..1) -> (gray - 0.5) * 2. The output is already softmax-ed.
 */
import * as ort from 'onnxruntime-node';
import { chunkedCalls, InputBuffers, rectToAffine, warpToFloat, type OnnxSessionStore, runSession } from '@visage/core/models';
import { errors } from '@visage/core';
import type { ClassScores, Frame } from '@visage/core';

/** FER2013 label order of the model's 7 outputs. */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** Model input side. */
export const EMOTION_SIZE = 64;

/** Builds the [N, 64, 64, 1] input from RGB face crops of any size, into `input` when given. */
export function emotionInput(crops: Frame[], input: Float32Array<ArrayBuffer> = new Float32Array(crops.length * EMOTION_SIZE ** 2)): Float32Array<ArrayBuffer> {
  const S = EMOTION_SIZE;
  // A loop, not a closure made per call: V8 drops a dead closure's optimized code at a full GC.
  for (let i = 0; i < crops.length; i++) {
    const c = crops[i];
    if (c.rgb.length !== c.width * c.height * 3) throw errors.badFrame(`crop ${i}: ${c.width}x${c.height} with ${c.rgb.length} bytes`);
    warpToFloat(c, rectToAffine([0, 0, c.width, c.height], S, S), S, S, input, i * S * S, { channels: 1, scale: 2 / 255, bias: -1 });
  }
  return input;
}

/** The FER2013 emotion CNN on onnxruntime-node. */
export class EmotionClassifier {
  private readonly inputs = new InputBuffers();

  private constructor(private readonly session: ort.InferenceSession, private readonly batchSize: number) {}

  /** Loads the model (converted from TFJS and cached on first use) from the store. */
  static async load(store: OnnxSessionStore, opts: { batchSize?: number } = {}): Promise<EmotionClassifier> {
    return new EmotionClassifier(await store.faceModel('emotion'), opts.batchSize ?? 4);
  }

  /**
   * Class probabilities per crop, keyed by FER2013 label. One model call per chunk of `batchSize`
   * crops (default 4: larger batches cost more CPU per crop on onnxruntime's CPU EP).
   */
  async classify(crops: Frame[]): Promise<ClassScores[]> {
    const S = EMOTION_SIZE;
    const perChunk = await chunkedCalls(crops.length, this.batchSize, async (start, end) => {
      const chunk = crops.slice(start, end);
      const r = await this.inputs.with(chunk.length * S * S, (input) => runSession(this.session, 'emotion', {
        [this.session.inputNames[0]]: new ort.Tensor('float32', emotionInput(chunk, input), [chunk.length, S, S, 1]),
      }));
      const probs = r[this.session.outputNames[0]].data as Float32Array;
      // Plain loops, not closures made per chunk: V8 drops a dead closure's optimized code at a
      // full GC, so those were compiled again every few clips.
      const perCrop: ClassScores[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const scores: ClassScores = {};
        for (let k = 0; k < EMOTION_LABELS.length; k++) scores[EMOTION_LABELS[k]] = probs[i * EMOTION_LABELS.length + k];
        perCrop.push(scores);
      }
      return perCrop;
    });
    return perChunk.flat();
  }
}
