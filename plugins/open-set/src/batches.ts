/** Packing clips of a feature set into the tensors the HESP model takes. */
import { tensor, type Tensor } from '@visage/core/compute';
import type { ClipFeatures } from './features.ts';
import { standardiseMotion } from './motion.ts';

export interface ClipBatch {
  /** [B, T, D] frame embeddings. */
  frames: Tensor;
  /** [B, T] standardised motion (zeros where a clip has none). */
  motion: Tensor;
  /** Index of each clip's label in the known classes (-1 for an unknown class). */
  labels: number[];
}

export function packBatch(items: readonly ClipFeatures[], classes: readonly string[], frames: number, dim: number): ClipBatch {
  const b = items.length;
  const f = new Float32Array(b * frames * dim), m = new Float32Array(b * frames);
  items.forEach((it, i) => {
    f.set(it.frames, i * frames * dim);
    m.set(standardiseMotion(it.motion, frames), i * frames);
  });
  return { frames: tensor(f, [b, frames, dim]), motion: tensor(m, [b, frames]), labels: items.map((it) => classes.indexOf(it.label)) };
}
