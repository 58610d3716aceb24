/**
 * Facial motion per frame from the landmarks level: the mean displacement of the 468 mesh points
 * between consecutive frames, divided by the face size (the box diagonal), so it is comparable
 * across resolutions and distances. Frame 0 has no predecessor and gets 0.
 */
import type { FaceFrame } from '@visage/core';

/** Per-frame displacement; a frame without a face (or after one) gets 0. */
export function landmarkDisplacement(faces: ReadonlyArray<FaceFrame | null | undefined>): Float32Array {
  const out = new Float32Array(faces.length);
  for (let t = 1; t < faces.length; t++) {
    const a = faces[t - 1], b = faces[t];
    if (!a?.mesh || !b?.mesh || !b.box || a.mesh.length !== b.mesh.length || a.mesh.length === 0) continue;
    const points = a.mesh.length / 3;
    let total = 0;
    for (let p = 0; p < points; p++) {
      total += Math.hypot(b.mesh[3 * p] - a.mesh[3 * p], b.mesh[3 * p + 1] - a.mesh[3 * p + 1]);
    }
    const size = Math.hypot(b.box[2] - b.box[0], b.box[3] - b.box[1]) || 1;
    out[t] = total / points / size;
  }
  return out;
}

/** Standardises motion within a clip ((m − mean)/std), so the attention's gain is scale-free; zeros stay zeros. */
export function standardiseMotion(motion: ArrayLike<number> | undefined, frames: number): Float32Array {
  const out = new Float32Array(frames);
  if (!motion) return out;
  let mean = 0;
  for (let t = 0; t < frames; t++) mean += motion[t] / frames;
  let variance = 0;
  for (let t = 0; t < frames; t++) variance += (motion[t] - mean) ** 2 / frames;
  const std = Math.sqrt(variance);
  if (std < 1e-12) return out;
  for (let t = 0; t < frames; t++) out[t] = (motion[t] - mean) / std;
  return out;
}
