import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipEncode } from '../src/model/clip-encode.ts';
import { writeTinyClip } from '../src/demo/tiny-clip/tiny-clip.ts';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('clipEncode (visage clip encode)', () => {
  let models: string;
  let red: string;
  let blue: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-clip-encode-'));
    models = join(dir, 'models');
    await writeTinyClip(models, { seed: 11, layout: 'xenova' });
    red = join(dir, 'red.png');
    blue = join(dir, 'blue.jpg');
    await sharp({ create: { width: 50, height: 40, channels: 3, background: { r: 240, g: 10, b: 20 } } }).png().toFile(red);
    await sharp({ create: { width: 30, height: 60, channels: 3, background: { r: 10, g: 20, b: 240 } } }).jpeg().toFile(blue);
  });

  it('returns one unit vector per input, images first, in the order given', async () => {
    const out = await clipEncode(models, { images: [red, blue], texts: ['a red face', 'a blue face'] });
    expect(out.map((o) => [o.kind, o.input])).toEqual([['image', red], ['image', blue], ['text', 'a red face'], ['text', 'a blue face']]);
    for (const o of out) {
      expect(o.vector).toHaveLength(16);
      expect(Math.sqrt(dot(o.vector, o.vector))).toBeCloseTo(1, 5);
    }
    expect(dot(out[0].vector, out[2].vector)).toBeGreaterThan(dot(out[0].vector, out[3].vector));
    expect(dot(out[1].vector, out[3].vector)).toBeGreaterThan(dot(out[1].vector, out[2].vector));
    expect(JSON.parse(JSON.stringify(out[0])).vector).toHaveLength(16);
  });

  it('loads only the encoder it needs', async () => {
    const textOnly = await mkdtemp(join(tmpdir(), 'visage-clip-encode-'));
    await writeTinyClip(textOnly, { parts: ['text'] });
    const out = await clipEncode(textOnly, { texts: ['a green face'] });
    expect(out).toHaveLength(1);
    await expect(clipEncode(textOnly, { images: [red] })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await rm(textOnly, { recursive: true });
  });

  it('explains bad requests', async () => {
    await expect(clipEncode(models, {})).rejects.toMatchObject({ code: 'CLIP_INPUT_INVALID', exitCode: 2 });
    await expect(clipEncode(models, { images: [join(models, 'missing.png')] })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });
});
