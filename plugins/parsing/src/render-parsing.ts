/**
 * Colour-coded render of a parsing map: one fixed colour per class (`PARSING_PALETTE`).
 * This image is what the parsing level feeds to the CLIP image encoder, and what
 * `--save-renders` writes.
 */
import { errors } from '@visage/core';
import type { RgbImage } from '@visage/core/media';
import { drawText, textSize } from '@visage/core/media';
import { PARSING_CLASSES, PARSING_PALETTE, type ParsingMap } from './classes.ts';

const { imageBufferMismatch } = errors;

/** Options of `renderParsing`. */
export interface RenderParsingOptions {
  /**
   * Draw the colours over this image (the aligned face crop, same size as the map) instead of
   * on black: FineCLIPER's "overlay versus standalone map" choice [method.md A.2 item 3, inferred].
   * Background pixels keep the image unchanged.
   */
  over?: RgbImage;
  /** Opacity of the class colours over `over`, 0..1 (default 0.6). Ignored without `over`. */
  alpha?: number;
}

const PALETTE_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256 * 3);
  PARSING_CLASSES.forEach((name, label) => table.set(PARSING_PALETTE[name], label * 3));
  return table;
})();

/**
 * Renders a parsing map as a `size` x `size` RGB image. Labels outside the class set render black.
 */
export function renderParsing(map: ParsingMap, options: RenderParsingOptions = {}): RgbImage {
  const { size, labels } = map;
  const rgb = new Uint8Array(size * size * 3);
  const over = options.over;
  if (over && (over.width !== size || over.height !== size || over.rgb.length !== size * size * 3)) {
    throw imageBufferMismatch(`parsing overlay base (expected ${size}x${size})`, over.width, over.height, over.rgb.length);
  }
  if (!over) {
    for (let p = 0; p < size * size; p++) {
      const o = labels[p] * 3;
      rgb[3 * p] = PALETTE_TABLE[o];
      rgb[3 * p + 1] = PALETTE_TABLE[o + 1];
      rgb[3 * p + 2] = PALETTE_TABLE[o + 2];
    }
    return { width: size, height: size, rgb };
  }
  const alpha = Math.min(1, Math.max(0, options.alpha ?? 0.6));
  for (let p = 0; p < size * size; p++) {
    const label = labels[p];
    for (let c = 0; c < 3; c++) {
      const base = over.rgb[3 * p + c];
      // Background shows the image as it is.
      rgb[3 * p + c] = label === 0 ? base : Math.round(alpha * PALETTE_TABLE[label * 3 + c] + (1 - alpha) * base);
    }
  }
  return { width: size, height: size, rgb };
}

/**
 * The render with a legend panel on its right: a swatch and the name of every class. For people
 * (`--save-renders`) only: the image CLIP sees is `renderParsing`'s, without it.
 */
export function withParsingLegend(img: RgbImage): RgbImage {
  const scale = img.height >= 10 * PARSING_CLASSES.length * 2 ? 2 : 1;
  const row = 10 * scale, swatch = 7 * scale, pad = 4 * scale;
  const nameWidth = Math.max(...PARSING_CLASSES.map((c) => textSize(c, scale).width));
  const panel = pad + swatch + pad + nameWidth + pad;
  const width = img.width + panel;
  const height = Math.max(img.height, pad + row * PARSING_CLASSES.length);
  const out: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3).fill(48) };
  for (let y = 0; y < img.height; y++) out.rgb.set(img.rgb.subarray(y * img.width * 3, (y + 1) * img.width * 3), y * width * 3);
  PARSING_CLASSES.forEach((name, i) => {
    const x = img.width + pad, y = pad + i * row;
    for (let dy = 0; dy < swatch; dy++) for (let dx = 0; dx < swatch; dx++) out.rgb.set(PARSING_PALETTE[name], ((y + dy) * width + x + dx) * 3);
    drawText(out, name, x + swatch + pad, y, [235, 235, 235], scale);
  });
  return out;
}
