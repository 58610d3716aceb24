/** Public surface of the open-set plugin: what other plugins, commands and tests import. */
export { HESP_DEFAULTS, resolveHespConfig, parseHespAssignments, type HespConfig, type HespConfigInput, type HespLossWeights } from './hesp-config.ts';
export { HespModel, arplLogits, type ClassTextEmbeddings, type HespForward } from './hesp-model.ts';
export { MotionTemporalAttention } from './motion-attention.ts';
export { hespLoss, supConLoss, radiusLoss, negativePromptLoss, type HespLossTerms } from './hesp-losses.ts';
export { trainHesp, createHespModel, ensembleLogits, type TrainedHesp, type EpochRecord, type TrainOptions } from './train-hesp.ts';
export { saveHespCheckpoint, loadHespCheckpoint, readHespThreshold, type LoadedHesp, type HespCheckpointInfo } from './hesp-checkpoint.ts';
export { knownnessOf, knownnessOfScores, KNOWNNESS_SCORES, type KnownnessScore } from './knownness.ts';
export { thresholdForAcceptance } from './threshold.ts';
export { drawOpenSetSplits, OPEN_SET_PROTOCOLS, AFEW_CLASSES, type OpenSetSplit, type SplitOptions } from './splits.ts';
export { readFeatureSet, writeFeatureSet, type FeatureSet, type ClipFeatures, type FeatureSplit } from './features.ts';
export { landmarkDisplacement, standardiseMotion } from './motion.ts';
export { evaluateSplit, scoreOpenSet, summariseDraws, zeroShotLogits, type DrawResult, type EvaluateOptions, type OpenSetSummary } from './open-set-eval.ts';
export { openSetDecision, openSetDecider, type OpenSetDecisionOptions } from './open-set-decision.ts';
export { hespFusion, type HespFusionOptions } from './hesp-fusion.ts';
export { hespPrompts, type HespPromptsOptions } from './hesp-prompts.ts';
