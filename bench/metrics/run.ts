/**
 * Metric benchmark: scoring and metric computation for 100k samples (7 classes; 70k known,
 * 30k unknown for the open-set metrics). Prints a table of medians over repeated runs.
 * Run: npx tsx bench/metrics/run.ts [samples=100000] [runs=15]
 */
import { argmaxRows, knownnessScores } from '../../core/metrics/scores.ts';
import { classificationReport } from '../../core/metrics/classification.ts';
import { auroc, aurocArpl } from '../../core/metrics/auroc.ts';
import { oscr, oscrCurve } from '../../core/metrics/oscr.ts';
import { openSetReport } from '../../core/metrics/open-set.ts';
import { median, printTable } from '../lib/table.ts';

const N = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 15);
const C = 7;

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

const nKnown = Math.round(N * 0.7);
// Logits with a signal: a known sample's true class gets +1.5, unknowns get no bonus, so
// accuracy and AUROC are not trivial.
const labels = Int32Array.from({ length: N }, () => Math.floor(rand() * C));
const logits = new Float32Array(N * C);
for (let i = 0; i < N; i++) for (let c = 0; c < C; c++) logits[i * C + c] = rand() * 3 + (c === labels[i] && i < nKnown ? 1.5 : 0);

const pred = argmaxRows(logits, C);
const score = knownnessScores(logits, C, 'maxLogit');
const knownScores = score.subarray(0, nKnown);
const unknownScores = score.subarray(nKnown);
const correct = Uint8Array.from({ length: nKnown }, (_, i) => (pred[i] === labels[i] ? 1 : 0));
const classes = Array.from({ length: C }, (_, c) => `c${c}`);

const cases: [string, () => unknown][] = [
  ['argmax (N x 7 logits)', () => argmaxRows(logits, C)],
  ['known-ness: max logit', () => knownnessScores(logits, C, 'maxLogit')],
  ['known-ness: max softmax', () => knownnessScores(logits, C, 'maxSoftmax')],
  ['confusion + recall + UAR/WAR', () => classificationReport(labels, pred, classes)],
  ['AUROC (Mann-Whitney)', () => auroc(knownScores, unknownScores)],
  ['AUROC (ARPL-style)', () => aurocArpl(knownScores, unknownScores)],
  ['OSCR reference (area)', () => oscr({ scores: knownScores, correct }, unknownScores, 'reference')],
  ['OSCR reference (curve points)', () => oscrCurve({ scores: knownScores, correct }, unknownScores)],
  ['OSCR ARPL-compat', () => oscr({ scores: knownScores, correct }, unknownScores, 'compat')],
  ['open-set report (all five)', () => openSetReport({ scores: knownScores, correct }, unknownScores)],
];

console.log(`metrics benchmark: N=${N} samples, C=${C}, known=${nKnown}, unknown=${N - nKnown}, runs=${RUNS} (+2 warm-up), node ${process.version}`);
const rows: string[][] = [];
for (const [name, fn] of cases) {
  fn(); fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  rows.push([name, median(times).toFixed(2), Math.min(...times).toFixed(2), Math.max(...times).toFixed(2)]);
}
printTable(['operation', 'median ms', 'min ms', 'max ms'], rows);
const report = openSetReport({ scores: knownScores, correct }, unknownScores);
console.log(`sanity: acc ${report.closedSetAccuracy.toFixed(4)}, AUROC ${report.auroc.toFixed(4)}, OSCR ${report.oscr.toFixed(4)} (compat ${report.oscrCompat.toFixed(4)})`);
