import { describe, expect, it } from 'vitest';
import { PARSING_CLASSES, PARSING_LABEL, PARSING_PALETTE } from '../src/classes.ts';
import { parseFromMesh } from '../src/parse-from-mesh.ts';
import { renderParsing } from '../src/render-parsing.ts';
import { canonicalFace } from './canonical-face.ts';

const pixel = (rgb: Uint8Array, size: number, i: number, j: number) => Array.from(rgb.subarray((j * size + i) * 3, (j * size + i) * 3 + 3));

describe('PARSING_PALETTE', () => {
  it('gives every class a distinct colour and background black', () => {
    const keys = new Set(PARSING_CLASSES.map((c) => PARSING_PALETTE[c].join(',')));
    expect(keys.size).toBe(PARSING_CLASSES.length);
    expect(PARSING_PALETTE.background).toEqual([0, 0, 0]);
  });
});

describe('renderParsing', () => {
  it('paints each pixel with its class colour', () => {
    const size = 4;
    const labels = Uint8Array.from({ length: 16 }, (_, p) => p % PARSING_CLASSES.length);
    labels[15] = 200; // not a class: renders black
    const { width, height, rgb } = renderParsing({ size, labels });
    expect([width, height, rgb.length]).toEqual([4, 4, 48]);
    for (let p = 0; p < 15; p++) {
      expect(pixel(rgb, size, p % 4, Math.floor(p / 4))).toEqual([...PARSING_PALETTE[PARSING_CLASSES[labels[p]]]]);
    }
    expect(pixel(rgb, size, 3, 3)).toEqual([0, 0, 0]);
  });

  it('blends class colours over a base image with alpha, leaving background untouched', () => {
    const size = 2;
    const labels = Uint8Array.from([PARSING_LABEL.background, PARSING_LABEL.skin, PARSING_LABEL.nose, PARSING_LABEL.upper_lip]);
    const base = { width: 2, height: 2, rgb: new Uint8Array(12).fill(100) };
    const { rgb } = renderParsing({ size, labels }, { over: base, alpha: 0.25 });
    expect(pixel(rgb, size, 0, 0)).toEqual([100, 100, 100]);
    const expected = PARSING_PALETTE.skin.map((c) => Math.round(0.25 * c + 0.75 * 100));
    expect(pixel(rgb, size, 1, 0)).toEqual(expected);
  });

  it('rejects a base image of the wrong size', () => {
    const base = { width: 3, height: 3, rgb: new Uint8Array(27) };
    expect(() => renderParsing({ size: 2, labels: new Uint8Array(4) }, { over: base }))
      .toThrow(expect.objectContaining({ code: 'IMAGE_BUFFER_MISMATCH' }));
  });

  it('renders the canonical face with the eye colours on the documented sides', () => {
    const map = parseFromMesh(canonicalFace(0, 0, 224));
    const { rgb } = renderParsing(map);
    const colourAt = (name: (typeof PARSING_CLASSES)[number]) => {
      const target = PARSING_LABEL[name];
      const p = map.labels.findIndex((l) => l === target);
      return { x: p % 224, colour: pixel(rgb, 224, p % 224, Math.floor(p / 224)) };
    };
    const right = colourAt('right_eye');
    const left = colourAt('left_eye');
    expect(right.colour).toEqual([...PARSING_PALETTE.right_eye]);
    expect(left.colour).toEqual([...PARSING_PALETTE.left_eye]);
    expect(right.x).toBeLessThan(left.x);
  });
});
