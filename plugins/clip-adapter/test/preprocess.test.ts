import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  clipPreprocessing, parsePreprocessorConfig, readPreprocessorConfig, resizedSize, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD,
  type ImagePreprocessing,
} from '../src/preprocess/preprocessor-config.ts';
import { packPixelValues, readImageFrame, resizeForClip, writePixelValues, type RgbImage } from '../src/preprocess/pixel-values.ts';
import { SeededRandom } from '../src/demo/tiny-clip/seeded-random.ts';
import { facesDir, haveSharedFile } from './shared-data.ts';

const image = (width: number, height: number, fill: (x: number, y: number, c: number) => number): RgbImage => {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = fill(x, y, c);
  return { width, height, rgb };
};
const norm = (v: number, c: number) => (v / 255 - CLIP_IMAGE_MEAN[c]) / CLIP_IMAGE_STD[c];

/** PIL's separable bicubic resample (a = -0.5, antialiased on downscale), rounded to uint8 after each pass. */
function pilBicubic(img: RgbImage, outW: number, outH: number): RgbImage {
  const cubic = (t: number) => { const x = Math.abs(t); return x <= 1 ? 1.5 * x ** 3 - 2.5 * x ** 2 + 1 : x < 2 ? -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2 : 0; };
  const pass = (src: (i: number) => number, inSize: number, outSize: number, write: (o: number, v: number) => void) => {
    const scale = inSize / outSize;
    const fs = Math.max(scale, 1);
    for (let o = 0; o < outSize; o++) {
      const center = (o + 0.5) * scale;
      const lo = Math.max(0, Math.floor(center - 2 * fs + 0.5));
      const hi = Math.min(inSize, Math.floor(center + 2 * fs + 0.5));
      let acc = 0, sum = 0;
      for (let i = lo; i < hi; i++) { const w = cubic((i - center + 0.5) / fs); acc += w * src(i); sum += w; }
      write(o, Math.min(255, Math.max(0, Math.round(acc / sum))));
    }
  };
  const mid = new Uint8Array(outW * img.height * 3);
  for (let y = 0; y < img.height; y++) for (let c = 0; c < 3; c++) {
    pass((i) => img.rgb[(y * img.width + i) * 3 + c], img.width, outW, (o, v) => { mid[(y * outW + o) * 3 + c] = v; });
  }
  const out = new Uint8Array(outW * outH * 3);
  for (let x = 0; x < outW; x++) for (let c = 0; c < 3; c++) {
    pass((i) => mid[(i * outW + x) * 3 + c], img.height, outH, (o, v) => { out[(o * outW + x) * 3 + c] = v; });
  }
  return { width: outW, height: outH, rgb: out };
}

describe('preprocessor_config.json', () => {
  it('reads the Hugging Face CLIP spelling', () => {
    const p = parsePreprocessorConfig({
      crop_size: { height: 224, width: 224 }, do_center_crop: true, do_normalize: true, do_resize: true,
      image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.5, 1], resample: 3, rescale_factor: 1 / 255, size: { shortest_edge: 224 },
    });
    expect(p).toEqual({
      resize: { shortestEdge: 224 }, crop: { width: 224, height: 224 }, rescale: 1 / 255,
      normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] }, kernel: 'cubic',
    });
  });

  it('reads the old integer spelling and falls back to CLIP mean/std', () => {
    const p = parsePreprocessorConfig({ size: 224, crop_size: 224, resample: 2, do_center_crop: true });
    expect(p.resize).toEqual({ shortestEdge: 224 });
    expect(p.crop).toEqual({ width: 224, height: 224 });
    expect(p.kernel).toBe('linear');
    expect(p.normalize?.mean).toEqual([...CLIP_IMAGE_MEAN]);
  });

  it.each([
    [[1, 2], 'not a JSON object'],
    [{ size: 224, resample: 4 }, 'resample 4 is not supported'],
    [{ size: 224, do_center_crop: true }, 'crop_size is missing'],
    [{ size: 0 }, 'size must be a positive integer'],
    [{ size: { longest_edge: 3 } }, 'size must be a number, {shortest_edge}'],
    [{ size: 224, image_mean: [0.5, 0.5] }, 'image_mean must be three numbers'],
    [{ size: 224, image_std: [1, 0, 1] }, 'image_std must be positive'],
  ])('rejects %j with a clear message', (raw, message) => {
    expect(() => parsePreprocessorConfig(raw, 'cfg.json')).toThrow(expect.objectContaining({ code: 'PREPROCESSOR_CONFIG_INVALID', message: expect.stringContaining(message) }));
  });

  it('reports a missing or broken file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-pre-'));
    await expect(readPreprocessorConfig(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await writeFile(join(dir, 'bad.json'), '{ size: ');
    await expect(readPreprocessorConfig(join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'PREPROCESSOR_CONFIG_INVALID' });
  });

  it('resizes the short side and floors the long side, like Hugging Face', () => {
    const p = clipPreprocessing(224);
    expect(resizedSize(p, 640, 480)).toEqual({ width: 298, height: 224 });
    expect(resizedSize(p, 480, 640)).toEqual({ width: 224, height: 298 });
    expect(resizedSize(p, 100, 100)).toEqual({ width: 224, height: 224 });
  });
});

describe('pixel_values', () => {
  const noResize: ImagePreprocessing = { ...clipPreprocessing(4), resize: null };

  it('centre-crops, rescales and normalises to CHW (hand-computed pixels)', () => {
    // 6x4 source, 4x4 crop: left = floor((6 - 4) / 2) = 1, top = 0.
    const src = image(6, 4, (x, y, c) => (x * 40 + y * 10 + c * 3) % 256);
    src.rgb.set([10, 200, 255], (0 * 6 + 1) * 3); // source (1, 0) -> output (0, 0)
    const out = new Float32Array(3 * 16);
    writePixelValues(src, noResize, out);
    // (10/255 - 0.48145466) / 0.26862954, (200/255 - 0.4578275) / 0.26130258, (255/255 - 0.40821073) / 0.27577711
    expect(out[0]).toBeCloseTo(-1.6462783, 5);
    expect(out[16]).toBeCloseTo(1.2494566, 5);
    expect(out[32]).toBeCloseTo(2.1458970, 5);
    // output (x=3, y=2) is source (4, 2): channel 1 value (4*40 + 2*10 + 3) % 256 = 183
    expect(out[16 + 2 * 4 + 3]).toBeCloseTo(norm(183, 1), 5);
  });

  it('pads a source smaller than the crop with black, centred', () => {
    const src = image(2, 2, () => 255);
    const out = new Float32Array(3 * 16);
    writePixelValues(src, noResize, out); // offset -1 on both axes
    expect(out[0]).toBeCloseTo(norm(0, 0), 6);
    expect(out[1 * 4 + 1]).toBeCloseTo(norm(255, 0), 6);
    expect(out[2 * 4 + 2]).toBeCloseTo(norm(255, 0), 6);
    expect(out[3 * 4 + 3]).toBeCloseTo(norm(0, 0), 6);
  });

  // Plain sharp upscaling is off by up to 8 levels here (its sampling grid is shifted); PIL's grid gives <= 2.
  it.each([
    ['downscale', 64, 48, 24],
    ['upscale', 20, 15, 48],
    ['upscale, odd ratio', 21, 16, 32],
  ])('%s matches PIL bicubic within 2 levels', async (_name, w, h, short) => {
    const rng = new SeededRandom(3);
    // Photo-like content: smooth shading plus mild noise.
    const src = image(w, h, (x, y, c) => Math.round(127 + 90 * Math.sin((x / w) * 5 + c) * Math.cos((y / h) * 4) + 6 * (rng.next() - 0.5)));
    const p = clipPreprocessing(short);
    const target = resizedSize(p, w, h);
    const got = await resizeForClip(src, p);
    const want = pilBicubic(src, target.width, target.height);
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    let worst = 0, total = 0;
    for (let i = 0; i < want.rgb.length; i++) { const d = Math.abs(got.rgb[i] - want.rgb[i]); worst = Math.max(worst, d); total += d; }
    expect(worst).toBeLessThanOrEqual(2);
    expect(total / want.rgb.length).toBeLessThan(0.25);
  });

  it('packs a batch of different-size frames into [B, 3, H, W]', async () => {
    const p = clipPreprocessing(8);
    const red = image(16, 12, (_x, _y, c) => (c === 0 ? 255 : 0));
    const grey = image(9, 20, () => 128);
    const { data, dims } = await packPixelValues([red, grey], p);
    expect(dims).toEqual([2, 3, 8, 8]);
    // Uniform images stay uniform through any resize: check every value of both.
    for (let c = 0; c < 3; c++) for (let i = 0; i < 64; i++) {
      expect(data[c * 64 + i]).toBeCloseTo(norm(c === 0 ? 255 : 0, c), 5);
      expect(data[192 + c * 64 + i]).toBeCloseTo(norm(128, c), 5);
    }
  });

  it('rejects bad frames and mixed sizes without a crop', async () => {
    await expect(packPixelValues([{ width: 4, height: 4, rgb: new Uint8Array(10) }], clipPreprocessing(4))).rejects.toMatchObject({ code: 'BAD_FRAME' });
    const noCrop: ImagePreprocessing = { ...clipPreprocessing(4), crop: null };
    await expect(packPixelValues([image(4, 4, () => 0), image(8, 4, () => 0)], noCrop)).rejects.toMatchObject({ code: 'BAD_FRAME' });
    await expect(packPixelValues([], clipPreprocessing(4))).rejects.toMatchObject({ code: 'CLIP_INPUT_INVALID' });
  });
});

describe('image files', () => {
  it('decodes greyscale and RGBA files to RGB24', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-img-'));
    const grey = join(dir, 'grey.png');
    await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(grey);
    const frame = await readImageFrame(grey);
    expect([frame.width, frame.height, frame.rgb.length]).toEqual([2, 2, 12]);
    expect(Array.from(frame.rgb.subarray(3, 6))).toEqual([64, 64, 64]);
    const rgba = join(dir, 'rgba.png');
    await sharp(Buffer.from([255, 0, 0, 128, 0, 255, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(rgba);
    expect(Array.from((await readImageFrame(rgba)).rgb)).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it('names missing and undecodable files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-img-'));
    await expect(readImageFrame(join(dir, 'none.png'))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    await writeFile(join(dir, 'text.png'), 'not an image');
    await expect(readImageFrame(join(dir, 'text.png'))).rejects.toMatchObject({ code: 'MEDIA_DECODE_FAILED' });
  });

  it.runIf(haveSharedFile(join(facesDir, 'astronaut.png')))('preprocesses a real photo to 224x224', async () => {
    const frame = await readImageFrame(join(facesDir, 'astronaut.png'));
    const { data, dims } = await packPixelValues([frame], clipPreprocessing(224));
    expect(dims).toEqual([1, 3, 224, 224]);
    const min = data.reduce((a, b) => Math.min(a, b));
    const max = data.reduce((a, b) => Math.max(a, b));
    expect(min).toBeGreaterThanOrEqual(norm(0, 0) - 1e-4);
    expect(max).toBeLessThanOrEqual(norm(255, 2) + 1e-4);
    expect(max - min).toBeGreaterThan(3); // a real photo spans most of the range
  });
});
