import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipEncode } from '../../plugins/clip-adapter/src/model/clip-encode.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { runCli } from '../helpers/cli.ts';
import { FACES_DIR, haveShared } from '../helpers/shared-data.ts';

let models: string;
beforeAll(async () => {
  models = mkdtempSync(path.join(os.tmpdir(), 'visage-clip-'));
  await writeTinyClip(models, { seed: 7 });
});

describe('visage clip encode (a command contributed by the clip-adapter plugin)', () => {
  it.runIf(haveShared('faces/messi5.jpg'))('prints one unit-length vector per image and text, equal to the library call', async () => {
    const image = path.join(FACES_DIR, 'messi5.jpg');
    const r = await runCli('clip', 'encode', '--models', models, '--image', image, '--text', 'a red face', 'a photo of a cat');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // JSON Lines: one object per input
    const printed = lines.map((l) => JSON.parse(l)) as { kind: string; input: string; vector: number[] }[];
    expect(printed.map((p) => [p.kind, p.input])).toEqual([['image', image], ['text', 'a red face'], ['text', 'a photo of a cat']]);
    for (const p of printed) expect(Math.hypot(...p.vector)).toBeCloseTo(1, 5);
    const direct = await clipEncode(models, { images: [image], texts: ['a red face', 'a photo of a cat'] });
    expect(printed.map((p) => p.vector)).toEqual(direct.map((d) => d.vector));
  });

  it('explains what is missing with exit code 2', async () => {
    expect((await runCli('clip', 'encode', '--text', 'x')).err).toMatch(/CLIP_MODELS_MISSING[\s\S]*hint: pass --models DIR/);
    const r = await runCli('clip', 'encode', '--models', models);
    expect(r.code).toBe(2);
    expect(r.err).toContain('CLIP_NOTHING_TO_ENCODE');
  });

  it('reports a wrong export with what was found and what is expected', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'visage-clip-empty-'));
    const r = await runCli('clip', 'encode', '--models', empty, '--text', 'x');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/MODEL_NOT_FOUND|text_model\.onnx/);
  });
});
