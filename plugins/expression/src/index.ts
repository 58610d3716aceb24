/**
 * Two expression levels on the landmarks level's aligned crops, each fused over time: the FER2013
 * CNN (`expression`) and face-api's independently trained model (`faceapi-expression`).
 */
import type { LevelOutput, PluginContext } from '@visage/core';
import type { LandmarksData } from '@visage/landmarks';
import { EmotionClassifier } from './emotion-classifier.ts';
import { FaceApiExpressionClassifier } from './faceapi-classifier.ts';
import { type CropClassifier, expressionScores } from './expression-scores.ts';
import type { ExpressionOptions, FaceapiExpressionOptions } from './options.generated.ts';

export function activate(ctx: PluginContext): void {
  const level = (id: string, load: () => Promise<CropClassifier>) => ctx.stages.levels.provide<ExpressionOptions | FaceapiExpressionOptions>(id, async ({ deps }, call): Promise<LevelOutput> => {
    const lm = deps.landmarks.data as LandmarksData;
    const classifier = await ctx.shared(id, load);
    const r = await expressionScores(classifier, lm.frames.map((f) => f.crop), lm.frames.map((f) => f.face), { fusion: call.options.fusion });
    // landmarks already fails a clip without any face, so `fused` is set whenever we get here.
    return {
      ...(r.fused && { scores: r.fused }),
      frameScores: r.perFrame,
      frameWeights: r.weights,
      summary: { label: r.decision?.label ?? null, knownness: r.decision ? +r.decision.knownness.toFixed(6) : 0 },
    };
  });
  level('expression', () => EmotionClassifier.load(ctx.models));
  level('faceapi-expression', () => FaceApiExpressionClassifier.load(ctx.models));
}
