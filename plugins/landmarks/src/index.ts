/** The landmarks level: wraps extractLandmarks for the pipeline, with renders for --save-renders. */
import type { LevelOutput, PluginContext, Render } from '@visage/core';
import { drawFaceOverlay, drawText } from '@visage/core/media';
import { FaceModels } from './face-models.ts';
import type { LandmarksOptions } from './options.generated.ts';
import { extractLandmarks, type LandmarkFrame, type LandmarksLevelOptions } from './landmarks-level.ts';

export type { LandmarkFrame } from './landmarks-level.ts';

/** What dependent levels find in `deps.landmarks.data`. */
export interface LandmarksData {
  frames: LandmarkFrame[];
  size: number;
}

/** Faces detected per frame when a clip asks for a face track by rank. */
const MAX_FACES = 8;

export function activate(ctx: PluginContext): void {
  ctx.stages.levels.provide<LandmarksOptions>('landmarks', async ({ clip }, call): Promise<LevelOutput> => {
    const o = call.options;
    // A clip that names its face track (`--window`) needs every face of a frame, not only the best.
    const follow = clip.faceTrack;
    const maxDetections = follow === undefined ? 1 : MAX_FACES;
    const models = await ctx.shared(`face-models:${o.minConfidence}:${maxDetections}`, () => FaceModels.load(ctx.models, { minConfidence: o.minConfidence, maxDetections }));
    const found: { tracks?: number } = {};
    // Object.assign, not `{ ...o, clipId, ... }`: in Node 20's V8 a spread followed by a property its
    // source lacks makes a new hidden class every clip, and the per-frame code reading these options
    // (alignmentMap, the crops) deoptimized on each new one.
    const opts: LandmarksLevelOptions = Object.assign({}, o, { clipId: clip.id, follow, found });
    const frames = await extractLandmarks(models, clip.frames, opts);
    const noFace = frames.flatMap((f, t) => (f.face.box ? [] : [t]));
    const data: LandmarksData = { frames, size: o.size };
    return {
      data,
      frameWeights: frames.map((f) => (f.face.box ? f.face.score : 0)),
      summary: {
        framesWithFace: frames.length - noFace.length,
        frames: frames.length,
        detected: frames.filter((f) => f.face.source === 'detected').length,
        tracked: frames.filter((f) => f.face.source === 'tracked').length,
        ...faceSummary(frames.map((f) => f.face)),
        ...(found.tracks !== undefined && { faceTracks: found.tracks }),
      },
      flags: noFace.map((t) => `frame ${t}: no face`),
      ...(call.wantRenders && { renders: renders(clip.frames, frames, o.size, clip.fps) }),
    };
  });
}

function renders(sources: { width: number; height: number; rgb: Uint8Array; sourceIndex: number }[], frames: LandmarkFrame[], size: number, fps: number): Render[] {
  const out: Render[] = [];
  frames.forEach((f, t) => {
    const n = String(t).padStart(2, '0');
    const overlay = drawFaceOverlay({ ...sources[t] }, f.face);
    // Which source frame this is, and when: the overlay alone must say where in the clip it was taken.
    const at = sources[t].sourceIndex;
    const scale = Math.max(1, Math.round(overlay.width / 200));
    drawText(overlay, `frame ${at}${fps > 0 ? `  ${(at / fps).toFixed(2)} s` : ''}`, 2 * scale, 2 * scale, [255, 255, 255], scale, [0, 0, 0]);
    out.push({ name: `frame-${n}`, width: overlay.width, height: overlay.height, rgb: overlay.rgb });
    out.push({ name: `crop-${n}`, width: f.crop.width, height: f.crop.height, rgb: f.crop.rgb });
    out.push({ name: `render-${n}`, width: size, height: size, rgb: f.render });
  });
  return out;
}

// Module-level, not made per call: V8 drops a dead closure's optimized code at a full GC, so the
// sort comparator was compiled again every few clips.
const ascending = (a: number, b: number) => a - b;
function median(xs: number[]): number {
  const s = [...xs].sort(ascending);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Coordinate `k` of every face's box, in a loop rather than a closure made per call (see `ascending`). */
function boxCoordinates(faces: { box: [number, number, number, number] | null }[], k: number): number[] {
  const xs: number[] = [];
  for (const f of faces) xs.push(f.box![k]);
  return xs;
}

/** For the wide CSV: the per-coordinate median face box and the mean detector confidence over frames with a face. */
function faceSummary(faces: { box: [number, number, number, number] | null; score: number }[]): { faceBox?: number[]; faceConfidence?: number } {
  const withFace = faces.filter((f) => f.box);
  if (!withFace.length) return {};
  return {
    faceBox: [0, 1, 2, 3].map((k) => Math.round(median(boxCoordinates(withFace, k)) * 10) / 10),
    faceConfidence: Math.round((withFace.reduce((a, f) => a + f.score, 0) / withFace.length) * 1e4) / 1e4,
  };
}
