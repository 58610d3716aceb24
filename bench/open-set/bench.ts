/**
 * Open-set benchmark: known-ness scoring and open-set metrics for 100k samples, the threshold choice,
 * and the HESP head's inference and training step at CLIP ViT-B sizes (D = 512, T = 8).
 *
 *   npx tsx bench/open-set/bench.ts [--samples 100000] [--classes 7] [--reps 7]
 *
 * Prints a table of medians (ms) over --reps runs after 2 warm-ups.
 */
import { Rng, tensor } from '../../core/compute/index.ts';
import { argmaxRows, auroc, aurocArpl, openSetReport, oscr } from '../../core/metrics/index.ts';
import { knownnessOf, thresholdForAcceptance, HespModel, resolveHespConfig, hespLoss } from '../../plugins/open-set/src/open-set-api.ts';
import { SGD, ParameterRegistry } from '../../core/compute/index.ts';
import { median, timeRuns } from '../lib/table.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return Number(i >= 0 ? args[i + 1] : dflt); };
const N = opt('samples', '100000'), K = opt('classes', '7'), REPS = opt('reps', '7');

const timeIt = async (fn: () => unknown) => median(await timeRuns(fn, REPS));

const rng = new Rng(0);
const logits = Float32Array.from({ length: N * K }, () => 20 * rng.normal());
const isKnown = Array.from({ length: N }, () => rng.uniform() < 0.7);
const labels = Int32Array.from({ length: N }, () => rng.int(K));
const rows: Array<[string, number, string]> = [];
const add = (what: string, ms: number, per = `${((ms * 1e6) / N).toFixed(1)} ns/sample`) => rows.push([what, ms, per]);

for (const rule of ['maxLogit', 'maxSoftmax', 'energy'] as const) add(`knownness ${rule} (${N} × ${K})`, await timeIt(() => knownnessOf(logits, K, rule)));
const scores = knownnessOf(logits, K, 'maxLogit');
const pred = argmaxRows(logits, K);
const knownScores: number[] = [], correct: boolean[] = [], unknownScores: number[] = [];
for (let i = 0; i < N; i++) {
  if (isKnown[i]) { knownScores.push(scores[i]); correct.push(pred[i] === labels[i]); } else unknownScores.push(scores[i]);
}
add('argmax predictions', await timeIt(() => argmaxRows(logits, K)));
add('AUROC (Mann-Whitney)', await timeIt(() => auroc(knownScores, unknownScores)));
add('AUROC (ARPL ties)', await timeIt(() => aurocArpl(knownScores, unknownScores)));
add('OSCR reference', await timeIt(() => oscr({ scores: knownScores, correct }, unknownScores, 'reference')));
add('OSCR compat', await timeIt(() => oscr({ scores: knownScores, correct }, unknownScores, 'compat')));
add('openSetReport (all of the above)', await timeIt(() => openSetReport({ scores: knownScores, correct }, unknownScores)));
add('threshold at 95% acceptance', await timeIt(() => thresholdForAcceptance(knownScores, 0.95)));

// HESP head at ViT-B sizes.
const D = 512, T = 8, B = 256;
const unitRows = (n: number) => Array.from({ length: n }, () => { const v = Float32Array.from({ length: D }, () => rng.normal()); const s = Math.hypot(...v); return v.map((x) => x / s); });
const classes = Array.from({ length: K }, (_, i) => `c${i}`);
const config = resolveHespConfig();
const model = new HespModel({ classes, positive: unitRows(K), negative: unitRows(K) }, config);
const frames = tensor(Float32Array.from({ length: B * T * D }, () => rng.normal() / Math.sqrt(D)), [B, T, D]);
const motion = tensor(Float32Array.from({ length: B * T }, () => rng.normal()), [B, T]);
const fwd = await timeIt(() => model.forward(frames, motion).ensemble.data());
add(`HESP forward, batch ${B} (T ${T}, D ${D})`, fwd, `${((fwd * 1e3) / B).toFixed(1)} µs/clip`);
const reg = new ParameterRegistry();
reg.registerAll(model.namedParameters());
const opt64 = new SGD(reg.trainable(), { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
const f64 = tensor(Float32Array.from({ length: 64 * T * D }, () => rng.normal() / Math.sqrt(D)), [64, T, D]);
const m64 = tensor(Float32Array.from({ length: 64 * T }, () => rng.normal()), [64, T]);
const y64 = Array.from({ length: 64 }, (_, i) => i % K);
const step = await timeIt(async () => {
  opt64.zeroGrad();
  const loss = hespLoss(model, model.forward(f64, m64), y64, config).total;
  loss.backward({ freeGraph: true });
  opt64.step();
  await model.contexts.data();
});
add('HESP training step, batch 64 (all losses)', step, `${((step * 1e3) / 64).toFixed(1)} µs/clip`);

console.log(`open-set bench: ${N} samples, ${K} classes, 70% known; medians of ${REPS} runs (ms)`);
console.log('| what | median ms | per item |');
console.log('|---|---:|---:|');
for (const [what, ms, per] of rows) console.log(`| ${what} | ${ms.toFixed(2)} | ${per} |`);
