import { describe, expect, it } from 'vitest';
import { drawText, textSize } from '../bitmap-font.ts';

const blank = (width: number, height: number) => ({ width, height, rgb: new Uint8Array(width * height * 3) });
/** The image as rows of '#' (red ink) and '.', to compare with glyph art. */
const art = (img: ReturnType<typeof blank>) =>
  Array.from({ length: img.height }, (_, y) => Array.from({ length: img.width }, (_, x) => (img.rgb[(y * img.width + x) * 3] === 255 ? '#' : '.')).join(''));

describe('bitmap font', () => {
  it('draws each glyph as its 5x7 art, one blank column apart; lower case as upper case', () => {
    const img = blank(11, 7);
    drawText(img, 'a1', 0, 0, [255, 0, 0]);
    expect(art(img)).toEqual([
      '.###....#..',
      '#...#..##..',
      '#...#...#..',
      '#####...#..',
      '#...#...#..',
      '#...#...#..',
      '#...#..###.',
    ]);
    expect(textSize('a1')).toEqual({ width: 11, height: 7 });
  });

  it('scales every font pixel to a square, fills a background box, and clips at the edges', () => {
    const img = blank(14, 16);
    drawText(img, '-', 1, 1, [255, 0, 0], 2, [0, 0, 255]);
    const rows = art(img);
    expect(rows[7]).toBe('.##########...'); // the bar of "-" at rows 6..7 (3rd font row, scale 2) from x = 1
    expect(img.rgb[(0 * 14 + 0) * 3 + 2]).toBe(255); // background box starts one font pixel (2 px) before the text
    expect(() => drawText(img, 'WIDE TEXT', 10, 12, [255, 0, 0], 3)).not.toThrow();
  });

  it('draws a character without a glyph as a hollow box', () => {
    const img = blank(5, 7);
    drawText(img, '~', 0, 0, [255, 0, 0]);
    expect(art(img)).toEqual(['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####']);
  });
});
