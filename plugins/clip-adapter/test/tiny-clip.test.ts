import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosine, loadClip, type ClipModel } from '../src/model/clip-model.ts';
import { readImageFrame, type RgbImage } from '../src/preprocess/pixel-values.ts';
import { SeededRandom } from '../src/demo/tiny-clip/seeded-random.ts';
import { writeTinyClip } from '../src/demo/tiny-clip/tiny-clip.ts';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer.ts';
import { clipVocabPath, facesDir, haveSharedFile } from './shared-data.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'visage-tiny-clip-'));
const norm = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/** A frame of one colour with a little per-pixel noise, so it is not trivially uniform. */
function colourFrame(rgb: [number, number, number], width = 40, height = 30, seed = 1): RgbImage {
  const rng = new SeededRandom(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c] + (rng.next() - 0.5) * 60)));
  }
  return { width, height, rgb: data };
}
const RED: [number, number, number] = [230, 20, 30];
const GREEN: [number, number, number] = [20, 220, 40];
const BLUE: [number, number, number] = [25, 30, 235];
const TEXTS = ['a photo of a red face', 'a photo of a green face', 'a photo of a blue face'];

describe('writeTinyClip', () => {
  it('is deterministic: same seed, same bytes; another seed, other weights', async () => {
    const [a, b, c] = await Promise.all([tmp(), tmp(), tmp()]);
    await writeTinyClip(a, { seed: 7 });
    await writeTinyClip(b, { seed: 7 });
    await writeTinyClip(c, { seed: 8 });
    for (const f of ['vision_model.onnx', 'text_model.onnx', 'tokenizer.json', 'preprocessor_config.json']) {
      expect(Buffer.compare(await readFile(join(a, f)), await readFile(join(b, f)))).toBe(0);
    }
    expect(Buffer.compare(await readFile(join(a, 'vision_model.onnx')), await readFile(join(c, 'vision_model.onnx')))).not.toBe(0);
  });

  it('writes the Hugging Face input/output names and shapes', async () => {
    const dir = await tmp();
    await writeTinyClip(dir, { imageSize: 48, patchSize: 16, embedDim: 24 });
    const vision = await ort.InferenceSession.create(join(dir, 'vision_model.onnx'));
    const text = await ort.InferenceSession.create(join(dir, 'text_model.onnx'));
    expect(vision.inputMetadata).toEqual([{ name: 'pixel_values', isTensor: true, type: 'float32', shape: ['batch_size', 3, 48, 48] }]);
    expect(vision.outputMetadata).toEqual([{ name: 'image_embeds', isTensor: true, type: 'float32', shape: ['batch_size', 24] }]);
    expect(text.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(text.outputMetadata).toEqual([{ name: 'text_embeds', isTensor: true, type: 'float32', shape: ['batch_size', 24] }]);
    const out = await vision.run({ pixel_values: new ort.Tensor('float32', new Float32Array(2 * 3 * 48 * 48).fill(0.5), [2, 3, 48, 48]) });
    expect(out.image_embeds.dims).toEqual([2, 24]);
  });

  it('rejects an image size that is not a multiple of the patch', async () => {
    await expect(writeTinyClip(await tmp(), { imageSize: 30, patchSize: 8 })).rejects.toThrow(/multiple of patch size/);
  });
});

describe('tiny CLIP through ClipModel', () => {
  let model: ClipModel;
  let dir: string;
  beforeAll(async () => {
    dir = await tmp();
    await writeTinyClip(dir, { seed: 3 });
    model = await loadClip(dir);
  });

  it('returns unit-norm embeddings, deterministic across calls', async () => {
    const frames = [colourFrame(RED), colourFrame(BLUE, 17, 33)];
    const a = await model.encodeImages(frames);
    const b = await model.encodeImages(frames);
    expect(a).toHaveLength(2);
    for (const v of a) { expect(v).toHaveLength(16); expect(norm(v)).toBeCloseTo(1, 5); }
    expect(a).toEqual(b);
    const t = await model.encodeTexts(TEXTS);
    for (const v of t) expect(norm(v)).toBeCloseTo(1, 5);
    const raw = await model.encodeTexts(TEXTS.slice(0, 1), { normalize: false });
    expect(Math.abs(norm(raw[0]) - 1)).toBeGreaterThan(1e-3);
    for (let i = 0; i < 16; i++) expect(t[0][i]).toBeCloseTo(raw[0][i] / norm(raw[0]), 6);
  });

  it('matches each colour image to its colour word (image and text paths agree)', async () => {
    const images = await model.encodeImages([colourFrame(RED), colourFrame(GREEN), colourFrame(BLUE)]);
    const texts = await model.encodeTexts(TEXTS);
    for (let i = 0; i < 3; i++) {
      const sims = texts.map((t) => cosine(images[i], t));
      expect(sims.indexOf(Math.max(...sims))).toBe(i);
      expect(sims[i]).toBeGreaterThan(0.8);
      for (let j = 0; j < 3; j++) if (j !== i) expect(sims[j]).toBeLessThan(0.3);
    }
  });

  it('sees channel order: a frame in BGR order reads as the other colour', async () => {
    const [bgrOfRed] = await model.encodeImages([colourFrame([RED[2], RED[1], RED[0]])]);
    const texts = await model.encodeTexts(TEXTS);
    expect(cosine(bgrOfRed, texts[2])).toBeGreaterThan(cosine(bgrOfRed, texts[0]));
  });

  it('gives the same embedding for a text alone or in a batch of longer texts', async () => {
    const [alone] = await model.encodeTexts(['a red face']);
    const batch = await model.encodeTexts(['a red face', 'a photo of a person showing happiness with a green expression']);
    for (let i = 0; i < 16; i++) expect(batch[0][i]).toBeCloseTo(alone[i], 5);
  });

  it('pools at the first EOT: tokens after it change nothing, tokens before it do', async () => {
    const session = await ort.InferenceSession.create(join(dir, 'text_model.onnx'));
    const tok = model.tokenizer!;
    const run = async (ids: number[], mask: number[]) => {
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.map(BigInt)), [1, ids.length]),
      });
      return out.text_embeds.data as Float32Array;
    };
    const ids = tok.encode('a red face');
    const mask = ids.map(() => 1);
    const base = await run([...ids, tok.eotId, tok.eotId], [...mask, 0, 0]);
    // Other padding after the EOT, even unmasked, cannot reach the EOT through the causal mask.
    const otherPad = await run([...ids, 320, 320], [...mask, 1, 1]); // 320 = "a</w>"
    for (let i = 0; i < base.length; i++) expect(otherPad[i]).toBeCloseTo(base[i], 5);
    const green = tok.encode('green')[1];
    const changed = await run([...ids.slice(0, 2), green, ...ids.slice(3), tok.eotId, tok.eotId], [...mask, 0, 0]); // "a green face"
    expect(Math.max(...changed.map((v, i) => Math.abs(v - base[i])))).toBeGreaterThan(1e-3);
  });

  it.runIf(haveSharedFile(join(facesDir, 'astronaut.png')))('encodes a real photo', async () => {
    const [v] = await model.encodeImages([await readImageFrame(join(facesDir, 'astronaut.png'))]);
    expect(v.every(Number.isFinite)).toBe(true);
    expect(norm(v)).toBeCloseTo(1, 5);
  });
});

describe('tiny CLIP variants', () => {
  it('loads the Xenova onnx/ layout', async () => {
    const dir = await tmp();
    const info = await writeTinyClip(dir, { layout: 'xenova' });
    expect(info.files).toContain(join(dir, 'onnx', 'vision_model.onnx'));
    const model = await loadClip(dir);
    expect(model.files.vision).toBe(join(dir, 'onnx', 'vision_model.onnx'));
    expect(await model.encodeTexts(['a red face'])).toHaveLength(1);
  });

  it('runs a text model without attention_mask', async () => {
    const dir = await tmp();
    await writeTinyClip(dir, { attentionMask: false, parts: ['text'] });
    const model = await loadClip(dir, { parts: ['text'] });
    const [v] = await model.encodeTexts(['a blue face']);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('writes ViT-B/16 geometry (one layer here to stay fast): 224 input, width 768, 512-d embeddings', async () => {
    const dir = await tmp();
    const info = await writeTinyClip(dir, { geometry: 'vit-b-16', visionLayers: 1, parts: ['vision'] });
    expect(info.geometry).toMatchObject({ imageSize: 224, patchSize: 16, visionWidth: 768, embedDim: 512 });
    const model = await loadClip(dir, { parts: ['vision'] });
    expect(model.embedDim).toBe(512);
    const [v] = await model.encodeImages([colourFrame(RED, 300, 260)]);
    expect(v).toHaveLength(512);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it.runIf(haveSharedFile(clipVocabPath))('can use the real CLIP vocabulary', async () => {
    const dir = await tmp();
    const info = await writeTinyClip(dir, { bpeVocabPath: clipVocabPath, parts: ['text'] });
    expect(info.vocabSize).toBe(49_408);
    const tok = await ClipTokenizer.fromJsonFile(join(dir, 'tokenizer.json'));
    expect(tok.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    const model = await loadClip(dir, { parts: ['text'] });
    const [red, green] = await model.encodeTexts(['a red face', 'a green face']);
    expect(cosine(red, green)).toBeLessThan(0.3);
  });
});
