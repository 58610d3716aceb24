/**
 * Which source frames a clip keeps: TSN-style sampling of method.md F.4 (DFER-CLIP, HESP).
 *
 * - test:  n > T: tick = n/T, idx_i = floor(tick/2 + i*tick)  (uniform, centred in each segment)
 * - train: L = floor(n/T) > 0: idx_i = i*L + U{0..L-1}        (one random frame per segment)
 * - short clips (n <= T in test, n < T in train) are padded:
 *     'last' (default, DFER-CLIP and its PR #1): 0..n-1 then the last index repeated;
 *     'zero' (HESP's TSN code): every index 0, i.e. the first frame T times. This is index
 *            padding as in the reference code, not black frames.
 * With n == T, 'last' returns 0..T-1 in both modes (the DFEW clip_224x224_16f case), and so does
 * training with 'zero'; testing with 'zero' returns frame 0 T times, as HESP's TSN code does (its
 * test sampler pads whenever n <= T).
 */
import { ingestOptionInvalid } from '../errors/messages.ts';
import { mulberry32 } from '../random.ts';

export type SampleMode = 'test' | 'train';
export type PadMode = 'last' | 'zero';

/** Deterministic uniform generator in [0, 1), so training sampling is reproducible. */
export const seededRandom = mulberry32;

function pad(n: number, T: number, mode: PadMode): number[] {
  if (mode === 'zero') return new Array<number>(T).fill(0);
  return Array.from({ length: T }, (_, i) => Math.min(i, n - 1));
}

/**
 * T source-frame indices for a clip of n frames.
 * @param rng uniform [0,1) source for 'train' (see `seededRandom`); unused in 'test'.
 */
export function sampleIndices(n: number, T: number, mode: SampleMode, rng?: () => number, padMode: PadMode = 'last'): number[] {
  if (!Number.isInteger(n) || n < 1) throw ingestOptionInvalid(`a clip needs at least 1 frame, got ${n}`);
  if (!Number.isInteger(T) || T < 1) throw ingestOptionInvalid(`frames must be a positive integer, got ${T}`);
  if (padMode !== 'last' && padMode !== 'zero') throw ingestOptionInvalid(`unknown pad "${String(padMode)}"`);
  if (mode === 'test') {
    if (n <= T) return pad(n, T, padMode);
    const tick = n / T;
    // A loop, not a closure made per call: V8 drops a dead closure's optimized code at a full GC.
    const out: number[] = [];
    for (let i = 0; i < T; i++) out.push(Math.floor(tick / 2 + i * tick));
    return out;
  }
  if (mode === 'train') {
    const L = Math.floor(n / T);
    if (L === 0) return pad(n, T, padMode);
    const random = rng ?? seededRandom(0);
    return Array.from({ length: T }, (_, i) => i * L + Math.floor(random() * L));
  }
  throw ingestOptionInvalid(`unknown mode "${String(mode)}"`);
}
