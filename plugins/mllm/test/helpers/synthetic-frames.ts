import type { Frame } from '@visage/core';

/** `n` small RGB frames whose content depends on the frame index and `seed` (distinct per frame). */
export function syntheticFrames(n: number, width = 64, height = 48, seed = 0): Frame[] {
  return Array.from({ length: n }, (_, k) => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        rgb[i] = (x * 4 + k * 10 + seed) & 255;
        rgb[i + 1] = (y * 5 + k * 3) & 255;
        rgb[i + 2] = ((x ^ y) + seed * 7) & 255;
      }
    }
    return { width, height, rgb, sourceIndex: k };
  });
}
