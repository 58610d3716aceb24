/**
 * A 5x7 bitmap font drawn straight into RGB24 buffers, for captions on renders (frame numbers, times,
 * legends, plot labels). Built in because a fresh CI machine has no fonts and the renders must not
 * depend on one. Upper-case letters, digits and a few symbols; lower case draws as upper case; a
 * character without a glyph draws as a hollow box, so a missing glyph shows instead of vanishing.
 */
import type { RgbImage } from './png.ts';

export type Rgb = readonly [number, number, number];

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character, in font pixels (glyph plus one column of spacing). */
const ADVANCE = GLYPH_WIDTH + 1;

/** Rows top to bottom, '#' = ink. */
const GLYPHS: Record<string, string> = {
  A: '.###. #...# #...# ##### #...# #...# #...#', B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.', D: '####. #...# #...# #...# #...# #...# ####.',
  E: '##### #.... #.... ####. #.... #.... #####', F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####', H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.', J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#', L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#', N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.', P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#', R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.', T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.', V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.', X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..', Z: '##### ....# ...#. ..#.. .#... #.... #####',
  0: '.###. #...# #..## #.#.# ##..# #...# .###.', 1: '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  2: '.###. #...# ....# ...#. ..#.. .#... #####', 3: '####. ....# ....# .###. ....# ....# ####.',
  4: '...#. ..##. .#.#. #..#. ##### ...#. ...#.', 5: '##### #.... ####. ....# ....# #...# .###.',
  6: '..##. .#... #.... ####. #...# #...# .###.', 7: '##### ....# ...#. ..#.. .#... .#... .#...',
  8: '.###. #...# #...# .###. #...# #...# .###.', 9: '.###. #...# #...# .#### ....# ...#. .##..',
  ' ': '..... ..... ..... ..... ..... ..... .....', '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...', ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '-': '..... ..... ..... ##### ..... ..... .....', '_': '..... ..... ..... ..... ..... ..... #####',
  '/': '....# ....# ...#. ..#.. .#... #.... #....', '=': '..... ..... ##### ..... ##### ..... .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.', ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '%': '##..# ##..# ...#. ..#.. .#... #..## #..##', '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....', '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
};
const MISSING = '##### #...# #...# #...# #...# #...# #####';

const BITMAPS: Map<string, boolean[][]> = new Map(
  [...Object.entries(GLYPHS), ['\u0000', MISSING]].map(([ch, art]) => [ch, art.split(' ').map((row) => [...row].map((c) => c === '#'))]),
);

/** Width and height in pixels of `text` drawn at `scale`. */
export function textSize(text: string, scale = 1): { width: number; height: number } {
  return { width: text.length ? (text.length * ADVANCE - 1) * scale : 0, height: GLYPH_HEIGHT * scale };
}

/**
 * Draws `text` with its top-left corner at (x, y), `scale` pixels per font pixel. With `background`,
 * a box one font pixel wider on every side is filled first, so captions stay legible on any image.
 * Pixels outside the image are skipped.
 */
export function drawText(img: RgbImage, text: string, x: number, y: number, colour: Rgb, scale = 1, background?: Rgb): void {
  const put = (px: number, py: number, c: Rgb) => {
    if (px < 0 || py < 0 || px >= img.width || py >= img.height) return;
    img.rgb.set(c, (py * img.width + px) * 3);
  };
  if (background) {
    const { width, height } = textSize(text, scale);
    for (let py = y - scale; py < y + height + scale; py++) for (let px = x - scale; px < x + width + scale; px++) put(px, py, background);
  }
  [...text.toUpperCase()].forEach((ch, k) => {
    const rows = BITMAPS.get(ch) ?? BITMAPS.get('\u0000')!;
    const gx = x + k * ADVANCE * scale;
    rows.forEach((row, r) => row.forEach((ink, col) => {
      if (!ink) return;
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) put(gx + col * scale + dx, y + r * scale + dy, colour);
    }));
  });
}
