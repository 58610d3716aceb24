/**
 * 2D similarity alignment (least-squares Procrustes with scale), used to put every frame's mesh into
 * one face-centred frame of reference so that head translation, in-plane rotation and distance to the
 * camera do not read as facial movement.
 */

/** p -> a * (p - from) + to, with a = scale * e^{i angle} written as the complex number (re, im). */
export interface Similarity {
  re: number;
  im: number;
  fromX: number;
  fromY: number;
  toX: number;
  toY: number;
}

/**
 * Least-squares similarity mapping `src` points onto `dst` points (both flat [x0, y0, x1, y1, ...]).
 * Closed form: with centred complex coordinates s_i, d_i, a = sum(conj(s_i) d_i) / sum(|s_i|^2).
 */
export function fitSimilarity(src: ArrayLike<number>, dst: ArrayLike<number>): Similarity {
  const n = src.length / 2;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[2 * i]; sy += src[2 * i + 1];
    dx += dst[2 * i]; dy += dst[2 * i + 1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ax = src[2 * i] - sx, ay = src[2 * i + 1] - sy;
    const bx = dst[2 * i] - dx, by = dst[2 * i + 1] - dy;
    // conj(a) * b
    re += ax * bx + ay * by;
    im += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  if (norm === 0) return { re: 1, im: 0, fromX: sx, fromY: sy, toX: dx, toY: dy };
  return { re: re / norm, im: im / norm, fromX: sx, fromY: sy, toX: dx, toY: dy };
}

/** Applies `t` to the point (x, y). */
export function applySimilarity(t: Similarity, x: number, y: number): [number, number] {
  const px = x - t.fromX, py = y - t.fromY;
  return [t.re * px - t.im * py + t.toX, t.im * px + t.re * py + t.toY];
}

/** Rotation angle of `t` in degrees; positive turns +x toward +y, which is clockwise on screen (y points down). */
export function similarityAngleDeg(t: Similarity): number {
  return (Math.atan2(t.im, t.re) * 180) / Math.PI;
}

/** Scale factor of `t`. */
export function similarityScale(t: Similarity): number {
  return Math.hypot(t.re, t.im);
}
