import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ACTION_UNITS, type ActionUnit, type AuSeries } from '../src/action-units.ts';
import { AU_COLOURS, rasteriseAuPlot, renderAuPlot } from '../src/au-plot.ts';

function series(curves: Partial<Record<ActionUnit, number[]>>, T: number): AuSeries {
  const intensity = {} as Record<ActionUnit, number[]>;
  for (const au of ACTION_UNITS) intensity[au] = curves[au] ?? new Array(T).fill(0);
  return { aus: ACTION_UNITS, frameCount: T, neutralFrame: 0, present: new Array(T).fill(true), intensity, raw: intensity, headRollDeg: new Array(T).fill(0), headTurn: new Array(T).fill(0) };
}

/** Mean y of the pixels of `colour` in columns [x0, x1), or NaN when there are none. */
function meanRow(img: { width: number; height: number; rgb: Uint8Array }, colour: readonly number[], x0: number, x1: number): number {
  let sum = 0, n = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 3;
      if (img.rgb[i] === colour[0] && img.rgb[i + 1] === colour[1] && img.rgb[i + 2] === colour[2]) { sum += y; n++; }
    }
  }
  return n ? sum / n : NaN;
}

describe('AU plot', () => {
  const rising = series({ AU12: [0, 0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1], AU4: [0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6] }, 8);

  it('draws each moving AU in its colour, rising curves going up the image', () => {
    const img = rasteriseAuPlot(rising, { width: 360, height: 180 });
    expect(img.rgb.length).toBe(360 * 180 * 3);
    const plotRight = 360 - 56;
    const leftThird = meanRow(img, AU_COLOURS.AU12, 14, 14 + 90);
    const rightThird = meanRow(img, AU_COLOURS.AU12, plotRight - 90, plotRight);
    expect(rightThird).toBeLessThan(leftThird - 60); // higher intensity = nearer the top
    // A flat curve stays on one row band.
    const flatLeft = meanRow(img, AU_COLOURS.AU4, 14, 14 + 90);
    const flatRight = meanRow(img, AU_COLOURS.AU4, plotRight - 90, plotRight);
    expect(Math.abs(flatLeft - flatRight)).toBeLessThan(1.5);
    // AUs below the default threshold are not drawn at all.
    expect(meanRow(img, AU_COLOURS.AU26, 0, 360)).toBeNaN();
  });

  it('encodes the raster as a PNG of the same pixels', async () => {
    const png = await renderAuPlot(rising);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([360, 180, 3]);
    expect(Buffer.compare(data, Buffer.from(rasteriseAuPlot(rising).rgb))).toBe(0);
  });

  it('breaks curves at frames without a face', () => {
    const gap = series({ AU12: [0.9, 0.9, NaN, NaN, NaN, NaN, 0.9, 0.9] }, 8);
    const img = rasteriseAuPlot(gap);
    const middle = meanRow(img, AU_COLOURS.AU12, 14 + 3 * 41, 14 + 4 * 41);
    expect(middle).toBeNaN();
  });
});
