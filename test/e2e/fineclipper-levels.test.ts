/**
 * The fineclipper presets on a real face: every FineCLIPER level encodes what its face level made
 * (aligned crops, parsing maps, landmark renders, description sentences) with the CLIP export, and the
 * zero-shot fusion is z = Σ_m w_m (v_m·t⁺ − v_m·t⁻)/τ over those embeddings (method.md A.2 items 1, 5).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../core/host/host.ts';
import type { LandmarksData } from '../../plugins/landmarks/src/index.ts';
import type { ParsingMap } from '../../plugins/parsing/src/classes.ts';
import { renderParsing } from '../../plugins/parsing/src/render-parsing.ts';
import { loadClip, type ClipModel } from '../../plugins/clip-adapter/src/model/clip-model.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { descriptorTexts, encodeDescriptors } from '../../plugins/clip-adapter/src/fineclipper/descriptors.ts';
import { meanPooled } from '../../plugins/clip-adapter/src/fineclipper/level-providers.ts';
import { FACES_DIR, haveShared } from '../helpers/shared-data.ts';

const have = haveShared('faces/astronaut.png');
let host: Host, clip: ClipModel, models: string;

beforeAll(async () => {
  models = mkdtempSync(path.join(os.tmpdir(), 'visage-fc-levels-'));
  await writeTinyClip(models, { seed: 2 });
  clip = await loadClip(models);
  host = createHost({ modelsDir: models, cacheDir: path.join(models, 'cache'), logLevel: 'error' });
});
afterAll(async () => { await clip?.release(); await host?.dispose(); });

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const close = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((r, i) => r.every((x, j) => Math.abs(x - b[i][j]) < 1e-5));

describe.runIf(have)('fineclipper-zero-shot preset on a face', () => {
  it('encodes crops, parsing maps, landmark renders and sentences, and fuses them against the descriptors', async () => {
    const pipeline = await host.pipeline({ preset: 'fineclipper-zero-shot', set: ['frames=2'] });
    try {
      const r = await pipeline.run({ path: path.join(FACES_DIR, 'astronaut.png') });
      const lm = r.levels.landmarks.data as LandmarksData;
      const maps = r.levels.parsing.data as ParsingMap[];
      expect(close(r.levels.frames.frameEmbeddings!, await clip.encodeImages(lm.frames.map((f) => f.crop)))).toBe(true);
      expect(close(r.levels['parsing-map'].frameEmbeddings!, await clip.encodeImages(maps.map((m) => renderParsing(m))))).toBe(true);
      expect(close(r.levels['landmark-map'].frameEmbeddings!, await clip.encodeImages(lm.frames.map((f) => ({ width: lm.size, height: lm.size, rgb: f.render }))))).toBe(true);
      const sentences = r.levels.description.text!;
      expect(sentences.length).toBeGreaterThan(0);
      expect(close([r.levels['description-text'].embedding!], [meanPooled(await clip.encodeTexts(sentences))])).toBe(true);

      // Zero-shot fusion by hand: preset weights 1, 0.5, 0.5, 0.5; τ = 0.01; contrast formulation.
      const classes = ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear'];
      const d = await encodeDescriptors(clip, descriptorTexts(classes));
      const levels: Array<[string, number]> = [['frames', 1], ['parsing-map', 0.5], ['landmark-map', 0.5], ['description-text', 0.5]];
      for (const [k, c] of classes.entries()) {
        let z = 0;
        for (const [slot, w] of levels) {
          const out = r.levels[slot];
          const v = out.embedding ?? meanPooled(out.frameEmbeddings!);
          z += w * (dot(v, d.positive[k]) - dot(v, d.negative[k])) / 0.01;
        }
        expect(r.fusion.logits[c]).toBeCloseTo(z, 2);
      }
      expect(Object.keys(r.fusion.perLevel!)).toEqual(levels.map(([s]) => s));
      expect(r.decision.label).toBe(classes.reduce((a, b) => (r.fusion.logits[a] >= r.fusion.logits[b] ? a : b)));
    } finally {
      await pipeline.dispose();
    }
  });

  it('tells the user to pass --models when the preset runs without a CLIP export', async () => {
    const bare = createHost({ cacheDir: path.join(models, 'cache'), logLevel: 'silent' });
    const pipeline = await bare.pipeline({ preset: 'fineclipper-zero-shot', set: ['frames=1', 'stages.levels.description.enabled=false', 'stages.levels.description-text.enabled=false'] });
    try {
      await expect(pipeline.run({ path: path.join(FACES_DIR, 'astronaut.png') })).rejects.toMatchObject({ code: 'FINECLIPER_MODELS_MISSING' });
    } finally {
      await pipeline.dispose();
      await bare.dispose();
    }
  });
});
