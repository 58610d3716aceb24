/**
 * Row-sparse gradients: a gradient that is zero outside some rows of its tensor.
 *
 * Why: a loss that reads a few rows of an activation (a classifier on the CLS token reads one
 * row in 17 of a transformer layer's output) gives that activation a gradient that is zero
 * elsewhere, and row-wise ops (Linear, layer norm, elementwise functions, residual adds) keep it
 * so. Ops that know this (`GradNode.backwardRows`) run their backward on the non-zero rows only:
 * a Linear's two backward GEMMs shrink by the same factor. Every other op gets the gradient
 * made dense first, so the results are those of the dense path (up to float summation order).
 *
 * A RowGrad addresses the tensor's flat storage as rows of `width` elements, whatever its shape
 * (a reshape keeps it as it is); `values` holds the listed rows, in the set's order.
 */
import type { Backend, DeviceBuffer } from './backend.ts';

/** Which rows are non-zero: ascending row indices, with their i32 copy on the device. */
export class RowSet {
  private device: DeviceBuffer | null = null;

  constructor(readonly indices: Int32Array) {}

  get count(): number {
    return this.indices.length;
  }

  /** The indices as an i32 buffer for gather/scatterAdd, uploaded once per backward pass. */
  buffer(be: Backend): DeviceBuffer {
    return (this.device ??= be.upload(this.indices));
  }

  /** Frees the device copy (the backward pass does this when it ends). */
  release(be: Backend): void {
    if (this.device) be.dispose(this.device);
    this.device = null;
  }

  /** Rows `start..end-1` of every block of `blockRows` rows among `total` rows (a slice along a non-last axis). */
  static ofBlocks(total: number, blockRows: number, start: number, end: number): RowSet {
    const blocks = total / blockRows, per = end - start;
    const indices = new Int32Array(blocks * per);
    for (let b = 0; b < blocks; b++) for (let r = 0; r < per; r++) indices[b * per + r] = b * blockRows + start + r;
    return new RowSet(indices);
  }
}

export class RowGrad {
  constructor(readonly rows: RowSet, readonly width: number, readonly values: DeviceBuffer) {}

  /** Whether `other` covers the same elements (so the two add row for row). */
  sameLayout(other: RowGrad): boolean {
    if (other.width !== this.width) return false;
    const a = this.rows.indices, b = other.rows.indices;
    return a === b || (a.length === b.length && a.every((v, i) => v === b[i]));
  }
}

/** The listed rows (`width` elements each) of a dense buffer, as a new compact buffer. */
export function gatherRows(be: Backend, x: DeviceBuffer, rows: RowSet, width: number): DeviceBuffer {
  const out = be.alloc(rows.count * width);
  be.gather(x, rows.buffer(be), out, rows.count, width);
  return out;
}

/** dense += the gradient's rows in place. */
export function scatterRows(be: Backend, g: RowGrad, dense: DeviceBuffer): void {
  be.scatterAdd(g.values, g.rows.buffer(be), dense, g.rows.count, g.width);
}
