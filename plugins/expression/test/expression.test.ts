/** The expression CNN on real faces (../shared/data/faces) through the landmarks level's aligned crops. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { ModelCache, OnnxSessionStore } from '@visage/core/models';
import type { Frame } from '@visage/core';
import { alignedCrop, FaceModels, trackFaces } from '@visage/landmarks';
import { haveFaces, loadFrame, stillClip } from '../../../test/helpers/still-clip.ts';
import { EMOTION_LABELS, EmotionClassifier, emotionInput } from '../src/emotion-classifier.ts';
import { expressionScores } from '../src/expression-scores.ts';

let cacheDir: string;
let store: OnnxSessionStore;
let faces: FaceModels;
let classifier: EmotionClassifier;
const present = haveFaces();

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'visage-expression-'));
  store = new OnnxSessionStore({ cache: new ModelCache(cacheDir) });
  [faces, classifier] = await Promise.all([FaceModels.load(store), EmotionClassifier.load(store)]);
});
afterAll(async () => {
  await store.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('emotion input', () => {
  it('is 64x64 gray in [-1, 1] with the FER weights', () => {
    const crop: Frame = { width: 3, height: 2, rgb: new Uint8Array(18).fill(0).map((_, i) => [255, 128, 0][i % 3]), sourceIndex: 0 };
    const x = emotionInput([crop]);
    expect(x.length).toBe(64 * 64);
    const want = ((0.2989 * 255 + 0.587 * 128) / 255 - 0.5) * 2;
    expect(x[0]).toBeCloseTo(want, 5);
    expect(x[64 * 64 - 1]).toBeCloseTo(want, 5);
  });

  it('scores sum to 1 and are keyed by the FER2013 labels; batching does not change them', async () => {
    const a: Frame = { width: 96, height: 80, rgb: Uint8Array.from({ length: 96 * 80 * 3 }, (_, i) => (i % 288) * 0.8), sourceIndex: 0 };
    const noise: Frame = { width: 64, height: 64, rgb: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251), sourceIndex: 1 };
    const [one] = await classifier.classify([a]);
    const both = await classifier.classify([noise, a]);
    expect(Object.keys(one)).toEqual([...EMOTION_LABELS]);
    expect(Object.values(one).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    for (const k of EMOTION_LABELS) expect(both[1][k]).toBeCloseTo(one[k], 5);
  });
});

describe.runIf(present || process.env.CI === 'true')('expression on real faces', () => {
  it('classifies the astronaut still as happy', async () => {
    const frame = await loadFrame('astronaut.png');
    const tracked = await trackFaces(faces, [frame]);
    const r = await expressionScores(classifier, [alignedCrop(frame, tracked[0])], tracked);
    expect(r.decision!.label).toBe('happy');
    expect(r.decision!.knownness).toBeGreaterThan(0.9);
  });

  it('fuses a 16-frame clip with a faceless frame into happy, skipping that frame', async () => {
    const frames = await stillClip('astronaut.png');
    frames[7] = { width: 320, height: 320, rgb: new Uint8Array(320 * 320 * 3).fill(60), sourceIndex: 7 };
    const tracked = await trackFaces(faces, frames);
    const crops = frames.map((f, t) => alignedCrop(f, tracked[t]));
    const r = await expressionScores(classifier, crops, tracked);
    expect(r.perFrame[7]).toBeNull();
    expect(r.weights[7]).toBe(0);
    expect(r.perFrame.filter((s) => s && s.happy > 0.5).length).toBeGreaterThanOrEqual(14);
    expect(r.decision).toMatchObject({ label: 'happy' });
    expect(r.decision!.knownness).toBeGreaterThan(0.9);
  });

  it('matches running the ONNX emotion model by hand on the same input', async () => {
    const frame = await loadFrame('messi5.jpg');
    const [scores] = await classifier.classify([frame]);
    const session = await store.faceModel('emotion');
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', emotionInput([frame]), [1, 64, 64, 1]) });
    const probs = out[session.outputNames[0]].data as Float32Array;
    EMOTION_LABELS.forEach((k, i) => expect(scores[k]).toBeCloseTo(probs[i], 6));
  });
});
