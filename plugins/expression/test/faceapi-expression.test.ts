/** face-api's expression model through the landmarks level's aligned crops, on real faces. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_API_EXPRESSION_LABELS, ModelCache, OnnxSessionStore } from '@visage/core/models';
import type { Frame } from '@visage/core';
import { alignedCrop, FaceModels, trackFaces } from '@visage/landmarks';
import { haveFaces, loadFrame } from '../../../test/helpers/still-clip.ts';
import { EMOTION_LABELS } from '../src/emotion-classifier.ts';
import { expressionScores } from '../src/expression-scores.ts';
import { FACE_API_TO_VISAGE, FaceApiExpressionClassifier, faceApiInput } from '../src/faceapi-classifier.ts';

let cacheDir: string;
let store: OnnxSessionStore;
let faces: FaceModels;
let classifier: FaceApiExpressionClassifier;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-faceapi-level-'));
  store = new OnnxSessionStore({ cache: new ModelCache(cacheDir) });
  [faces, classifier] = await Promise.all([FaceModels.load(store), FaceApiExpressionClassifier.load(store)]);
});
afterAll(async () => {
  await store.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('face-api expression classifier', () => {
  it('maps every face-api label by name onto exactly the FER2013 class names Visage uses', () => {
    expect(FACE_API_EXPRESSION_LABELS.map((l) => FACE_API_TO_VISAGE[l]).sort()).toEqual([...EMOTION_LABELS].sort());
  });

  it('feeds 112x112 RGB in 0..255', () => {
    const crop: Frame = { width: 4, height: 2, rgb: new Uint8Array(24).map((_, i) => [250, 128, 3][i % 3]), sourceIndex: 0 };
    const x = faceApiInput([crop]);
    expect(x.length).toBe(112 * 112 * 3);
    expect([x[0], x[1], x[2]]).toEqual([250, 128, 3]);
  });

  it('scores sum to 1; batching does not change them', async () => {
    const a: Frame = { width: 96, height: 80, rgb: Uint8Array.from({ length: 96 * 80 * 3 }, (_, i) => (i % 288) * 0.8), sourceIndex: 0 };
    const noise: Frame = { width: 64, height: 64, rgb: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251), sourceIndex: 1 };
    const [one] = await classifier.classify([a]);
    const both = await classifier.classify([noise, a]);
    expect(Object.keys(one)).toEqual([...EMOTION_LABELS]);
    expect(Object.values(one).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    for (const k of EMOTION_LABELS) expect(both[1][k]).toBeCloseTo(one[k], 5);
  });
});

describe.runIf(haveFaces() || process.env.CI === 'true')('face-api expression on real faces', () => {
  it('classifies the astronaut still as happy from the aligned crop', async () => {
    const frame = await loadFrame('astronaut.png');
    const tracked = await trackFaces(faces, [frame]);
    const r = await expressionScores(classifier, [alignedCrop(frame, tracked[0])], tracked);
    expect(r.decision!.label).toBe('happy');
    expect(r.decision!.knownness).toBeGreaterThan(0.9);
  });
});
