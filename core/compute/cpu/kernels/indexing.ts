/** Embedding gather and its backward, scatter-add (rows in order, so duplicates add up in order). */

/** out[r, :] = table[indices[r], :]. */
export function gather(table: Float32Array, idx: Float32Array | Int32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) out.set(table.subarray(idx[r] * cols, idx[r] * cols + cols), r * cols);
}

/** out[indices[r], :] += src[r, :]. */
export function scatterAdd(src: Float32Array, idx: Float32Array | Int32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = idx[r] * cols, s = r * cols;
    for (let c = 0; c < cols; c++) out[o + c] += src[s + c];
  }
}
