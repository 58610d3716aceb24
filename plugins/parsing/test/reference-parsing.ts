/**
 * The parsing level's hot functions as they were before issue 14's main-thread work (main
 * 4d3b656), kept verbatim as the reference the faster versions must match bit for bit
 * (rasterize-reference.test.ts) and as the "before" rows of bench/levels/levels-js.bench.ts.
 */
import { PARSING_LABEL, type ParsingClass, type ParsingMap } from '../src/classes.ts';

/** The scanline fill that tested every edge on every row (see src/rasterize.ts for the contract). */
export function referenceFillPolygon(
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
      const from = Math.max(0, Math.ceil(row[c] - 0.5));
      const to = Math.min(size - 1, Math.ceil(row[c + 1] - 0.5) - 1);
      if (to >= from) labels.fill(label, j * size + from, j * size + to + 1);
    }
  }
}

/** The byte-at-a-time class area. */
export function referenceClassArea(map: ParsingMap, name: ParsingClass): number {
  const label = PARSING_LABEL[name];
  const { size, labels } = map;
  let count = 0;
  for (let i = 0; i < size * size; i++) if (labels[i] === label) count++;
  return count / (size * size);
}
