/**
 * Percentile bootstrap intervals over clips (Efron & Tibshirani 1993, ch. 13), seeded so a report
 * is reproducible. The statistic receives the resampled clip indices, so one function covers a
 * single system (UAR of the resample) and a paired comparison (UAR of B minus UAR of A on the SAME
 * resample, which keeps the pairing of clips).
 */
import { mulberry32 } from '../random.ts';
import { metricInputInvalid } from '../errors/messages.ts';

export interface Interval {
  /** The statistic on the original sample. */
  estimate: number;
  low: number;
  high: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  reps: number;
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  reps?: number;
  /** Seed of the resampling stream (default 1). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/**
 * Resamples n clip indices with replacement `reps` times and returns the statistic's percentile
 * interval. A resample where the statistic is not finite (e.g. no clip of any class) is skipped.
 */
export function bootstrapInterval(n: number, statistic: (indices: Int32Array) => number, opts: BootstrapOptions = {}): Interval {
  const reps = opts.reps ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(n) || n < 1) throw metricInputInvalid('bootstrapInterval', `needs at least one clip, got ${n}`);
  if (!(level > 0 && level < 1)) throw metricInputInvalid('bootstrapInterval', `level must be in (0, 1), got ${level}`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  const rand = mulberry32(opts.seed ?? 1);
  const values: number[] = [];
  const idx = new Int32Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    const v = statistic(idx);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { estimate, low: quantile(values, alpha), high: quantile(values, 1 - alpha), level, reps };
}

/** Linear interpolation between order statistics (numpy's default "linear" method). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
