/**
 * Scanline polygon fill into a square label raster.
 *
 * Pixel (i, j) is inside a polygon when its centre (i + 0.5, j + 0.5) is, by the even-odd rule.
 * Edges are half-open in y (an edge covers y0 <= y < y1), so a vertex on a scanline is counted
 * once and two polygons sharing an edge never both claim the pixels on it.
 *
 * Each edge is entered once into an active list at its first row and leaves it after its last,
 * so a row costs the edges that cross it, not all of them: the face oval's 36 edges cross a row
 * twice. The crossings and spans are those of testing every edge on every row, bit for bit
 * (test/rasterize-reference.test.ts).
 */

// Scratch arrays reused by every call (they never leave fillPolygon): fresh ones per polygon and
// a subarray per row were most of the parsing level's allocations.
let xs = new Float64Array(64);
let ys = new Float64Array(64);
let crossings = new Float64Array(64);
let edgeFirstRow = new Int32Array(64);
let edgeLastRow = new Int32Array(64);
let byFirstRow = new Int32Array(64);
let active = new Int32Array(64);

function reserve(n: number): void {
  if (xs.length >= n) return;
  xs = new Float64Array(n);
  ys = new Float64Array(n);
  crossings = new Float64Array(n);
  edgeFirstRow = new Int32Array(n);
  edgeLastRow = new Int32Array(n);
  byFirstRow = new Int32Array(n);
  active = new Int32Array(n);
}

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
  reserve(n);
  let minY = Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    const x = points[2 * polygon[k]];
    const y = points[2 * polygon[k] + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    xs[k] = x;
    ys[k] = y;
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const rowStart = Math.max(0, Math.ceil(minY - 0.5));
  const rowEnd = Math.min(size - 1, Math.floor(maxY - 0.5));
  if (rowStart > rowEnd) return;
  // Edge a runs from vertex a - 1 (b) to vertex a; it crosses row j when lo <= j + 0.5 < hi.
  let edges = 0;
  for (let a = 0, b = n - 1; a < n; b = a++) {
    // The smallest and largest integer j with lo <= j + 0.5 < hi. The ceils are exact: y - 0.5
    // rounds only for y < 0.25 or y >= 2^52, rows that the clamps drop anyway.
    const first = Math.max(rowStart, Math.ceil(Math.min(ys[a], ys[b]) - 0.5));
    const last = Math.min(rowEnd, Math.ceil(Math.max(ys[a], ys[b]) - 0.5) - 1);
    if (first > last) continue;
    edgeFirstRow[a] = first;
    edgeLastRow[a] = last;
    // Insertion sort by first row: a polygon has a few dozen edges.
    let k = edges++;
    while (k > 0 && edgeFirstRow[byFirstRow[k - 1]] > first) {
      byFirstRow[k] = byFirstRow[k - 1];
      k--;
    }
    byFirstRow[k] = a;
  }
  let next = 0;
  let activeCount = 0;
  for (let j = edges ? edgeFirstRow[byFirstRow[0]] : rowEnd + 1; j <= rowEnd; j++) {
    while (next < edges && edgeFirstRow[byFirstRow[next]] === j) active[activeCount++] = byFirstRow[next++];
    const yc = j + 0.5;
    let count = 0;
    let kept = 0;
    for (let e = 0; e < activeCount; e++) {
      const a = active[e];
      const b = a === 0 ? n - 1 : a - 1;
      const ya = ys[a];
      insertSorted(count++, xs[a] + ((yc - ya) * (xs[b] - xs[a])) / (ys[b] - ya));
      if (edgeLastRow[a] > j) active[kept++] = a;
    }
    activeCount = kept;
    for (let c = 0; c + 1 < count; c += 2) {
      // Pixels whose centre x + 0.5 lies in [left, right).
      const from = Math.max(0, Math.ceil(crossings[c] - 0.5));
      const to = Math.min(size - 1, Math.ceil(crossings[c + 1] - 0.5) - 1);
      if (to >= from) labels.fill(label, j * size + from, j * size + to + 1);
    }
    if (activeCount === 0 && next === edges) break;
  }
}

/**
 * Inserts x into crossings[0..count) kept ascending, as a Float64Array's sort() orders them:
 * NaN last (crossings are finite unless coordinates near 1e154 overflow); -0 and +0 may come in
 * either order, which gives the same span ends.
 */
function insertSorted(count: number, x: number): void {
  let k = count;
  while (k > 0 && (crossings[k - 1] > x || (x === x && crossings[k - 1] !== crossings[k - 1]))) {
    crossings[k] = crossings[k - 1];
    k--;
  }
  crossings[k] = x;
}
