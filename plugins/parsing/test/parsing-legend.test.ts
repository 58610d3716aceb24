import { describe, expect, it } from 'vitest';
import { PARSING_CLASSES, PARSING_PALETTE } from '../src/classes.ts';
import { renderParsing, withParsingLegend } from '../src/render-parsing.ts';

describe('parsing legend', () => {
  it('keeps the map as it is and adds a panel with a swatch of every class colour', () => {
    const size = 224;
    const labels = new Uint8Array(size * size).map((_, p) => (p % size) % PARSING_CLASSES.length);
    const map = renderParsing({ size, labels });
    const img = withParsingLegend(map);
    expect(img.height).toBe(size);
    expect(img.width).toBeGreaterThan(size + 100);
    for (let y = 0; y < size; y += 37) {
      expect([...img.rgb.subarray(y * img.width * 3, (y * img.width + size) * 3)]).toEqual([...map.rgb.subarray(y * size * 3, (y + 1) * size * 3)]);
    }
    // Each class colour appears in the panel, in class order from the top.
    const panelRowOf = (c: readonly number[]) => {
      for (let y = 0; y < img.height; y++) for (let x = size; x < img.width; x++) {
        const i = (y * img.width + x) * 3;
        if (img.rgb[i] === c[0] && img.rgb[i + 1] === c[1] && img.rgb[i + 2] === c[2]) return y;
      }
      return -1;
    };
    const rows = PARSING_CLASSES.map((name) => panelRowOf(PARSING_PALETTE[name]));
    expect(rows.every((r) => r >= 0)).toBe(true);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
  });
});
