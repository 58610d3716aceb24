/**
 * Scanline polygon fill into a square label raster.
 *
 * Pixel (i, j) is inside a polygon when its centre (i + 0.5, j + 0.5) is, by the even-odd rule.
 * Edges are half-open in y (an edge covers y0 <= y < y1), so a vertex on a scanline is counted
 * once and two polygons sharing an edge never both claim the pixels on it.
 */

/**
 * Sets `label` on every pixel of the `size` x `size` raster whose centre lies inside the polygon
 * whose vertices are `points[2k], points[2k+1]` for k in `polygon`.
 * Polygons with a non-finite vertex are skipped (a degenerate mesh should not paint garbage).
 */
export function fillPolygon(
  labels: Uint8Array,
  size: number,
  points: ArrayLike<number>,
  polygon: readonly number[],
  label: number,
): void {
  const n = polygon.length;
  if (n < 3) return;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    xs[k] = points[2 * polygon[k]];
    ys[k] = points[2 * polygon[k] + 1];
    if (!Number.isFinite(xs[k]) || !Number.isFinite(ys[k])) return;
    minY = Math.min(minY, ys[k]);
    maxY = Math.max(maxY, ys[k]);
  }
  const rowStart = Math.max(0, Math.ceil(minY - 0.5));
  const rowEnd = Math.min(size - 1, Math.floor(maxY - 0.5));
  const crossings = new Float64Array(n);
  for (let j = rowStart; j <= rowEnd; j++) {
    const yc = j + 0.5;
    let count = 0;
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const ya = ys[a];
      const yb = ys[b];
      if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) {
        crossings[count++] = xs[a] + ((yc - ya) * (xs[b] - xs[a])) / (yb - ya);
      }
    }
    const row = crossings.subarray(0, count).sort();
    for (let c = 0; c + 1 < count; c += 2) {
      // Pixels whose centre x + 0.5 lies in [left, right).
      const from = Math.max(0, Math.ceil(row[c] - 0.5));
      const to = Math.min(size - 1, Math.ceil(row[c + 1] - 0.5) - 1);
      if (to >= from) labels.fill(label, j * size + from, j * size + to + 1);
    }
  }
}
