/**
 * A small line plot of AU intensity curves (x: frame, y: intensity 0..1), rasterised here into an RGB
 * buffer and encoded as PNG with sharp, for `--save-renders`.
 */
import sharp from 'sharp';
import type { ActionUnit, AuSeries } from './action-units.ts';
import { drawText, textSize } from '@visage/core/media';

export interface AuPlotOptions {
  width?: number;
  height?: number;
  /** AUs to draw; default: those whose peak intensity reaches `minPeak`. */
  aus?: readonly ActionUnit[];
  /** Default 0.1. */
  minPeak?: number;
}

export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

type Rgb = readonly [number, number, number];

/** One colour per AU, in ACTION_UNITS order (Tableau 10 plus three), so a given AU always has the same colour. */
export const AU_COLOURS: Readonly<Record<ActionUnit, Rgb>> = {
  AU1: [31, 119, 180], AU2: [255, 127, 14], AU4: [44, 160, 44], AU5: [214, 39, 40], AU6: [148, 103, 189],
  AU9: [140, 86, 75], AU12: [227, 119, 194], AU15: [127, 127, 127], AU17: [188, 189, 34], AU20: [23, 190, 207],
  AU23: [0, 0, 128], AU25: [128, 0, 0], AU26: [0, 100, 0],
};

const BACKGROUND: Rgb = [255, 255, 255];
const AXIS: Rgb = [90, 90, 90];
const GRID: Rgb = [225, 225, 225];
const TEXT: Rgb = [40, 40, 40];

/** Pixels around the plot area: title on top, tick labels and axis names left and below, legend right. */
export const AU_PLOT_MARGINS = { left: 44, right: 96, top: 36, bottom: 40 } as const;

/** Rasterises the plot into RGB24 (default 640x360). */
export function rasteriseAuPlot(series: AuSeries, options: AuPlotOptions = {}): RgbImage {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const minPeak = options.minPeak ?? 0.1;
  const aus = options.aus ?? series.aus.filter((au) => peak(series.intensity[au]) >= minPeak);
  const canvas = new Canvas(width, height);
  // Margins hold the title (top), tick labels and axis names (left, bottom) and the legend (right).
  const left = AU_PLOT_MARGINS.left, right = width - AU_PLOT_MARGINS.right, top = AU_PLOT_MARGINS.top, bottom = height - AU_PLOT_MARGINS.bottom;
  const T = series.frameCount;
  const xOf = (t: number) => (T <= 1 ? (left + right) / 2 : left + (t * (right - left)) / (T - 1));
  const yOf = (v: number) => bottom - v * (bottom - top);
  const text = (s: string, x: number, y: number, scale: number) => drawText(canvas, s, Math.round(x), Math.round(y), TEXT, scale);

  text('AU intensity per frame', (left + right) / 2 - textSize('AU intensity per frame', 2).width / 2, 8, 2);
  for (const v of [0.25, 0.5, 0.75, 1]) canvas.line(left, yOf(v), right, yOf(v), GRID, 1);
  canvas.line(left, bottom, right, bottom, AXIS, 1);
  canvas.line(left, top, left, bottom, AXIS, 1);
  for (const v of [0, 0.5, 1]) text(v.toFixed(1), left - 4 - textSize(v.toFixed(1)).width, yOf(v) - 3, 1);
  text('intensity', 4, top - 12, 1);
  // Every frame gets a tick; labels on the first, the last and a few between, so they never overlap.
  const labelEvery = Math.max(1, Math.ceil(T / Math.max(1, Math.floor((right - left) / 40))));
  for (let t = 0; t < T; t++) {
    canvas.line(xOf(t), bottom, xOf(t), bottom + 3, AXIS, 1);
    if (t % labelEvery === 0 || t === T - 1) text(String(t + 1), xOf(t) - textSize(String(t + 1)).width / 2, bottom + 6, 1);
  }
  text('sampled frame', (left + right) / 2 - textSize('sampled frame', 2).width / 2, bottom + 20, 2);

  aus.forEach((au, i) => {
    const colour = AU_COLOURS[au];
    const v = series.intensity[au];
    for (let t = 0; t + 1 < T; t++) {
      if (Number.isFinite(v[t]) && Number.isFinite(v[t + 1])) canvas.line(xOf(t), yOf(v[t]), xOf(t + 1), yOf(v[t + 1]), colour, 2);
    }
    for (let t = 0; t < T; t++) if (Number.isFinite(v[t])) canvas.dot(xOf(t), yOf(v[t]), colour, 3);
    // Legend: a colour swatch and the AU name, one row per AU.
    const ly = top + i * 20;
    if (ly + 14 <= height) {
      canvas.line(right + 8, ly + 7, right + 22, ly + 7, colour, 4);
      text(au, right + 28, ly, 2);
    }
  });
  return { width, height, rgb: canvas.rgb };
}

/** The plot as a PNG. */
export async function renderAuPlot(series: AuSeries, options: AuPlotOptions = {}): Promise<Buffer> {
  const img = rasteriseAuPlot(series, options);
  return sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}

function peak(v: readonly number[]): number {
  let m = 0;
  for (const x of v) if (Number.isFinite(x) && x > m) m = x;
  return m;
}

class Canvas {
  readonly rgb: Uint8Array;

  constructor(readonly width: number, readonly height: number) {
    this.rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.rgb.set(BACKGROUND, i * 3);
  }

  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.rgb.set(c, (y * this.width + x) * 3);
  }

  /** A filled square of side `size` centred on (x, y). */
  dot(x: number, y: number, c: Rgb, size: number): void {
    const x0 = Math.round(x - (size - 1) / 2), y0 = Math.round(y - (size - 1) / 2);
    for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) this.set(x0 + dx, y0 + dy, c);
  }

  /** A line of the given thickness, stamped with squares at unit steps (DDA). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness: number): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      this.dot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, c, thickness);
    }
  }

}
