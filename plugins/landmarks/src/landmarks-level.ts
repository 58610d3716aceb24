/**
 * Everything the landmarks level produces for one clip, in one call: tracked faces (boxes,
 * scores, 468-point meshes), the 68-point subset, aligned crops and landmark renders, all
 * per frame. The plugin's activate() code wraps this; later levels (parsing, CLIP streams) take
 * the crops and `cropMap` so their outputs line up with the crops.
 */
import type { Affine } from '@visage/core/models';
import type { Frame } from '@visage/core';
import { type AlignOptions, alignedCrop, alignmentMap, toCropSpace } from './aligned-crop.ts';
import type { FaceModels } from './face-models.ts';
import { meshTo68 } from './landmarks-68.ts';
import { type RenderOptions, renderLandmarks } from './render-landmarks.ts';
import { type TrackedFace, type TrackOptions, trackFaces } from './track-faces.ts';

/** The landmarks level's output for one frame. */
export interface LandmarkFrame {
  face: TrackedFace;
  /** 68 x (x, y, z) in source-frame pixels (see LANDMARKS_68); null without a face. */
  landmarks68: Float32Array | null;
  /** The same 68 points in aligned-crop pixels; null without a face. */
  landmarks68InCrop: Float32Array | null;
  /** Aligned size x size RGB crop (the frame's centre square without a face, unless fallback 'black'). */
  crop: Frame;
  /** Landmark render, size x size RGB (black without a face). */
  render: Uint8Array;
  /** Crop pixels -> source pixels; null without a face. */
  cropMap: Affine | null;
}

/** Options of `extractLandmarks`. */
export interface LandmarksLevelOptions extends TrackOptions, AlignOptions {
  /** Side of crops and renders: 224 (the CLIP input). */
  size?: number;
  render?: Omit<RenderOptions, keyof AlignOptions>;
}

/** Runs detect + track + mesh on the clip's frames and derives crops and renders. */
export async function extractLandmarks(models: FaceModels, frames: Frame[], opts: LandmarksLevelOptions = {}): Promise<LandmarkFrame[]> {
  const size = opts.size ?? 224;
  const faces = await trackFaces(models, frames, opts);
  return faces.map((face, t) => {
    const cropMap = alignmentMap(face, size, opts);
    const landmarks68 = face.mesh ? meshTo68(face.mesh) : null;
    let render: Uint8Array | undefined;
    return {
      face,
      landmarks68,
      landmarks68InCrop: landmarks68 && cropMap ? toCropSpace(landmarks68, cropMap) : null,
      crop: alignedCrop(frames[t], face, size, opts),
      // Drawn on first use: only the CLIP landmarks level and --save-renders look at it.
      get render() {
        return (render ??= renderLandmarks(face, size, { ...opts, ...opts.render }));
      },
      cropMap,
    };
  });
}
