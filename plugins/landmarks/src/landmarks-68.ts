/**
 * The 68-point (iBUG 300-W / dlib) subset of the 468-point MediaPipe face mesh.
 *
 * Index k of `LANDMARKS_68` is the mesh point used for iBUG point k (0-based). This is the
 * widely used MediaPipe->dlib correspondence (e.g. in OpenFace-style pipelines); the mesh has no
 * exact iBUG points, so the jaw in particular is the nearest mesh vertex, not a re-fit.
 * Groups (0-based, in image terms for a frontal face; "right" = the subject's right = image left):
 *   0-16 jaw from the right ear to the left ear; 17-21 right brow; 22-26 left brow;
 *   27-30 nose bridge; 31-35 nose base; 36-41 right eye; 42-47 left eye;
 *   48-59 outer lips; 60-67 inner lips.
 */
export const LANDMARKS_68: readonly number[] = Object.freeze([
  162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389, // jaw
  71, 63, 105, 66, 107, // right brow
  336, 296, 334, 293, 301, // left brow
  168, 197, 5, 4, // nose bridge
  75, 97, 2, 326, 305, // nose base
  33, 160, 158, 133, 153, 144, // right eye
  362, 385, 387, 263, 373, 380, // left eye
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181, // outer lips
  78, 82, 13, 312, 308, 317, 14, 87, // inner lips
]);

/** Polylines over the 68 points: [first, last, closed]. */
export const LANDMARKS_68_CONTOURS: readonly (readonly [number, number, boolean])[] = [
  [0, 16, false], [17, 21, false], [22, 26, false], [27, 30, false], [31, 35, false],
  [36, 41, true], [42, 47, true], [48, 59, true], [60, 67, true],
];

/** Picks the 68 points (x, y, z each) from a 468-point mesh. */
export function meshTo68(mesh: Float32Array): Float32Array {
  const out = new Float32Array(68 * 3);
  // A plain loop, not a closure per call: see blazeface-decode.ts.
  for (let k = 0; k < LANDMARKS_68.length; k++) {
    const m = LANDMARKS_68[k];
    out[k * 3] = mesh[m * 3];
    out[k * 3 + 1] = mesh[m * 3 + 1];
    out[k * 3 + 2] = mesh[m * 3 + 2];
  }
  return out;
}

/** Mesh indices of the eye corners used for alignment (subject's right eye: 33 outer, 133 inner; left: 362 inner, 263 outer). */
export const EYE_CORNERS = { right: [33, 133], left: [362, 263] } as const;
