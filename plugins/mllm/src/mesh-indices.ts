/**
 * MediaPipe face-mesh (468-point canonical face model) landmark indices used to measure action units.
 *
 * Source: the canonical model's annotations as carried by `@vladmandic/human@3.3.6`,
 * `src/face/facemeshcoords.ts` (`meshAnnotations`: the lips, eye, eyebrow, noseTip, noseBottom,
 * nose corner, cheek and silhouette lists), which follows google/mediapipe
 * `mediapipe/modules/face_geometry/data/canonical_face_model.obj` and its mesh_map.
 * "Right"/"left" are the subject's: the subject's right eye appears on the image's left.
 */

/** Points that move little with facial expression: the frame of reference for alignment. */
export const RIGID_ANCHORS: readonly number[] = [
  33, 133, 362, 263, // eye corners (outer right, inner right, inner left, outer left)
  168, 6, 197, 195, 5, 4, 1, // nose bridge down to the nose tip
  10, 151, // upper forehead on the midline
  234, 454, // silhouette at the temples (silhouette list of meshAnnotations)
];

/** Outer eye corners: their distance (inter-ocular distance, IOD) is the unit of all measures. */
export const EYE_OUTER = { right: 33, left: 263 } as const;
export const EYE_INNER = { right: 133, left: 362 } as const;

/** Middle of the upper and lower eyelid (rightEyeUpper0/rightEyeLower0 and the left mirror). */
export const UPPER_LID = { right: 159, left: 386 } as const;
export const LOWER_LID = { right: 145, left: 374 } as const;

/** Inner and outer thirds of the brows (rightEyebrowUpper/Lower, leftEyebrowUpper/Lower). */
export const INNER_BROW = { right: [107, 66, 55, 65], left: [336, 296, 285, 295] } as const;
export const OUTER_BROW = { right: [70, 63, 46, 53], left: [300, 293, 276, 283] } as const;

/** Cheek surface below the eyes (rightCheek 205 / leftCheek 425, and the infra-orbital 50 / 280). */
export const CHEEK = { right: [205, 50], left: [425, 280] } as const;

/** Nostril wings (noseRightCorner / noseLeftCorner). */
export const NOSE_WING = { right: 98, left: 327 } as const;

/** Lip corners (ends of lipsLowerOuter). */
export const LIP_CORNER = { right: 61, left: 291 } as const;

/** Lip midline: outer upper (0), inner upper (13), inner lower (14), outer lower (17). */
export const LIP_MID = { upperOuter: 0, upperInner: 13, lowerInner: 14, lowerOuter: 17 } as const;

/** Chin: the chin boss (199) and the lowest silhouette point (152, menton). */
export const CHIN = { boss: 199, menton: 152 } as const;

/** Number of points a mesh must have. */
export const MESH_POINTS = 468;
