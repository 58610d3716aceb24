/**
 * Embedding gather and its backward, scatter-add. The scatter runs one thread per column and
 * walks the rows in order, so duplicate indices add up without atomics (WGSL has no f32
 * atomics) and in the same order as the cpu backend.
 */
import { entry1d, grid1d, kernel, type BufRef, type Kernel } from './common.ts';

/** out[r, :] = table[indices[r], :]. */
export function gatherKernel(table: BufRef, indices: BufRef, out: BufRef, rows: number, cols: number): Kernel {
  const n = rows * cols;
  return kernel([{ name: 'table', buf: table }, { name: 'idx', buf: indices }, { name: 'out', buf: out, write: true }],
    [['n', 'u32', n], ['cols', 'u32', cols]], (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let r = i / p.cols;
  let c = i % p.cols;
  ${v.out}[i] = ${v.table}[u32(${v.idx}[r]) * p.cols + c];
}`, grid1d(n));
}

/** out[indices[r], :] += src[r, :]. */
export function scatterAddKernel(src: BufRef, indices: BufRef, out: BufRef, rows: number, cols: number): Kernel {
  return kernel([{ name: 'src', buf: src }, { name: 'idx', buf: indices }, { name: 'out', buf: out, write: true }],
    [['rows', 'u32', rows], ['cols', 'u32', cols]], (v) => `${entry1d()}
  if (i >= p.cols) { return; }
  for (var r = 0u; r < p.rows; r = r + 1u) {
    let o = u32(${v.idx}[r]) * p.cols + i;
    ${v.out}[o] = ${v.out}[o] + ${v.src}[r * p.cols + i];
  }
}`, grid1d(cols));
}
