/**
 * Closed-set classification metrics of the DFER literature (method.md D.1-D.3):
 * confusion matrix, per-class recall, UAR, WAR (= accuracy).
 *
 * Labels are class indices into a `classes` list that the caller owns; readers key labels by
 * class NAME, so map names to indices once with the same list for truth and prediction.
 */
import { metricInputInvalid } from '../errors/messages.ts';
import { assertNonEmpty, assertSameLength } from './validate.ts';

/** Everything `classificationReport` computes for one test split. */
export interface ClassificationReport {
  classes: string[];
  /** confusion[t][p] = number of samples of true class t predicted as p. */
  confusion: number[][];
  /** Test samples per class (row sums of the confusion matrix). */
  support: number[];
  /** Recall per class; null for a class with no test sample (0/0 is not a recall). */
  recall: (number | null)[];
  /** Mean recall over the classes present in the split (null recalls excluded). */
  uar: number;
  /** Weighted average recall = plain accuracy. */
  war: number;
  /** Classes excluded from the UAR mean because the split holds none of them. */
  absentClasses: string[];
}

function checkLabels(metric: string, name: string, labels: ArrayLike<number>, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw metricInputInvalid(metric, `${name}[${i}] = ${v} is not a class index in 0..${numClasses - 1}`);
    }
  }
}

/** Confusion matrix, rows = true class, columns = predicted class. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  assertSameLength('confusionMatrix', 'yTrue', yTrue, 'yPred', yPred);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw metricInputInvalid('confusionMatrix', `numClasses must be a positive integer, got ${numClasses}`);
  checkLabels('confusionMatrix', 'yTrue', yTrue, numClasses);
  checkLabels('confusionMatrix', 'yPred', yPred, numClasses);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Recall per class from a confusion matrix; null where the class has no test sample. */
export function perClassRecall(confusion: number[][]): (number | null)[] {
  return confusion.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? null : row[c] / n;
  });
}

/**
 * Unweighted average recall: the mean of the per-class recalls.
 * Rule for a class absent from the test split: it is excluded from the mean (its recall is null),
 * where the reference (sklearn + numpy) would yield NaN. All DFEW and MAFW folds hold every class,
 * so published numbers are unaffected.
 */
export function uar(confusion: number[][]): number {
  const present = perClassRecall(confusion).filter((r): r is number => r !== null);
  if (present.length === 0) throw metricInputInvalid('uar', 'no test samples');
  return present.reduce((a, b) => a + b, 0) / present.length;
}

/** Weighted average recall = fraction of samples on the diagonal (plain accuracy). */
export function war(confusion: number[][]): number {
  let diag = 0;
  let total = 0;
  confusion.forEach((row, c) => {
    diag += row[c];
    for (const v of row) total += v;
  });
  if (total === 0) throw metricInputInvalid('war', 'no test samples');
  return diag / total;
}

/** Closed-set accuracy of predictions against truth (same value as WAR). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  assertSameLength('accuracy', 'yTrue', yTrue, 'yPred', yPred);
  assertNonEmpty('accuracy', 'yTrue', yTrue);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/** Confusion matrix, per-class recall, UAR and WAR in one pass, for a report. */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: string[]): ClassificationReport {
  assertNonEmpty('classificationReport', 'yTrue', yTrue);
  const confusion = confusionMatrix(yTrue, yPred, classes.length);
  const recall = perClassRecall(confusion);
  return {
    classes: [...classes],
    confusion,
    support: confusion.map((row) => row.reduce((a, b) => a + b, 0)),
    recall,
    uar: uar(confusion),
    war: war(confusion),
    absentClasses: classes.filter((_, c) => recall[c] === null),
  };
}

/** Maps class names to indices into `classes`; an unknown name is an error, never a silent -1. */
export function labelsToIndices(names: ArrayLike<string>, classes: string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const out = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const k = index.get(names[i]);
    if (k === undefined) throw metricInputInvalid('labelsToIndices', `label "${names[i]}" at ${i} is not one of ${classes.join(', ')}`);
    out[i] = k;
  }
  return out;
}

/** `classificationReport` for name-keyed truth and predictions (what readers and the decide stage produce). */
export function classificationReportByName(truth: ArrayLike<string>, predicted: ArrayLike<string>, classes: string[]): ClassificationReport {
  return classificationReport(labelsToIndices(truth, classes), labelsToIndices(predicted, classes), classes);
}
