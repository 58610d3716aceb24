import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, type OnnxDim, type OnnxElementType } from '@visage/core/models';
import { loadClip } from '../src/model/clip-model.ts';
import { writeTinyClip } from '../src/demo/tiny-clip/tiny-clip.ts';
import { clipVocabPath, haveSharedFile } from './shared-data.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'visage-clip-load-'));
const frame = (v: number) => ({ width: 32, height: 32, rgb: new Uint8Array(32 * 32 * 3).fill(v) });

interface IO { name: string; type: OnnxElementType; shape: OnnxDim[] }

/**
 * A model with the given inputs and outputs, each output a constant: only the signature matters,
 * because loading is what is under test.
 */
function stubModel(inputs: IO[], outputs: IO[]): Uint8Array {
  const g = new OnnxGraphBuilder('stub');
  for (const i of inputs) g.addInput(i.name, i.type, i.shape);
  const width = Number(outputs[0].shape[1]) || 4;
  g.addInitializer('value', new Float32Array(width), [1, width]);
  for (const o of outputs) {
    if (o.type === 'float32') g.op('Identity', ['value'], {}, o.name);
    else g.op('Cast', ['value'], { to: 7 }, o.name);
    g.addOutput(o.name, o.type, o.shape);
  }
  return g.serialize();
}

const pixelValues: IO = { name: 'pixel_values', type: 'float32', shape: ['batch', 3, 32, 32] };
const imageEmbeds: IO = { name: 'image_embeds', type: 'float32', shape: ['batch', 16] };
const inputIds: IO = { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] };
const textEmbeds: IO = { name: 'text_embeds', type: 'float32', shape: ['batch', 16] };

describe('loadClip signature checks', () => {
  let good: string;
  beforeAll(async () => {
    good = await tmp();
    await writeTinyClip(good, { seed: 5 });
  });

  /** A copy of the good tiny model with one encoder replaced. */
  async function withModel(file: 'vision_model.onnx' | 'text_model.onnx', bytes: Uint8Array): Promise<string> {
    const dir = await tmp();
    for (const f of ['vision_model.onnx', 'text_model.onnx', 'tokenizer.json', 'preprocessor_config.json']) await copyFile(join(good, f), join(dir, f));
    await writeFile(join(dir, file), bytes);
    return dir;
  }

  it('accepts the tiny model and reports what it found', async () => {
    const model = await loadClip(good);
    expect(model.embedDim).toBe(16);
    expect(model.preprocessingSource).toBe('preprocessor_config.json');
    expect(model.preprocessing.crop).toEqual({ width: 32, height: 32 });
  });

  it.each([
    ['a wrong input name', [{ ...pixelValues, name: 'images' }], [imageEmbeds], 'found inputs [images: float32 [batch, 3, 32, 32]], expected input pixel_values: float32 [batch, 3, 32, 32]'],
    ['a wrong input size', [{ ...pixelValues, shape: ['batch', 3, 64, 64] }], [imageEmbeds], 'found input pixel_values: float32 [batch, 3, 64, 64], expected input pixel_values: float32 [batch, 3, 32, 32]'],
    ['a wrong channel count', [{ ...pixelValues, shape: ['batch', 1, 32, 32] }], [imageEmbeds], 'found input pixel_values: float32 [batch, 1, 32, 32]'],
    ['a wrong input type', [{ ...pixelValues, type: 'int64' }], [imageEmbeds], 'found input pixel_values: int64 [batch, 3, 32, 32]'],
    ['a wrong rank', [{ ...pixelValues, shape: ['batch', 3, 32] }], [imageEmbeds], 'found input pixel_values: float32 [batch, 3, 32]'],
    ['an extra input', [pixelValues, { name: 'scale', type: 'float32', shape: [1] }], [imageEmbeds], 'found inputs [pixel_values: float32 [batch, 3, 32, 32]; scale: float32 [1]]'],
    ['a wrong output name', [pixelValues], [{ ...imageEmbeds, name: 'pooler_output' }], /found outputs \[pooler_output: float32 \[.*\]\], expected output image_embeds: float32 \[batch, D\]/],
  ] as Array<[string, IO[], IO[], string | RegExp]>)('rejects a vision model with %s', async (_what, inputs, outputs, message) => {
    const dir = await withModel('vision_model.onnx', stubModel(inputs, outputs));
    const matcher = typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message);
    await expect(loadClip(dir)).rejects.toMatchObject({ code: 'MODEL_SIGNATURE_MISMATCH', message: matcher, exitCode: 2 });
  });

  it.each([
    ['float input_ids', [{ ...inputIds, type: 'float32' }], [textEmbeds], 'found input input_ids: float32 [batch, sequence], expected input input_ids: int64 [batch, L <= 77]'],
    ['a position_ids input', [inputIds, { ...inputIds, name: 'position_ids' }], [textEmbeds], 'position_ids: int64 [batch, sequence]'],
    ['a fixed length over 77', [{ ...inputIds, shape: ['batch', 128] }], [textEmbeds], 'found input input_ids: int64 [batch, 128]'],
    ['a float attention_mask', [inputIds, { ...inputIds, name: 'attention_mask', type: 'float32' }], [textEmbeds], 'found input attention_mask: float32'],
    ['no text_embeds', [inputIds], [{ ...textEmbeds, name: 'last_hidden_state' }], 'expected output text_embeds: float32 [batch, D]'],
    ['another embedding width', [inputIds], [{ ...textEmbeds, shape: ['batch', 8] }], 'text_embeds width 8, expected the image_embeds width'],
  ] as Array<[string, IO[], IO[], string]>)('rejects a text model with %s', async (_what, inputs, outputs, message) => {
    const dir = await withModel('text_model.onnx', stubModel(inputs, outputs));
    await expect(loadClip(dir)).rejects.toMatchObject({ code: 'MODEL_SIGNATURE_MISMATCH', message: expect.stringContaining(message) });
  });

  it('splits into batches of imageBatchSize; a short last batch gives the same vectors', async () => {
    const model = await loadClip(good, { parts: ['vision'], imageBatchSize: 2 });
    const batched = await model.encodeImages([frame(10), frame(100), frame(200)]);
    const single = await model.encodeImages([frame(200)]);
    expect(batched).toHaveLength(3);
    for (let i = 0; i < 16; i++) expect(batched[2][i]).toBeCloseTo(single[0][i], 5);
  });

  it('pads to a model\'s fixed batch size and drops the padding rows', async () => {
    const dir = await tmp();
    await writeTinyClip(dir, { seed: 5, fixedBatch: 4 });
    const fixed = await loadClip(dir);
    const dynamic = await loadClip(good);
    const frames = [frame(10), frame(100), frame(200), frame(30), frame(60)];
    const [a, b] = [await fixed.encodeImages(frames), await dynamic.encodeImages(frames)];
    expect(a).toHaveLength(5);
    for (let k = 0; k < 5; k++) for (let i = 0; i < 16; i++) expect(a[k][i]).toBeCloseTo(b[k][i], 5);
    const texts = ['a red face', 'a blue face', 'a green face', 'a cat', 'a dog', 'sad'];
    const [ta, tb] = [await fixed.encodeTexts(texts), await dynamic.encodeTexts(texts)];
    expect(ta).toHaveLength(6);
    for (let k = 0; k < 6; k++) for (let i = 0; i < 16; i++) expect(ta[k][i]).toBeCloseTo(tb[k][i], 5);
  });

  it('names what is missing', async () => {
    await expect(loadClip(join(good, 'nope'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('CLIP models folder') });
    const dir = await tmp();
    await writeTinyClip(dir, { parts: ['vision'] });
    await expect(loadClip(dir)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('text_model.onnx') });
    expect((await loadClip(dir, { parts: ['vision'] })).tokenizer).toBeNull();
    const noTokenizer = await withModel('vision_model.onnx', stubModel([pixelValues], [imageEmbeds]));
    await rm(join(noTokenizer, 'tokenizer.json'));
    await expect(loadClip(noTokenizer)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: expect.stringContaining('tokenizer.json or bpe_simple_vocab_16e6.txt.gz') });
  });

  it('reports a file that is not ONNX', async () => {
    const dir = await withModel('vision_model.onnx', new TextEncoder().encode('not a model'));
    await expect(loadClip(dir)).rejects.toMatchObject({ code: 'MODEL_RUN_FAILED', message: expect.stringContaining('cannot load') });
  });

  it('falls back to CLIP preprocessing at the model input size without preprocessor_config.json', async () => {
    const dir = await withModel('vision_model.onnx', stubModel([{ ...pixelValues, shape: ['batch', 3, 48, 48] }], [imageEmbeds]));
    await rm(join(dir, 'preprocessor_config.json'));
    const model = await loadClip(dir);
    expect(model.preprocessingSource).toBe('defaults');
    expect(model.preprocessing.crop).toEqual({ width: 48, height: 48 });
    expect(model.preprocessing.kernel).toBe('cubic');
  });

  it.runIf(haveSharedFile(clipVocabPath))('uses the BPE vocabulary when there is no tokenizer.json', async () => {
    const dir = await tmp();
    await writeTinyClip(dir, { bpeVocabPath: clipVocabPath });
    await rm(join(dir, 'tokenizer.json'));
    const model = await loadClip(dir, { vocabPath: clipVocabPath });
    expect(model.tokenizer!.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(await model.encodeTexts(['a red face'])).toHaveLength(1);
  });
});
