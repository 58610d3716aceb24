/**
 * The `track` detector policy: BlazeFace runs on the first frame and again only when the tracked
 * face is lost; every other frame takes its face box from the previous frame's mesh, as
 * @vladmandic/human (the box cache of `face/facemesh.ts`) and MediaPipe's face landmark graph do.
 * The face is lost when the mesh's face flag drops below `minMeshConfidence` (that frame is then
 * detected on its own) or when the box from the mesh leaves the frame.
 *
 * Each box depends on the frame before, so the frames go through the models one at a time
 * (FaceMesh costs the same per frame at 1 as at 4 frames a call with one thread).
 */
import type { Frame } from '@visage/core';
import { eyeAngle } from './aligned-crop.ts';
import type { Box, BoxRoll } from './box.ts';
import { type Detection, type FaceModels, type MeshResult, keypointRoll } from './face-models.ts';

/**
 * The face box side over the mesh's extent (measured along and across the eye line), and the
 * shift of the box centre from the extent's centre towards the chin, in box sides. Both are the
 * medians over 64 detected frames of Megamind.avi (BlazeFace's box enlarged 1.4x, as the mesh sees
 * it: ratio 1.30 to 1.55, median 1.39; shift median 0.02), so a tracked box frames the face as a
 * detected one does.
 */
export const MESH_TO_BOX = 1.39;
export const MESH_CENTRE_SHIFT = 0.02;

/** Below this fraction of its area inside the frame, a box from the mesh counts as lost. */
export const MIN_INSIDE = 0.5;

/** The square face box (and roll) that the next frame's mesh is made from, from this frame's mesh. */
export function boxFromMesh(mesh: Float32Array, rotate: boolean): BoxRoll {
  const roll = rotate ? eyeAngle(mesh) : 0;
  const cos = Math.cos(roll), sin = Math.sin(roll);
  let u0 = Infinity, u1 = -Infinity, v0 = Infinity, v1 = -Infinity;
  for (let p = 0; p < mesh.length; p += 3) {
    const u = mesh[p] * cos + mesh[p + 1] * sin, v = -mesh[p] * sin + mesh[p + 1] * cos;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const side = Math.max(u1 - u0, v1 - v0) * MESH_TO_BOX;
  const cu = (u0 + u1) / 2, cv = (v0 + v1) / 2 + MESH_CENTRE_SHIFT * side;
  const cx = cu * cos - cv * sin, cy = cu * sin + cv * cos;
  return { box: [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2], roll };
}

/** Fraction of the box's area inside a width x height frame. */
export function insideFraction(box: Box, width: number, height: number): number {
  const w = Math.max(0, Math.min(box[2], width) - Math.max(box[0], 0));
  const h = Math.max(0, Math.min(box[3], height) - Math.max(box[1], 0));
  const area = (box[2] - box[0]) * (box[3] - box[1]);
  return area > 0 ? (w * h) / area : 0;
}

/** Per frame: the detection it was detected with (null when tracked or without a face), the box its mesh came from, and the mesh. */
export interface MeshTrack {
  picked: (Detection | null)[];
  boxes: (BoxRoll | null)[];
  meshes: (MeshResult | null)[];
}

/** Options of `trackByMesh`. */
export interface MeshTrackOptions {
  minMeshConfidence: number;
  rotate: boolean;
  /** Runs a model step, adding its time under 'detect' or 'mesh'. */
  timed: <R>(step: 'detect' | 'mesh', run: () => Promise<R>) => Promise<R>;
}

/** Follows one face through the frames with the `track` policy (see the file comment). */
export async function trackByMesh(models: FaceModels, frames: Frame[], opts: MeshTrackOptions): Promise<MeshTrack> {
  const { minMeshConfidence, rotate, timed } = opts;
  const track: MeshTrack = { picked: frames.map(() => null), boxes: frames.map(() => null), meshes: frames.map(() => null) };
  const meshAt = async (t: number, b: BoxRoll) => (await timed('mesh', () => models.mesh([frames[t]], [b.box], [b.roll])))[0];
  let next: BoxRoll | null = null;
  for (let t = 0; t < frames.length; t++) {
    const f = frames[t];
    let box: BoxRoll | null = null, mesh: MeshResult | null = null;
    if (next && insideFraction(next.box, f.width, f.height) >= MIN_INSIDE) {
      mesh = await meshAt(t, next);
      box = next;
    }
    if (!mesh || mesh.confidence < minMeshConfidence) {
      // Lost (or the first frame): this frame is detected on its own.
      const [found] = await timed('detect', () => models.detect([f]));
      const det = found[0] ?? null;
      track.picked[t] = det;
      box = det ? { box: det.faceBox, roll: rotate ? keypointRoll(det.keypoints) : 0 } : null;
      mesh = box ? await meshAt(t, box) : null;
    }
    track.boxes[t] = box;
    track.meshes[t] = mesh;
    next = mesh && mesh.confidence >= minMeshConfidence ? boxFromMesh(mesh.mesh, rotate) : null;
  }
  return track;
}
