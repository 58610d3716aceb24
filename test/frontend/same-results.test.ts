/**
 * The front-end speed levers change no result, bit for bit, on the shared Megamind.avi and the
 * bundled sample: one ffmpeg decoder thread gives the frames that ffmpeg's default threading gave;
 * sessions as the host makes them (onnxruntime's default thread count, idle threads sleeping)
 * track faces and score them as one thread per session does, and as sessions in worker threads
 * (the default since issue 14; VISAGE_ORT_WORKERS=0 runs them on the main thread) do, with two
 * chunks of a clip in flight at once; the face models' small batches give
 * what one call on the whole clip gave.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OnnxSessionStore } from '../../core/models/session-store.ts';
import { EmotionClassifier } from '../../plugins/expression/src/emotion-classifier.ts';
import { FaceApiExpressionClassifier } from '../../plugins/expression/src/faceapi-classifier.ts';
import { alignedCrop } from '../../plugins/landmarks/src/aligned-crop.ts';
import { FaceModels } from '../../plugins/landmarks/src/face-models.ts';
import { trackFaces } from '../../plugins/landmarks/src/track-faces.ts';
import type { Frame } from '../../core/types.ts';
import { locateFfmpeg } from '../../core/media/ffmpeg-locate.ts';
import { readClip } from '../../core/media/read-clip.ts';
import { selectExpression } from '../../core/media/video-decode.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../helpers/shared-data.ts';

const run = promisify(execFile);
const clips = [path.join(REPO_ROOT, 'samples/astronaut.mp4'), ...(haveShared('faces/Megamind.avi') ? [path.join(FACES_DIR, 'Megamind.avi')] : [])];

/** The frames as the decoder before the speed work got them: ffmpeg's default decoder and filter threads. */
async function defaultThreadedFrames(file: string, indices: number[]): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', [
    '-v', 'error', '-nostdin', '-i', file, '-map', '0:v:0', '-an', '-vf', selectExpression(indices),
    '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 1 << 28 });
  return stdout;
}

describe('front-end speed levers keep results bit-identical', () => {
  it.each(clips)('decodes the same frames of %s with one decoder thread as with the default threads', async (file) => {
    const clip = await readClip(file, { frames: 16 });
    const unique = [...new Set(clip.indices)].sort((a, b) => a - b);
    const reference = await defaultThreadedFrames(file, unique);
    const byIndex = new Map(clip.frames.map((f) => [f.sourceIndex, f]));
    const size = clip.frames[0].rgb.length;
    expect(reference.length).toBe(unique.length * size);
    unique.forEach((index, k) => {
      expect(Buffer.from(byIndex.get(index)!.rgb).equals(reference.subarray(k * size, (k + 1) * size)), `frame ${index}`).toBe(true);
    });
  });

  it.runIf(haveShared('faces/Megamind.avi'))('decodes the same frame bytes of Megamind.avi with the npm static ffmpeg (README: the cheaper decoder)', async () => {
    // An optional dependency that `npm ci` installs on linux-x64: its absence is a failure, not a pass.
    const npm = await locateFfmpeg({ PATH: '/nonexistent' });
    const file = clips[clips.length - 1];
    const [a, b] = await Promise.all([readClip(file, { frames: 16, ffmpeg: npm }), readClip(file, { frames: 16 })]);
    expect(a.indices).toEqual(b.indices);
    a.frames.forEach((f, t) => expect(Buffer.from(f.rgb).equals(Buffer.from(b.frames[t].rgb)), `frame ${t}`).toBe(true));
  });

  it('tracks faces and scores them the same with the default thread pool (idle threads sleeping) as with one thread, and in worker threads', async () => {
    const pooled = new OnnxSessionStore({ workers: 0 }), single = new OnnxSessionStore({ intraOpNumThreads: 1, workers: 0 }), workers = new OnnxSessionStore();
    expect(workers.workers).toBeGreaterThan(0);
    expect((await pooled.sessionOptions()).extra).toMatchObject({ session: { intra_op: { allow_spinning: '0' } } });
    try {
      const outputs = async (store: OnnxSessionStore, frames: Frame[]) => {
        const [models, emotion, faceapi] = await Promise.all([FaceModels.load(store), EmotionClassifier.load(store), FaceApiExpressionClassifier.load(store)]);
        const faces = await trackFaces(models, frames, { allowNoFace: true });
        const crops = frames.map((f, t) => alignedCrop(f, faces[t]));
        return { faces, emotion: await emotion.classify(crops), faceapi: await faceapi.classify(crops) };
      };
      for (const file of clips) {
        const { frames } = await readClip(file, { frames: 16 });
        const a = await outputs(pooled, frames);
        expect(a.faces.filter((f) => f.mesh).length).toBeGreaterThan(8);
        expect(await outputs(single, frames)).toEqual(a);
        expect(await outputs(workers, frames)).toEqual(a);
      }
    } finally {
      await Promise.all([workers.dispose(), pooled.dispose(), single.dispose()]);
    }
  }, 240_000);

  it('gives the same detections, meshes and expression scores in small batches as in one call per clip', async () => {
    const store = new OnnxSessionStore({ intraOpNumThreads: 1 });
    try {
      const clip = await readClip(clips[clips.length - 1], { frames: 16 });
      const [small, whole] = await Promise.all([FaceModels.load(store), FaceModels.load(store, { detectBatch: 32, meshBatch: 32 })]);
      expect(small.options).toMatchObject({ detectBatch: 2, meshBatch: 4 });
      const detections = await small.detect(clip.frames);
      expect(detections.filter((d) => d.length > 0).length).toBeGreaterThan(8);
      expect(await whole.detect(clip.frames)).toEqual(detections);
      const boxes = detections.map((d) => d[0]?.faceBox ?? null);
      const meshes = await small.mesh(clip.frames, boxes);
      expect(await whole.mesh(clip.frames, boxes)).toEqual(meshes);
      const crops = clip.frames.map((f, t) => alignedCrop(f, { box: boxes[t], score: 1, mesh: meshes[t]?.mesh ?? null }));
      for (const load of [EmotionClassifier.load, FaceApiExpressionClassifier.load]) {
        const [chunked, oneCall] = await Promise.all([load(store), load(store, { batchSize: 64 })]);
        expect(await chunked.classify(crops)).toEqual(await oneCall.classify(crops));
      }
    } finally {
      await store.dispose();
    }
  }, 120_000);
});
