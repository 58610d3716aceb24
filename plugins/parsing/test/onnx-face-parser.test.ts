import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '@visage/core/models';
import type { RgbImage } from '@visage/core/media';
import { PARSING_CLASSES, PARSING_LABEL, type ParsingClass } from '../src/classes.ts';
import { OnnxFaceParser } from '../src/onnx-face-parser.ts';
import { parsingStats } from '../src/parsing-stats.ts';

/** torchvision ImageNet statistics, as zllrunning/face-parsing.PyTorch `test.py` normalises (written out, not imported). */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

/**
 * A tiny BiSeNet-shaped parser: a 1x1 conv whose logit for selected channels is one colour
 * channel of the UN-normalised pixel (weight = std, bias = mean undoes ImageNet normalisation),
 * background is a constant 0.5, every other channel -10; then an 8x8 average pool, so the
 * output is [1, C, S/8, S/8] like a real parser's lower-resolution logits.
 * A pixel therefore gets the class of its brightest selected colour if that is above 0.5.
 */
function colourParserModel(colourOfChannel: Record<number, 0 | 1 | 2>, opts: { channels?: number; inputSize?: number } = {}): Uint8Array {
  const channels = opts.channels ?? 19;
  const s = opts.inputSize ?? 512;
  const w = new Float32Array(channels * 3);
  const b = new Float32Array(channels).fill(-10);
  b[0] = 0.5;
  for (const [k, c] of Object.entries(colourOfChannel)) {
    w[Number(k) * 3 + c] = IMAGENET_STD[c];
    b[Number(k)] = IMAGENET_MEAN[c];
  }
  const g = new OnnxGraphBuilder('colour-parser');
  g.addInput('input', 'float32', [1, 3, s, s]);
  g.addInitializer('w', w, [channels, 3, 1, 1]);
  g.addInitializer('b', b, [channels]);
  const conv = g.op('Conv', ['input', 'w', 'b']);
  g.op('AveragePool', [conv], { kernel_shape: [8, 8], strides: [8, 8] }, 'logits');
  g.addOutput('logits', 'float32', [1, channels, s / 8, s / 8]);
  return g.serialize();
}

/** BiSeNet channels: 1 skin, 4 l_eye, 10 nose, 12 u_lip. */
const BISENET_RGB = colourParserModel({ 1: 0, 10: 1, 12: 2 });

/** Uniform test frames are crop-sized (512) where exact areas are asserted: resampling a smaller
 * frame up blends the frame edge with the black outside (core/models/image-warp.ts). */
function image(width: number, height: number, paint: (x: number, y: number) => [number, number, number]): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(paint(x, y), (y * width + x) * 3);
  return { width, height, rgb };
}
const labelAt = (map: { size: number; labels: Uint8Array }, x: number, y: number): ParsingClass => PARSING_CLASSES[map.labels[y * map.size + x]];

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

describe('OnnxFaceParser with a generated BiSeNet-shaped model', () => {
  it('normalises RGB with ImageNet statistics and maps BiSeNet channels onto Visage classes', async () => {
    const parser = await OnnxFaceParser.load(BISENET_RGB);
    const frame = image(128, 128, (x, y) => (y < 64 ? (x < 64 ? [255, 0, 0] : [0, 255, 0]) : x < 64 ? [0, 0, 255] : [0, 0, 0]));
    const map = await parser.parse(frame, { box: [0, 0, 128, 128] });
    expect(map.size).toBe(224);
    expect(labelAt(map, 56, 56)).toBe('skin');
    expect(labelAt(map, 168, 56)).toBe('nose');
    expect(labelAt(map, 56, 168)).toBe('upper_lip');
    expect(labelAt(map, 168, 168)).toBe('background');
    const stats = parsingStats(map);
    for (const name of ['skin', 'nose', 'upper_lip', 'background'] as const) {
      expect(Math.abs(stats[name].area - 0.25), name).toBeLessThan(0.02);
    }
    await parser.release();
  });

  it('puts the decision threshold where the normalisation says (0.5 of full red)', async () => {
    const parser = await OnnxFaceParser.load(BISENET_RGB);
    // Red 140/255 = 0.549 beats the background's 0.5; 115/255 = 0.451 does not. Skipping the
    // normalisation would turn the second into skin (0.229 * 0.451 + 0.485 > 0.5).
    const above = await parser.parse(image(512, 512, () => [140, 0, 0]), null);
    const below = await parser.parse(image(512, 512, () => [115, 0, 0]), null);
    expect(parsingStats(above).skin.area).toBe(1);
    expect(parsingStats(below).background.area).toBe(1);
    await parser.release();
  });

  it('parses the face box of the frame, padding outside the frame with black', async () => {
    const parser = await OnnxFaceParser.load(BISENET_RGB);
    const frame = image(300, 200, (x, y) => (x >= 100 && x < 200 && y >= 50 && y < 150 ? [255, 0, 0] : [0, 0, 0]));
    const tight = parsingStats(await parser.parse(frame, { box: [100, 50, 200, 150] }));
    expect(tight.skin.area).toBeGreaterThan(0.97);
    const loose = parsingStats(await parser.parse(frame, { box: [50, 0, 250, 200] }));
    expect(Math.abs(loose.skin.area - 0.25)).toBeLessThan(0.02);
    expect(loose.skin.centroid![0]).toBeCloseTo(112, 0);
    // A box hanging off the top-left corner of an all-red frame: only its bottom-right quarter is inside.
    const red = image(100, 100, () => [255, 0, 0]);
    const off = await parser.parse(red, { box: [-100, -100, 100, 100] });
    expect(labelAt(off, 200, 200)).toBe('skin');
    expect(labelAt(off, 20, 20)).toBe('background');
    expect(labelAt(off, 200, 20)).toBe('background');
    expect(Math.abs(parsingStats(off).skin.area - 0.25)).toBeLessThan(0.02);
    await parser.release();
  });

  it('samples through a given crop map (here a 90-degree rotation)', async () => {
    const parser = await OnnxFaceParser.load(BISENET_RGB);
    const frame = image(512, 512, (x, y) => (y < 256 ? (x < 256 ? [255, 0, 0] : [0, 255, 0]) : x < 256 ? [0, 0, 255] : [0, 0, 0]));
    const s = 512 / 224;
    // Crop (u, v) -> source (v*s, 512 - u*s): the crop's top-left shows the frame's bottom-left.
    const map = await parser.parse(frame, { box: [0, 0, 512, 512] }, [0, s, 0, -s, 0, 512]);
    expect(labelAt(map, 56, 56)).toBe('upper_lip');
    expect(labelAt(map, 168, 56)).toBe('skin');
    expect(labelAt(map, 168, 168)).toBe('nose');
    expect(labelAt(map, 56, 168)).toBe('background');
    await parser.release();
  });

  it('parses the centred square of the frame when there is no face box', async () => {
    const parser = await OnnxFaceParser.load(BISENET_RGB);
    const frame = image(300, 100, (x) => (x >= 100 && x < 200 ? [255, 0, 0] : [0, 255, 0]));
    const stats = parsingStats(await parser.parse(frame, { box: null }));
    expect(stats.skin.area).toBeGreaterThan(0.97);
    await parser.release();
  });

  it('resolves l_/r_ labels by the configured side convention', async () => {
    const eyeModel = colourParserModel({ 4: 0 }); // BiSeNet channel 4 = l_eye, driven by red
    const red = image(512, 512, () => [255, 0, 0]);
    const area = async (sides: 'geometry' | 'image' | 'subject') => {
      const parser = await OnnxFaceParser.load(eyeModel, { sides });
      const map = await parser.parse(red, null);
      await parser.release();
      return { map, stats: parsingStats(map) };
    };
    const geometry = await area('geometry');
    expect(geometry.stats.right_eye.area).toBeCloseTo(0.5, 5);
    expect(geometry.stats.left_eye.area).toBeCloseTo(0.5, 5);
    expect(labelAt(geometry.map, 10, 100)).toBe('right_eye'); // image left = subject's right
    expect((await area('image')).stats.right_eye.area).toBe(1);
    expect((await area('subject')).stats.left_eye.area).toBe(1);
  });

  it('reads the official CelebAMask-HQ channel order when told to', async () => {
    const model = colourParserModel({ 2: 1 }); // CelebAMask-HQ channel 2 = nose; in BiSeNet order it is l_brow
    const green = image(512, 512, () => [0, 255, 0]);
    const official = await OnnxFaceParser.load(model, { labels: 'celebamask-hq' });
    expect(parsingStats(await official.parse(green, null)).nose.area).toBe(1);
    const bisenet = await OnnxFaceParser.load(model, { sides: 'subject' });
    expect(parsingStats(await bisenet.parse(green, null)).left_brow.area).toBe(1);
    const remapped = await OnnxFaceParser.load(model, { classOverrides: { l_brow: 'skin' } });
    expect(parsingStats(await remapped.parse(green, null)).skin.area).toBe(1);
    await official.release();
    await bisenet.release();
    await remapped.release();
  });

  it('loads from a file path and honours the map size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-parser-'));
    tempDirs.push(dir);
    const path = join(dir, 'parser.onnx');
    await writeFile(path, BISENET_RGB);
    const parser = await OnnxFaceParser.load(path, { size: 100 });
    const map = await parser.parse(image(512, 512, () => [0, 0, 255]), null);
    expect(map.labels.length).toBe(100 * 100);
    expect(map.labels.every((l) => l === PARSING_LABEL.upper_lip)).toBe(true);
    await parser.release();
  });
});

describe('OnnxFaceParser errors', () => {
  it('reports a missing model file as MODEL_NOT_FOUND', async () => {
    await expect(OnnxFaceParser.load('/nonexistent/face-parser.onnx')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('reports wrong channel counts, input sizes and unreadable bytes as MODEL_SIGNATURE_MISMATCH', async () => {
    await expect(OnnxFaceParser.load(colourParserModel({ 1: 0 }, { channels: 5 })))
      .rejects.toMatchObject({ code: 'MODEL_SIGNATURE_MISMATCH', message: expect.stringContaining('[1, 5, 64, 64]') });
    await expect(OnnxFaceParser.load(colourParserModel({ 1: 0 }, { inputSize: 256 })))
      .rejects.toMatchObject({ code: 'MODEL_SIGNATURE_MISMATCH', message: expect.stringContaining('[1, 3, 256, 256]') });
    await expect(OnnxFaceParser.load(new Uint8Array([1, 2, 3, 4, 5])))
      .rejects.toMatchObject({ code: 'MODEL_SIGNATURE_MISMATCH' });
  });

  it('accepts a smaller model when inputSize says so', async () => {
    const parser = await OnnxFaceParser.load(colourParserModel({ 1: 0 }, { inputSize: 256 }), { inputSize: 256 });
    expect(parsingStats(await parser.parse(image(256, 256, () => [255, 0, 0]), null)).skin.area).toBe(1);
    await parser.release();
  });
});
