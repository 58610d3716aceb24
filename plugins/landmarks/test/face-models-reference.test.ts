/**
 * The face models' post-processing gives, bit for bit, what it gave before issue 14's main-thread
 * work (reference-face-models.ts): BlazeFace decoded where its four outputs lie against the copy
 * into [896, 17] rows, on the real detector's outputs for 16 frames of the bundled sample and of
 * the shared Megamind.avi, under several thresholds, and on logits at the score threshold;
 * FaceMesh points mapped to the frame and into a crop against the per-point Math.hypot, on the
 * real mesh outputs.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Affine, OnnxSessionStore, rectToAffine, warpToFloat } from '@visage/core/models';
import { readClip } from '@visage/core/media';
import type { Frame } from '@visage/core';
import { BLAZEFACE_ANCHORS, BLAZEFACE_SIZE, blazefaceOutputs, decodeBlazeface, type DecodeOptions, generateAnchors } from '../src/blazeface-decode.ts';
import { FaceModels, MESH_POINTS, MESH_SIZE, meshToFrame, rotatedBoxMap } from '../src/face-models.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../../../test/helpers/shared-data.ts';
import { toCropSpace } from '../src/aligned-crop.ts';
import { referenceAssembleRows, referenceDecodeRows, referenceMeshToFrame, referenceToCropSpace } from './reference-face-models.ts';

type RawOutputs = { dims: readonly number[]; data: Float32Array }[];
const clips = [path.join(REPO_ROOT, 'samples/astronaut.mp4'), ...(haveShared('faces/Megamind.avi') ? [path.join(FACES_DIR, 'Megamind.avi')] : [])];
const anchors = generateAnchors(BLAZEFACE_SIZE);
const S = BLAZEFACE_SIZE;

/** The square region around the frame that the detector sees (FaceModels' padToSquare). */
const letterbox = (f: Frame): Affine => {
  const side = Math.max(f.width, f.height);
  return rectToAffine([-(side - f.width) / 2, -(side - f.height) / 2, side - (side - f.width) / 2, side - (side - f.height) / 2], S, S);
};

/** Both decodes of every image of one detector call, under `opts`, must agree field by field. */
function expectSameDetections(outputs: RawOutputs, batch: number, opts: DecodeOptions, what: string): number {
  const rows = referenceAssembleRows(outputs, batch);
  const found = blazefaceOutputs(outputs);
  let kept = 0;
  for (let b = 0; b < batch; b++) {
    const mine = decodeBlazeface(found, b, anchors, opts);
    const theirs = referenceDecodeRows(rows[b], anchors, opts);
    expect(mine, `${what} image ${b}`).toEqual(theirs);
    kept += mine.length;
  }
  return kept;
}

describe('face model post-processing on real outputs, against the previous implementation', () => {
  const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
  const calls: { what: string; outputs: RawOutputs; batch: number }[] = [];
  const meshes: { what: string; mesh: Float32Array; maps: Affine[] }[] = [];
  beforeAll(async () => {
    const detector = await store.faceModel('blazeface');
    const meshModel = await store.faceModel('facemesh');
    const models = await FaceModels.load(store);
    for (const clip of clips) {
      const { frames } = await readClip(clip, { frames: 16 });
      for (let start = 0; start < frames.length; start += 4) {
        const chunk = frames.slice(start, start + 4);
        const input = new Float32Array(chunk.length * S * S * 3);
        chunk.forEach((f, i) => warpToFloat(f, letterbox(f), S, S, input, i * S * S * 3, { scale: 1 / 127.5, bias: -1 }));
        const result = await detector.run({ [detector.inputNames[0]]: new ort.Tensor('float32', input, [chunk.length, S, S, 3]) });
        calls.push({ what: `${path.basename(clip)} frames ${start}..`, batch: chunk.length, outputs: Object.values(result).map((t) => ({ dims: t.dims, data: t.data as Float32Array })) });
      }
      const boxes = (await models.detect(frames)).map((d) => d[0]?.faceBox ?? null).filter((b) => b !== null);
      const M = MESH_SIZE;
      const maps = boxes.map((b, i) => rotatedBoxMap(b, (i % 5 - 2) * 0.1, M));
      const input = new Float32Array(maps.length * M * M * 3);
      maps.forEach((m, i) => warpToFloat(frames[i], m, M, M, input, i * M * M * 3, { scale: 1 / 255 }));
      const r = await meshModel.run({ [meshModel.inputNames[0]]: new ort.Tensor('float32', input, [maps.length, M, M, 3]) });
      meshes.push({ what: path.basename(clip), mesh: r.output_mesh.data as Float32Array, maps });
    }
  });
  afterAll(() => store.dispose());

  it('decodes the detector outputs to the same detections under the default and other thresholds', () => {
    expect(calls.length).toBe(4 * clips.length);
    const settings: DecodeOptions[] = [
      {}, { maxDetections: 100 }, { minConfidence: 0.01, maxDetections: 100, iouThreshold: 0.5 },
      { minConfidence: 0.5, maxDetections: 3 }, { minConfidence: 0.99, maxDetections: 100 }, { minConfidence: 0.995, maxDetections: 100 },
      { minConfidence: 0, maxDetections: 5 }, { minConfidence: 1 },
    ];
    const kept = settings.map((opts) => calls.reduce((n, c) => n + expectSameDetections(c.outputs, c.batch, opts, `${c.what} ${JSON.stringify(opts)}`), 0));
    expect(kept[0]).toBe(16 * clips.length); // one face a frame: real detections, not an empty comparison
    expect(kept[2]).toBeGreaterThan(kept[1]);
  });

  it('keeps and drops the same anchors for logits at, just under and just over the threshold', () => {
    for (const minConfidence of [0.2, 0.5, 0.01, 0.99]) {
      const at = Math.log(minConfidence / (1 - minConfidence));
      // Logits 1e-8 apart across the threshold's logit and the skip margin 1e-6 under it.
      const scores = Float32Array.from({ length: BLAZEFACE_ANCHORS }, (_, r) => at + (r - 448) * 1e-8);
      const regressors = new Float32Array(BLAZEFACE_ANCHORS * 16).map((_, k) => (k % 16 < 2 ? 0 : 200));
      const outputs: RawOutputs = [
        { dims: [1, 512, 1], data: scores.slice(0, 512) }, { dims: [1, 512, 16], data: regressors.slice(0, 512 * 16) },
        { dims: [1, 384, 1], data: scores.slice(512) }, { dims: [1, 384, 16], data: regressors.slice(512 * 16) },
      ];
      const kept = expectSameDetections(outputs, 1, { minConfidence, maxDetections: 1000, iouThreshold: 1 }, `threshold ${minConfidence}`);
      expect(kept, `threshold ${minConfidence}`).toBeGreaterThan(100); // some kept, some dropped
      expect(kept).toBeLessThan(BLAZEFACE_ANCHORS - 100);
    }
  });

  it('maps the mesh outputs to the same frame points, and those to the same crop points', () => {
    let faces = 0;
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    for (const { what, mesh, maps } of meshes) {
      maps.forEach((m, k) => {
        const points = meshToFrame(mesh, k, m);
        expect(same(points, referenceMeshToFrame(mesh, k, m)), `${what} face ${k}`).toBe(true);
        const crop = rotatedBoxMap([10, 20, 310, 320], 0.3 - 0.05 * k, 224);
        expect(same(toCropSpace(points, crop), referenceToCropSpace(points, crop)), `${what} face ${k} in a crop`).toBe(true);
        faces++;
      });
    }
    expect(faces).toBe(16 * clips.length);
    expect(meshes[0].mesh.length).toBe(16 * MESH_POINTS * 3);
  });
});
