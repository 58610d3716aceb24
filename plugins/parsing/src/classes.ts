/**
 * The face-parsing class set of Visage, its fixed render palette, and the label-map type.
 *
 * Every parser (the mesh-derived one and the external ONNX adapter) writes labels from this one
 * set, so renders and statistics are comparable whichever parser produced them.
 *
 * Side convention: `left_*` / `right_*` are the SUBJECT's left and right (the anatomical and
 * MediaPipe convention). In a non-mirrored frontal image the subject's left eye appears on the
 * image's RIGHT half.
 */

/** Class names; a class's label value in a `ParsingMap` is its index here. */
export const PARSING_CLASSES = [
  'background',
  'skin',
  'left_brow',
  'right_brow',
  'left_eye',
  'right_eye',
  'nose',
  'upper_lip',
  'lower_lip',
  'inner_mouth',
] as const;

export type ParsingClass = (typeof PARSING_CLASSES)[number];

/** Label value of each class, by name (never rely on index arithmetic elsewhere). */
export const PARSING_LABEL: Readonly<Record<ParsingClass, number>> = Object.fromEntries(
  PARSING_CLASSES.map((name, index) => [name, index]),
) as Record<ParsingClass, number>;

/**
 * Render colour of each class (RGB). Colours are CelebAMask-HQ's own (switchablenorms/CelebAMask-HQ,
 * `face_parsing/Data_preprocessing/g_color.py`, `color_list`) for the matching CelebAMask-HQ class:
 * background 0, skin 1, l_brow 6, r_brow 7, l_eye 4, r_eye 5, nose 2, u_lip 11, l_lip 12, mouth 10.
 * Our `left_*` takes the colour of CelebAMask-HQ's `l_*` (a naming match; see `celebamask.ts` for
 * how the two side conventions relate).
 */
export const PARSING_PALETTE: Readonly<Record<ParsingClass, readonly [number, number, number]>> = {
  background: [0, 0, 0],
  skin: [204, 0, 0],
  left_brow: [0, 255, 255],
  right_brow: [255, 204, 204],
  left_eye: [51, 51, 255],
  right_eye: [204, 0, 204],
  nose: [76, 153, 0],
  upper_lip: [255, 255, 0],
  lower_lip: [0, 0, 153],
  inner_mouth: [102, 204, 0],
};

/**
 * One face-parsing label map in the aligned crop frame: `size` x `size`, row-major, one label
 * (an index into `PARSING_CLASSES`) per pixel.
 */
export interface ParsingMap {
  size: number;
  labels: Uint8Array;
}

/** An all-background map, the result for a frame without a face. */
export function emptyParsingMap(size: number): ParsingMap {
  return { size, labels: new Uint8Array(size * size) };
}
