// Cross-checks the O(n log n) metrics against literal O(n^2) definitions and line-by-line ports
// of the reference code (ARPL get_curve_online + np.trapz, ARPL compute_oscr), on random data
// with many ties.
import { describe, expect, it } from 'vitest';
import { auroc, aurocArpl } from '../auroc.ts';
import { oscr, oscrCurve } from '../oscr.ts';
import { classificationReport } from '../classification.ts';
import { foldMeanStd } from '../folds.ts';
import { mulberry32 } from '../../random.ts';
import { argmaxRows, knownnessScores } from '../scores.ts';



/** Random open-set data; `levels` distinct score values force ties when small. */
function randomCase(rng: () => number, levels: number) {
  const nK = 1 + Math.floor(rng() * 40);
  const nU = 1 + Math.floor(rng() * 40);
  const q = () => Math.floor(rng() * levels) / levels;
  return {
    known: { scores: Array.from({ length: nK }, q), correct: Array.from({ length: nK }, () => (rng() < 0.6 ? 1 : 0)) },
    unknown: Array.from({ length: nU }, q),
  };
}

function bruteAuroc(k: number[], u: number[], tie: number): number {
  let s = 0;
  for (const a of k) for (const b of u) s += a > b ? 1 : a === b ? tie : 0;
  return s / (k.length * u.length);
}

/** Line-by-line port of ARPL get_curve_online + metric_ood AUROC (without the x100). */
function arplAurocPort(knownIn: number[], novelIn: number[]): number {
  const known = [...knownIn].sort((a, b) => a - b);
  const novel = [...novelIn].sort((a, b) => a - b);
  const numK = known.length, numN = novel.length;
  const tp = new Array(numK + numN + 1).fill(-1);
  const fp = new Array(numK + numN + 1).fill(-1);
  tp[0] = numK; fp[0] = numN;
  let k = 0, n = 0;
  for (let l = 0; l < numK + numN; l++) {
    if (k === numK) { for (let m = l + 1; m <= numK + numN; m++) { tp[m] = tp[l]; fp[m] = fp[l] - (m - l); } break; }
    else if (n === numN) { for (let m = l + 1; m <= numK + numN; m++) { tp[m] = tp[l] - (m - l); fp[m] = fp[l]; } break; }
    else if (novel[n] < known[k]) { n++; tp[l + 1] = tp[l]; fp[l + 1] = fp[l] - 1; }
    else { k++; tp[l + 1] = tp[l] - 1; fp[l + 1] = fp[l]; }
  }
  const tpr = [1, ...tp.map((v) => v / tp[0]), 0];
  const fpr = [1, ...fp.map((v) => v / fp[0]), 0];
  let trapz = 0; // np.trapz(1 - fpr, tpr)
  for (let i = 0; i + 1 < tpr.length; i++) trapz += (tpr[i + 1] - tpr[i]) * ((1 - fpr[i]) + (1 - fpr[i + 1])) / 2;
  return -trapz;
}

/** O(n^2) reference OSCR: every distinct threshold, counts by full scans, trapezoid from (0,0). */
function bruteOscrReference(scores: number[], correct: number[], unknown: number[]): number {
  const thresholds = [...new Set([...scores, ...unknown])].sort((a, b) => b - a);
  let area = 0, x = 0, y = 0;
  for (const t of thresholds) {
    const ccr = scores.filter((s, i) => s >= t && correct[i]).length / scores.length;
    const fpr = unknown.filter((s) => s >= t).length / unknown.length;
    area += (fpr - x) * (ccr + y) / 2;
    x = fpr; y = ccr;
  }
  return area;
}

/** Line-by-line port of ARPL compute_oscr (stable argsort, O(n^2) suffix sums, explicit sort). */
function arplOscrPort(scores: number[], correct: number[], unknown: number[]): number {
  const predict = [...scores, ...unknown];
  const kTarget = [...correct.map((c) => (c ? 1 : 0)), ...unknown.map(() => 0)];
  const uTarget = [...scores.map(() => 0), ...unknown.map(() => 1)];
  const n = predict.length;
  const CCR = new Array(n + 2).fill(0);
  const FPR = new Array(n + 2).fill(0);
  const idx = predict.map((_, i) => i).sort((a, b) => predict[a] - predict[b] || a - b);
  const sk = idx.map((i) => kTarget[i]);
  const su = idx.map((i) => uTarget[i]);
  const sum = (a: number[], from: number) => a.slice(from).reduce((p, q) => p + q, 0);
  for (let k = 0; k < n - 1; k++) {
    CCR[k] = sum(sk, k + 1) / scores.length;
    FPR[k] = sum(su, k) / unknown.length;
  }
  CCR[n] = 0; FPR[n] = 0; CCR[n + 1] = 1; FPR[n + 1] = 1;
  const roc = FPR.map((f, i) => [f, CCR[i]] as [number, number]).sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  let area = 0;
  for (let j = 0; j < n + 1; j++) area += (roc[j][0] - roc[j + 1][0]) * (roc[j][1] + roc[j + 1][1]) / 2;
  return area;
}

describe('fast metrics equal brute-force definitions on random data', () => {
  const rng = mulberry32(20240917);
  const cases = Array.from({ length: 300 }, (_, i) => randomCase(rng, i % 3 === 0 ? 4 : i % 3 === 1 ? 20 : 1e9));

  it('AUROC (Mann-Whitney, ties half) = O(n^2) pair count', () => {
    for (const c of cases) expect(auroc(c.known.scores, c.unknown)).toBeCloseTo(bruteAuroc(c.known.scores, c.unknown, 0.5), 12);
  });

  it('ARPL-style AUROC = port of get_curve_online + trapz = strict pair count', () => {
    for (const c of cases) {
      const fast = aurocArpl(c.known.scores, c.unknown);
      expect(fast).toBeCloseTo(arplAurocPort(c.known.scores, c.unknown), 12);
      expect(fast).toBeCloseTo(bruteAuroc(c.known.scores, c.unknown, 0), 12);
    }
  });

  it('OSCR reference = O(n^2) threshold sweep; curve is monotone and ends at accuracy', () => {
    for (const c of cases) {
      expect(oscr(c.known, c.unknown, 'reference')).toBeCloseTo(bruteOscrReference(c.known.scores, c.known.correct, c.unknown), 12);
      const curve = oscrCurve(c.known, c.unknown);
      const acc = c.known.correct.filter(Boolean).length / c.known.scores.length;
      expect(curve[curve.length - 1].fpr).toBe(1);
      expect(curve[curve.length - 1].ccr).toBeCloseTo(acc, 12);
      for (let i = 1; i < curve.length; i++) {
        expect(curve[i].fpr).toBeGreaterThanOrEqual(curve[i - 1].fpr);
        expect(curve[i].ccr).toBeGreaterThanOrEqual(curve[i - 1].ccr);
      }
    }
  });

  it('OSCR compat = line-by-line port of ARPL compute_oscr', () => {
    for (const c of cases) expect(oscr(c.known, c.unknown, 'compat')).toBeCloseTo(arplOscrPort(c.known.scores, c.known.correct, c.unknown), 12);
  });

  it('UAR / WAR = per-class filtering definition', () => {
    for (let t = 0; t < 50; t++) {
      const C = 2 + Math.floor(rng() * 6);
      const n = 1 + Math.floor(rng() * 60);
      const y = Array.from({ length: n }, () => Math.floor(rng() * C));
      const p = Array.from({ length: n }, (_, i) => (rng() < 0.5 ? y[i] : Math.floor(rng() * C)));
      const report = classificationReport(y, p, Array.from({ length: C }, (_, c) => `c${c}`));
      const recalls: number[] = [];
      for (let c = 0; c < C; c++) {
        const idx = y.map((v, i) => (v === c ? i : -1)).filter((i) => i >= 0);
        if (idx.length) recalls.push(idx.filter((i) => p[i] === c).length / idx.length);
      }
      expect(report.uar).toBeCloseTo(recalls.reduce((a, b) => a + b, 0) / recalls.length, 12);
      expect(report.war).toBeCloseTo(y.filter((v, i) => v === p[i]).length / n, 12);
    }
  });
});

describe('scores and folds', () => {
  it('argmax takes the first maximum; max softmax equals the explicit softmax', () => {
    const logits = [1, 3, 3, 0.5, -2, 0];
    expect(Array.from(argmaxRows(logits, 3))).toEqual([1, 0]);
    expect(Array.from(knownnessScores(logits, 3, 'maxLogit'))).toEqual([3, 0.5]);
    const row = [0.5, -2, 0];
    const z = row.reduce((a, v) => a + Math.exp(v), 0);
    expect(knownnessScores(logits, 3, 'maxSoftmax')[1]).toBeCloseTo(Math.exp(0.5) / z, 14);
    expect(() => argmaxRows([1, 2, 3], 2)).toThrow(/not a multiple/);
  });

  it('fold mean/std match numpy (ddof 0) and the sample deviation (ddof 1)', () => {
    // np.mean / np.std of [65.98, 64.1, 66.5, 63.2, 67.0]
    const v = [65.98, 64.1, 66.5, 63.2, 67.0];
    const mean = v.reduce((a, b) => a + b, 0) / 5;
    const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
    expect(foldMeanStd(v)).toEqual({ mean, std: Math.sqrt(ss / 5), folds: 5 });
    expect(foldMeanStd(v, 1).std).toBeCloseTo(Math.sqrt(ss / 4), 12);
    expect(() => foldMeanStd([1], 1)).toThrow(/ddof/);
  });
});
