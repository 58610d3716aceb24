/**
 * Face regions of the 468-point MediaPipe face mesh, as closed polygons (ordered vertex indices).
 *
 * Sources (MediaPipe canonical mesh topology, same indices in both):
 * - `@vladmandic/human` 3.3.6 (MIT), `src/face/facemeshcoords.ts`: `meshAnnotations.silhouette`
 *   (face oval), `lipsUpperOuter`/`lipsLowerOuter`/`lipsUpperInner`/`lipsLowerInner`,
 *   `rightEyeUpper0`/`rightEyeLower0`, `leftEyeUpper0`/`leftEyeLower0`, and the brow edge pairs
 *   `pairsRightEyebrow`/`pairsLeftEyebrow` (= MediaPipe FACEMESH_RIGHT_EYEBROW / FACEMESH_LEFT_EYEBROW).
 * - Nose: MediaPipe has no closed nose outline in the 468 topology (FACEMESH_NOSE only traces the
 *   lower nose). The outline below runs from the bridge point between the eyes (168,
 *   `midwayBetweenEyes`) down the sides of the bridge and around the alae and nostrils; its
 *   vertices were picked from the canonical UV layout (`UV468` in the same file) so that the
 *   outline widens monotonically down to the alae, and checked on renders of the canonical face.
 *
 * "right" = the subject's right (indices around 33/133), which is the image's LEFT half for a
 * non-mirrored frontal face; "left" = around 263/362.
 */
import type { ParsingClass } from './classes.ts';

/** Face oval (silhouette), clockwise from the forehead top (10). */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
  152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;

/** Subject's right eye opening: outer corner 33, upper lid to 133, lower lid back. */
export const RIGHT_EYE = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7] as const;
/** Subject's left eye opening: outer corner 263, upper lid to 362, lower lid back. */
export const LEFT_EYE = [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249] as const;

/** Subject's right brow: lower edge outward-in, then upper edge back out. */
export const RIGHT_BROW = [46, 53, 52, 65, 55, 107, 66, 105, 63, 70] as const;
/** Subject's left brow, mirrored indices of RIGHT_BROW. */
export const LEFT_BROW = [276, 283, 282, 295, 285, 336, 296, 334, 293, 300] as const;

/** Nose: bridge top 168, the subject-left side down, nostrils, the subject-right side up. */
export const NOSE = [
  168, 351, 412, 437, 420, 279, 358, 327, 326, 2, 97, 98, 129, 49, 198, 217, 188, 122,
] as const;

/** Upper lip: outer contour corner to corner (61 -> 291), then inner contour back (308 -> 78). */
export const UPPER_LIP = [
  61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191, 78,
] as const;
/** Lower lip: outer contour corner to corner, then inner contour back. */
export const LOWER_LIP = [
  61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78,
] as const;
/** Mouth opening (inside the inner lip contour); empty when the lips touch. */
export const INNER_MOUTH = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95] as const;

/**
 * Fill order: later regions overwrite earlier ones, so the face oval goes first (skin) and the
 * small features go on top of it.
 */
export const MESH_REGION_ORDER: ReadonlyArray<{ label: ParsingClass; polygon: readonly number[] }> = [
  { label: 'skin', polygon: FACE_OVAL },
  { label: 'nose', polygon: NOSE },
  { label: 'right_brow', polygon: RIGHT_BROW },
  { label: 'left_brow', polygon: LEFT_BROW },
  { label: 'right_eye', polygon: RIGHT_EYE },
  { label: 'left_eye', polygon: LEFT_EYE },
  { label: 'upper_lip', polygon: UPPER_LIP },
  { label: 'lower_lip', polygon: LOWER_LIP },
  { label: 'inner_mouth', polygon: INNER_MOUTH },
];

/** Region outlines to draw on frame renders (`drawFaceOverlay(frame, face, { contours })`). */
export const MESH_CONTOURS: ReadonlyArray<readonly number[]> = MESH_REGION_ORDER.map((r) => r.polygon);
