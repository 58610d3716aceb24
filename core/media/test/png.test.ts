import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { FaceFrame, Frame } from '../../types.ts';
import { decodePng, drawDot, drawFaceOverlay, drawLine, encodePng, renderFolderName, writeClipRenders } from '../png.ts';

const gradient = (width: number, height: number): Frame => {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set([p % 256, (p * 7) % 256, (p * 13) % 256], p * 3);
  return { width, height, rgb, sourceIndex: 0 };
};
const at = (img: { width: number; rgb: Uint8Array }, x: number, y: number) =>
  Array.from(img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

describe('encodePng / decodePng', () => {
  it('round-trips RGB24 losslessly and writes a real PNG', async () => {
    const img = gradient(37, 19);
    const png = await encodePng(img.rgb, img.width, img.height);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 37, 19, 3]);
    const back = await decodePng(png);
    expect([back.width, back.height]).toEqual([37, 19]);
    expect(back.rgb).toEqual(img.rgb);
  });

  it('rejects a buffer that does not match width x height x 3', async () => {
    await expect(encodePng(new Uint8Array(10), 2, 2)).rejects.toMatchObject({ code: 'IMAGE_BUFFER_MISMATCH' });
  });
});

describe('drawing', () => {
  it('draws lines between both end points, clipped to the image', () => {
    const img = { width: 10, height: 10, rgb: new Uint8Array(300) };
    drawLine(img, 1, 1, 8, 4, [255, 0, 0]);
    expect(at(img, 1, 1)).toEqual([255, 0, 0]);
    expect(at(img, 8, 4)).toEqual([255, 0, 0]);
    let lit = 0;
    for (let p = 0; p < 100; p++) if (img.rgb[p * 3] === 255) lit++;
    expect(lit).toBe(8); // one pixel per column for a shallow line
    drawLine(img, -20, 5, 30, 5, [0, 255, 0]);
    for (let x = 0; x < 10; x++) expect(at(img, x, 5)).toEqual([0, 255, 0]);
  });

  it('draws filled dots of the given radius', () => {
    const img = { width: 9, height: 9, rgb: new Uint8Array(243) };
    drawDot(img, 4, 4, 2, [1, 2, 3]);
    let lit = 0;
    for (let p = 0; p < 81; p++) if (img.rgb[p * 3] === 1) lit++;
    expect(lit).toBe(13); // lattice points with dx^2 + dy^2 <= 4
  });
});

describe('drawFaceOverlay', () => {
  const frame = gradient(64, 48);
  const mesh = new Float32Array(468 * 3);
  for (let k = 0; k < 468; k++) mesh.set([20 + (k % 20), 15 + Math.floor(k / 20) % 20, 0], 3 * k);
  const face: FaceFrame = { box: [10, 8, 50, 44], score: 0.9, mesh };

  it('returns a copy with the box and mesh drawn, leaving the input intact', () => {
    const before = frame.rgb.slice();
    const out = drawFaceOverlay(frame, face, { dotRadius: 0 });
    expect(frame.rgb).toEqual(before);
    expect(out.rgb).not.toBe(frame.rgb);
    expect([out.width, out.height, out.sourceIndex]).toEqual([64, 48, 0]);
    expect(at(out, 10, 8)).toEqual([0, 255, 0]); // box corner
    expect(at(out, 49, 30)).toEqual([0, 255, 0]); // right edge (x1 - 1)
    expect(at(out, 25, 20)).toEqual([255, 64, 64]); // a mesh point
    expect(at(out, 5, 5)).toEqual(at(frame, 5, 5)); // outside everything
  });

  it('draws requested mesh contours', () => {
    const moved = mesh.slice();
    moved.set([5, 40, 0], 0);
    moved.set([60, 40, 0], 3);
    const out = drawFaceOverlay(frame, { ...face, mesh: moved }, { contours: [[0, 1]], contourColour: [9, 9, 9], dotRadius: 0 });
    // Points 0 and 1 are now (5, 40) and (60, 40), off the grid of the other points.
    for (const x of [6, 30, 59]) expect(at(out, x, 40)).toEqual([9, 9, 9]);
    expect(at(out, 30, 41)).toEqual(at(frame, 30, 41));
  });

  it('copies a frame without a face unchanged', () => {
    const out = drawFaceOverlay(frame, { box: null, score: 0, mesh: null });
    expect(out.rgb).toEqual(frame.rgb);
  });
});

describe('writeClipRenders', () => {
  it('writes one PNG per item under DIR/<clip id>/<kind>-<index>.png', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-renders-'));
    tempDirs.push(dir);
    const a = gradient(8, 8);
    const b = gradient(4, 6);
    const paths = await writeClipRenders(dir, 'clip/01', [
      { index: 0, kind: 'frame', image: a },
      { index: 12, kind: 'parsing', image: b },
    ]);
    expect(paths).toEqual([join(dir, 'clip_01', 'frame-000.png'), join(dir, 'clip_01', 'parsing-012.png')]);
    expect((await readdir(join(dir, 'clip_01'))).sort()).toEqual(['frame-000.png', 'parsing-012.png']);
    const back = await decodePng(await readFile(paths[1]));
    expect(back.rgb).toEqual(b.rgb);
  });

  it('keeps clip ids as single safe folder names', () => {
    expect(renderFolderName('../../etc')).toBe('.._.._etc');
    expect(renderFolderName('..')).toBe('_');
    expect(renderFolderName('')).toBe('_');
    expect(renderFolderName('DFEW_00012.mp4')).toBe('DFEW_00012.mp4');
  });

  it('reports an unwritable folder as RENDER_WRITE_FAILED', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-renders-'));
    tempDirs.push(dir);
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    await expect(writeClipRenders(blocker, 'c', [{ index: 0, kind: 'frame', image: gradient(2, 2) }]))
      .rejects.toMatchObject({ code: 'RENDER_WRITE_FAILED' });
  });
});
