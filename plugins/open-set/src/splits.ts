/**
 * The open-set protocol's known/unknown class splits (method.md C.3): for each known-set size K,
 * `draws` seeded random sets of K known classes; the unknown classes are the complement. HESP's
 * `split.py` lists its own draws; ours come from the seed (same sizes, same count per size).
 */
import { Rng } from '@visage/core/compute';
import { DFEW_CLASSES, MAFW_CLASSES } from '@visage/core/data';
import { openSetSplitInvalid } from './errors.ts';

/** AFEW's seven classes (same as DFEW's basic seven). */
export const AFEW_CLASSES = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'] as const;

/** Class lists and HESP known-set sizes (method.md C.3). */
export const OPEN_SET_PROTOCOLS: Record<string, { classes: readonly string[]; knownSizes: number[] }> = {
  afew: { classes: AFEW_CLASSES, knownSizes: [2, 3, 4, 5] },
  dfew: { classes: DFEW_CLASSES, knownSizes: [2, 3, 4, 5] },
  mafw: { classes: MAFW_CLASSES, knownSizes: [3, 5, 6, 8] },
};

export interface OpenSetSplit {
  knownSize: number;
  /** 0-based draw index within this size. */
  draw: number;
  /** Known class names, in the class list's order. */
  known: string[];
  unknown: string[];
  /** Openness 1 − sqrt(2K / (K + N)). */
  openness: number;
}

export interface SplitOptions {
  draws?: number;
  seed?: number;
}

/**
 * `draws` distinct known-class sets per size (distinct while the number of possible sets allows),
 * reproducible from `seed`; each size has its own generator so adding a size changes no other draw.
 */
export function drawOpenSetSplits(classes: readonly string[], knownSizes: readonly number[], opts: SplitOptions = {}): OpenSetSplit[] {
  const draws = opts.draws ?? 5, seed = opts.seed ?? 0;
  const n = classes.length;
  if (new Set(classes).size !== n) throw openSetSplitInvalid(`class names repeat: ${classes.join(', ')}`);
  if (!(Number.isInteger(draws) && draws >= 1)) throw openSetSplitInvalid(`draws must be an integer >= 1, got ${draws}`);
  const out: OpenSetSplit[] = [];
  for (const k of knownSizes) {
    if (!(Number.isInteger(k) && k >= 1 && k < n)) throw openSetSplitInvalid(`known-set size ${k} is not between 1 and ${n - 1} (${n} classes)`);
    const rng = new Rng((seed * 1_000_003 + k * 7919) >>> 0);
    const possible = binomial(n, k);
    const seen = new Set<string>();
    for (let d = 0; d < draws; d++) {
      let pick: number[];
      do {
        pick = rng.shuffle([...Array(n).keys()]).slice(0, k).sort((a, b) => a - b);
      } while (seen.has(pick.join()) && seen.size < possible);
      seen.add(pick.join());
      const known = pick.map((i) => classes[i]);
      out.push({ knownSize: k, draw: d, known, unknown: classes.filter((c) => !known.includes(c)), openness: 1 - Math.sqrt((2 * k) / (k + n)) });
    }
  }
  return out;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}
