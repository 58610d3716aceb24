/**
 * A mesh-free image warp for tests: a smooth displacement field that pulls the two lip corners up
 * and outward, as a lip-corner puller (AU12) does. It needs only the corner positions (taken from a
 * first mesh run on the unwarped frame); the warped frames then go through the real mesh model.
 */
import type { Frame } from '@visage/core';

export interface LipCorners {
  /** Subject's right corner (image left), pixels. */
  right: [number, number];
  /** Subject's left corner (image right), pixels. */
  left: [number, number];
}

/**
 * Warps `frame` so each lip corner moves by `amount` pixels along the 45-degree up-and-outward
 * direction; the displacement falls off as a Gaussian of width `sigma` pixels around each corner.
 * Backward mapping with a fixed-point inverse (3 iterations) and bilinear sampling.
 */
export function pullLipCorners(frame: Frame, corners: LipCorners, amount: number, sigma: number): Frame {
  const { width: W, height: H, rgb } = frame;
  const s = amount / Math.SQRT2;
  const fields: [number, number, number, number][] = [
    [corners.right[0], corners.right[1], -s, -s],
    [corners.left[0], corners.left[1], s, -s],
  ];
  const displacement = (x: number, y: number): [number, number] => {
    let dx = 0, dy = 0;
    for (const [cx, cy, vx, vy] of fields) {
      const w = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
      dx += w * vx;
      dy += w * vy;
    }
    return [dx, dy];
  };
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Source q with q + D(q) = p.
      let qx = x, qy = y;
      for (let it = 0; it < 3; it++) {
        const [dx, dy] = displacement(qx, qy);
        qx = x - dx;
        qy = y - dy;
      }
      sampleBilinear(rgb, W, H, qx, qy, out, (y * W + x) * 3);
    }
  }
  return { ...frame, rgb: out };
}

function sampleBilinear(rgb: Uint8Array, W: number, H: number, x: number, y: number, out: Uint8Array, o: number): void {
  const cx = Math.min(W - 1, Math.max(0, x)), cy = Math.min(H - 1, Math.max(0, y));
  const x0 = Math.floor(cx), y0 = Math.floor(cy);
  const x1 = Math.min(W - 1, x0 + 1), y1 = Math.min(H - 1, y0 + 1);
  const fx = cx - x0, fy = cy - y0;
  for (let c = 0; c < 3; c++) {
    const a = rgb[(y0 * W + x0) * 3 + c], b = rgb[(y0 * W + x1) * 3 + c];
    const d = rgb[(y1 * W + x0) * 3 + c], e = rgb[(y1 * W + x1) * 3 + c];
    out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
  }
}
