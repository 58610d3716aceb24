/**
 * The plugin's CLI commands as plain functions of their parsed options (the host passes commander's
 * camel-cased options; values arrive as strings).
 *   visage open-set splits [--dataset afew|dfew|mafw] [--classes ...] [--known N...] [--draws 5] [--seed 0]
 *   visage open-set eval (--features FILE | --dataset NAME --root DIR --models DIR) --known N [--draws 5] [--seed 0] [--epochs 30] [--hesp key=value...] [--score maxLogit] [--accept 0.95] [--out DIR]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPrediction } from '@visage/core/metrics';
import { openSetConfigInvalid } from './errors.ts';
import { datasetFeatureSet, type CommandEnv, type DatasetFeatureOptions } from './dataset-features.ts';
import { readFeatureSet } from './features.ts';
import { saveHespCheckpoint } from './hesp-checkpoint.ts';
import { parseHespAssignments, resolveHespConfig } from './hesp-config.ts';
import { KNOWNNESS_SCORES, type KnownnessScore } from './knownness.ts';
import { evaluateSplit, summariseDraws, type DrawResult } from './open-set-eval.ts';
import { drawOpenSetSplits, OPEN_SET_PROTOCOLS } from './splits.ts';
import { writeHtmlReport, openSetReport } from '@visage/core/report';

type Options = Record<string, unknown>;

/** Upper bounds of the integer options: `--draws 1e9` must fail at once, not run for days. */
const MAX: Record<string, number> = { draws: 1_000, epochs: 100_000, known: 10_000, fold: 5, seed: 2 ** 32 - 1 };

function integer(options: Options, name: string, fallback?: number, min = 0): number {
  const v = options[name];
  if (v === undefined) {
    if (fallback === undefined) throw openSetConfigInvalid(`--${kebab(name)}`, 'is required');
    return fallback;
  }
  const n = Number(v);
  const max = MAX[name] ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(n) || n < min || n > max) throw openSetConfigInvalid(`--${kebab(name)}`, `must be an integer from ${min} to ${max}, got "${String(v)}"`);
  return n;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `open-set splits`: prints the splits as a JSON array. */
export function splitsCommand(options: Options, out: (s: string) => void): void {
  const dataset = String(options.dataset ?? 'dfew').toLowerCase();
  const protocol = OPEN_SET_PROTOCOLS[dataset];
  const classes = list(options.classes) ?? protocol?.classes;
  if (!classes) throw openSetConfigInvalid('--dataset', `unknown dataset "${dataset}" (choose ${Object.keys(OPEN_SET_PROTOCOLS).join(', ')}, or pass --classes)`);
  const known = list(options.known)?.map((k) => integer({ known: k }, 'known', undefined, 1)) ?? protocol?.knownSizes;
  if (!known) throw openSetConfigInvalid('--known', 'is required with --classes');
  const splits = drawOpenSetSplits(classes, known, { draws: integer(options, 'draws', 5, 1), seed: integer(options, 'seed', 0) });
  out('[\n' + splits.map((s) => '  ' + JSON.stringify({ ...s, openness: +s.openness.toFixed(4) })).join(',\n') + '\n]\n');
}

/** `open-set eval`: trains and evaluates every draw; prints per-draw rows and mean ± std. Returns the results. */
export async function evalCommand(env: CommandEnv, options: Options, out: (s: string) => void, err: (s: string) => void = () => {}, pluginVersion = '0.0.0'): Promise<DrawResult[]> {
  if ((options.features === undefined) === (options.dataset === undefined)) {
    throw openSetConfigInvalid('--features', 'give either --features FILE or --dataset NAME --root DIR --models DIR (see plugins/open-set/README.md)');
  }
  const knownSize = integer(options, 'known', undefined, 1);
  const score = String(options.score ?? 'maxLogit') as KnownnessScore;
  if (!KNOWNNESS_SCORES.includes(score)) throw openSetConfigInvalid('--score', `unknown score "${score}" (choose ${KNOWNNESS_SCORES.join(', ')})`);
  const accept = options.accept === undefined ? 0.95 : Number(options.accept);
  if (!(accept > 0 && accept <= 1)) throw openSetConfigInvalid('--accept', `must be a fraction in (0, 1], got "${String(options.accept)}"`);
  const seed = integer(options, 'seed', 0);
  const config = { seed, epochs: integer(options, 'epochs', 30, 1), ...parseHespAssignments(options.hesp === undefined ? [] : [options.hesp].flat().map(String)) };
  resolveHespConfig(config); // bad settings fail before any feature extraction
  const set = options.features !== undefined
    ? await readFeatureSet(String(options.features))
    : await datasetFeatureSet(env, { ...(options as object), dataset: String(options.dataset), root: String(options.root ?? ''), fold: options.fold === undefined ? undefined : integer(options, 'fold', 1, 1) } as DatasetFeatureOptions, pluginVersion, err);
  const splits = drawOpenSetSplits(set.classes, [knownSize], { draws: integer(options, 'draws', 5, 1), seed });
  const outDir = options.out === undefined ? undefined : String(options.out);
  if (outDir) await mkdir(outDir, { recursive: true });
  const results: DrawResult[] = [];
  const pct = (v: number) => (100 * v).toFixed(2).padStart(6);
  out(`open-set eval: ${set.items.length} clips, ${set.classes.length} classes, known ${knownSize}, score ${score}, threshold accepting ${accept} of known validation clips\n`);
  out('draw  known                                  best-epoch  threshold    Acc   AUROC    OSCR  OSCR-c  | zero-shot AUROC\n');
  for (const split of splits) {
    const r = await evaluateSplit(set, split, { score, accept, config });
    results.push(r);
    const m = r.report;
    out(`${String(split.draw).padEnd(5)} ${split.known.join(',').padEnd(38)} ${String(r.bestEpoch).padStart(10)} ${r.threshold.toFixed(4).padStart(10)} ${pct(m.closedSetAccuracy)} ${pct(m.auroc)} ${pct(m.oscr)} ${pct(m.oscrCompat)}  | ${pct(r.zeroShot.auroc)}\n`);
    if (outDir) {
      const stem = `${knownSize}-${split.draw}`;
      await writeFile(join(outDir, `predictions-${stem}.jsonl`), r.predictions.map(formatPrediction).join('\n') + '\n');
      await saveHespCheckpoint(join(outDir, `hesp-${stem}.safetensors`), r.trained.model, {
        threshold: r.threshold, score, accept, bestEpoch: r.bestEpoch, metrics: { ...m },
      });
      err(`wrote ${join(outDir, `predictions-${stem}.jsonl`)} and hesp-${stem}.safetensors\n`);
    }
  }
  const s = summariseDraws(results.map((r) => r.report));
  const z = summariseDraws(results.map((r) => r.zeroShot));
  const ms = (k: keyof typeof s, src = s) => `${(100 * src[k].mean).toFixed(2)} ± ${(100 * src[k].std).toFixed(2)}`;
  out(`mean ± std over ${results.length} draws (×100, population std):\n`);
  out(`  Acc ${ms('closedSetAccuracy')}   AUROC ${ms('auroc')}   OSCR ${ms('oscr')}   OSCR-compat ${ms('oscrCompat')}\n`);
  out(`  zero-shot CLIP (max logit of class prompts): AUROC ${ms('auroc', z)}   OSCR ${ms('oscr', z)}\n`);
  if (options.report !== undefined) {
    writeHtmlReport(String(options.report), openSetReport(`HESP open-set evaluation, ${knownSize} known classes`, results.map((r) => ({
      name: String(r.split.draw), known: r.split.known, ...r.report, zeroShotAuroc: r.zeroShot.auroc, predictions: r.predictions,
    }))));
  }
  return results;
}
