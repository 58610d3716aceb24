/** Evaluation metrics: closed-set (UAR, WAR, confusion), open-set (AUROC, OSCR), fold summaries. */
export {
  accuracy, classificationReport, classificationReportByName, confusionMatrix, labelsToIndices, perClassRecall, uar, war,
  type ClassificationReport,
} from './classification.ts';
export { auroc, aurocArpl } from './auroc.ts';
export { oscr, oscrCurve, type KnownSamples, type OscrMode, type OscrPoint } from './oscr.ts';
export { foldMeanStd, type FoldSummary } from './folds.ts';
export { argmaxRows, knownnessScores, KNOWNNESS_RULES, softmax, renormalise, argmax, closedSetChoice, type KnownnessRule, type ClosedSetChoice } from './scores.ts';
export { openSetReport, type OpenSetReport } from './open-set.ts';
export { readPredictions, readPredictionsFile, formatPrediction, type PredictionRecord } from './predictions.ts';
export { bootstrapInterval, quantile, type Interval, type BootstrapOptions } from './bootstrap.ts';
export { mcnemarExact, mcnemarExactP, type McNemarResult } from './mcnemar.ts';
export { agreement, cohenKappa } from './kappa.ts';
export { shapleyValues } from './shapley.ts';
export { rocCurve, rocArea, type RocPoint } from './roc.ts';
export { evaluatePredictions, summariseFolds, formatEvaluation, type PredictionsEvaluation, type FoldsEvaluation } from './evaluate-predictions.ts';
