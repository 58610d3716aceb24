/**
 * Ablation of one preset's weighted levels. Every level runs once per clip (through the level
 * cache); only fusion and decide rerun, once per subset of levels, on the outputs already computed.
 * A level left out of a subset is removed from the fusion input, as if disabled (levels that need it
 * still ran on the full set).
 *
 * Value of a subset: UAR on the clips. The empty subset has no fused scores, so its value is chance,
 * 1/K over the K classes present in the truth. Contributions: the drop in UAR when a level is removed
 * from the full set (leave-one-out, with a paired bootstrap interval), and exact Shapley values over
 * all subsets when there are at most `maxExact` levels.
 */
import { bootstrapInterval, labelsToIndices, shapleyValues, type Interval } from '../metrics/index.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { LevelCache } from '../pipeline/level-cache.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';
import { rowFromError, rowFromResult, type OutputRow } from '../output/row.ts';
import { uarOn } from './compare-stats.ts';

export interface LevelContribution {
  slot: string;
  weight: number;
  /** UAR with every other weighted level, without this one. */
  uarWithout: number;
  /** UAR(all) - UAR(without this level), paired bootstrap interval over clips. */
  drop: Interval;
  /** Exact Shapley value of the UAR game; absent above `maxExact` levels. */
  shapley?: number;
}

export interface Ablation {
  preset: string;
  classes: string[];
  clips: number;
  failed: number;
  /** UAR with every weighted level, with its bootstrap interval. */
  full: Interval;
  levels: LevelContribution[];
  /** UAR of each evaluated subset, keyed by its levels joined with "+" ("" = none: chance). */
  subsets: Record<string, number>;
  /** Rows of the full preset (what `pipeline run` would write). */
  rows: OutputRow[];
  /** Labels per evaluated subset, in clip order (for confusion matrices and reports). */
  labels: Record<string, (string | null)[]>;
}

export interface AblationOptions {
  cache: LevelCache;
  /** Every subset, and Shapley values, up to this many weighted levels (default 5); above it, leave-one-out only. */
  maxExact?: number;
  reps?: number;
  seed?: number;
  onClip?: (row: OutputRow) => void;
}

/** Weighted levels of the preset: the players of the ablation. */
export function weightedLevels(pl: Pipeline): { slot: string; weight: number }[] {
  return pl.preset.levels.filter((l) => l.weight > 0).map((l) => ({ slot: l.slot, weight: l.weight }));
}

export async function ablate(pl: Pipeline, sources: SourceRef[], opts: AblationOptions): Promise<Ablation> {
  const players = weightedLevels(pl);
  const n = players.length;
  const exact = n <= (opts.maxExact ?? 5);
  const full = (1 << n) - 1;
  const masks = exact ? Array.from({ length: 1 << n }, (_, m) => m).filter((m) => m !== 0) : [full, ...players.map((_, i) => full & ~(1 << i))].filter((m) => m !== 0);
  const labels = new Map<number, (string | null)[]>(masks.map((m) => [m, []]));
  const rows: OutputRow[] = [];
  const truth: string[] = [];
  for (const source of sources) {
    let result;
    try {
      result = await pl.run(source, { cache: opts.cache });
    } catch (e) {
      const row = rowFromError(source, e);
      rows.push(row);
      opts.onClip?.(row);
      continue;
    }
    const row = rowFromResult(result);
    rows.push(row);
    opts.onClip?.(row);
    truth.push(row.groundTruth ?? '');
    for (const m of masks) {
      const dropped = new Set(players.filter((_, i) => !(m & (1 << i))).map((p) => p.slot));
      const levels = Object.fromEntries(Object.entries(result.levels).filter(([slot]) => !dropped.has(slot)));
      let label: string | null = null;
      try {
        label = m === full ? result.decision.label : (await pl.fuseAndDecide(result.clip, levels)).decision.label;
      } catch {
        label = null; // a fusion that refuses this subset counts as no decision: wrong on every clip
      }
      labels.get(m)!.push(label);
    }
  }
  const classes = pl.preset.classes ?? [...new Set(truth)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const truthIdx = labelsToIndices(truth, classes);
  const predIdx = (m: number) => Int32Array.from(labels.get(m)!, (l) => index.get(l ?? '') ?? classes.length);
  const all = Int32Array.from(truth, (_, i) => i);
  const present = new Set(truthIdx).size;
  const value = (m: number) => (m === 0 ? 1 / present : uarOn(truthIdx, predIdx(m), all, classes.length));
  const boot = { reps: opts.reps ?? 2000, seed: opts.seed ?? 1 };
  const fullPred = predIdx(full);
  const phi = exact ? shapleyValues(n, value) : undefined;
  const levels: LevelContribution[] = players.map((p, i) => {
    const without = full & ~(1 << i);
    const predWithout = without === 0 ? undefined : predIdx(without);
    const uarWithout = (idx: Int32Array) => (predWithout ? uarOn(truthIdx, predWithout, idx, classes.length) : 1 / present);
    return {
      slot: p.slot,
      weight: p.weight,
      uarWithout: uarWithout(all),
      drop: bootstrapInterval(truth.length, (idx) => uarOn(truthIdx, fullPred, idx, classes.length) - uarWithout(idx), boot),
      ...(phi && { shapley: phi[i] }),
    };
  });
  const nameOf = (m: number) => players.filter((_, i) => m & (1 << i)).map((p) => p.slot).join('+');
  const subsets: Record<string, number> = exact ? { '': 1 / present } : {};
  for (const m of masks) subsets[nameOf(m)] = value(m);
  return {
    preset: pl.preset.name,
    classes,
    clips: truth.length,
    failed: rows.filter((r) => r.error).length,
    full: bootstrapInterval(truth.length, (idx) => uarOn(truthIdx, fullPred, idx, classes.length), boot),
    levels,
    subsets,
    rows,
    labels: Object.fromEntries(masks.map((m) => [nameOf(m), labels.get(m)!])),
  };
}
