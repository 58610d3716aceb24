import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ACTION_UNITS, type ActionUnit, type AuSeries } from '../src/action-units.ts';
import { AU_COLOURS, AU_PLOT_MARGINS, rasteriseAuPlot, renderAuPlot } from '../src/au-plot.ts';

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
    const plotLeft = AU_PLOT_MARGINS.left, plotRight = 360 - AU_PLOT_MARGINS.right;
    const leftThird = meanRow(img, AU_COLOURS.AU12, plotLeft, plotLeft + 70);
    const rightThird = meanRow(img, AU_COLOURS.AU12, plotRight - 70, plotRight);
    expect(rightThird).toBeLessThan(leftThird - 40); // higher intensity = nearer the top
    // A flat curve stays on one row band.
    const flatLeft = meanRow(img, AU_COLOURS.AU4, plotLeft, plotLeft + 70);
    const flatRight = meanRow(img, AU_COLOURS.AU4, plotRight - 70, plotRight);
    expect(Math.abs(flatLeft - flatRight)).toBeLessThan(1.5);
    // AUs below the default threshold are not drawn at all.
    expect(meanRow(img, AU_COLOURS.AU26, 0, 360)).toBeNaN();
  });

  it('encodes the raster as a PNG of the same pixels', async () => {
    const png = await renderAuPlot(rising);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([640, 360, 3]);
    expect(Buffer.compare(data, Buffer.from(rasteriseAuPlot(rising).rgb))).toBe(0);
  });

  it('has a title, axis names and a legend of AU names in dark text', () => {
    const img = rasteriseAuPlot(rising);
    const inkIn = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.rgb[(y * img.width + x) * 3] === 40 && img.rgb[(y * img.width + x) * 3 + 1] === 40) n++;
      return n;
    };
    expect(inkIn(AU_PLOT_MARGINS.left, 0, 640 - AU_PLOT_MARGINS.right, AU_PLOT_MARGINS.top - 14)).toBeGreaterThan(100); // title at scale 2
    expect(inkIn(AU_PLOT_MARGINS.left, 360 - 22, 640 - AU_PLOT_MARGINS.right, 360)).toBeGreaterThan(40); // "SAMPLED FRAME"
    expect(inkIn(640 - AU_PLOT_MARGINS.right + 26, AU_PLOT_MARGINS.top, 640, AU_PLOT_MARGINS.top + 40)).toBeGreaterThan(60); // two AU names
    expect(inkIn(0, 0, 640, 360)).toBeLessThan(640 * 360 / 20);
  });

  it('breaks curves at frames without a face', () => {
    const gap = series({ AU12: [0.9, 0.9, NaN, NaN, NaN, NaN, 0.9, 0.9] }, 8);
    const img = rasteriseAuPlot(gap);
    const step = (640 - AU_PLOT_MARGINS.right - AU_PLOT_MARGINS.left) / 7;
    const middle = meanRow(img, AU_COLOURS.AU12, Math.ceil(AU_PLOT_MARGINS.left + 2.5 * step), Math.floor(AU_PLOT_MARGINS.left + 4.5 * step));
    expect(middle).toBeNaN();
  });
});
