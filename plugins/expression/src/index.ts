/** The expression level: the FER2013 CNN on the landmarks level's aligned crops, fused over time. */
import type { LevelOutput, PluginContext } from '../../../core/api.ts';
import type { LandmarksData } from '../../landmarks/src/index.ts';
import { EmotionClassifier } from './emotion-classifier.ts';
import { expressionScores } from './expression-scores.ts';
import type { FusionMode } from './temporal-fusion.ts';

export function activate(ctx: PluginContext): void {
  ctx.stages.levels.provide('expression', async ({ deps }, call): Promise<LevelOutput> => {
    const lm = deps.landmarks.data as LandmarksData;
    const classifier = await ctx.shared('emotion', () => EmotionClassifier.load(ctx.models));
    const r = await expressionScores(classifier, lm.frames.map((f) => f.crop), lm.frames.map((f) => f.face), { fusion: call.options.fusion as FusionMode });
    // landmarks already fails a clip without any face, so `fused` is set whenever we get here.
    return {
      ...(r.fused && { scores: r.fused }),
      frameScores: r.perFrame,
      frameWeights: r.weights,
      summary: { label: r.decision?.label ?? null, knownness: r.decision ? +r.decision.knownness.toFixed(6) : 0 },
    };
  });
}
