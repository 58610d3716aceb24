/**
 * CelebAMask-HQ label sets of external face parsers, and how they map onto Visage's class set.
 *
 * Two channel orders are in use for the same 19 CelebAMask-HQ classes:
 * - `bisenet`: zllrunning/face-parsing.PyTorch (`face_dataset.py`, `atts` enumerated from 1), the
 *   order of the widely shared BiSeNet checkpoint `79999_iter.pth` and its ONNX exports.
 * - `celebamask-hq`: the dataset's own order (switchablenorms/CelebAMask-HQ,
 *   `face_parsing/Data_preprocessing/g_mask.py`, `label_list` enumerated from 1).
 */
import { PARSING_LABEL, type ParsingClass } from './classes.ts';

export const BISENET_LABELS = [
  'background', 'skin', 'l_brow', 'r_brow', 'l_eye', 'r_eye', 'eye_g', 'l_ear', 'r_ear', 'ear_r',
  'nose', 'mouth', 'u_lip', 'l_lip', 'neck', 'neck_l', 'cloth', 'hair', 'hat',
] as const;

export const CELEBAMASK_HQ_LABELS = [
  'background', 'skin', 'nose', 'eye_g', 'l_eye', 'r_eye', 'l_brow', 'r_brow', 'l_ear', 'r_ear',
  'mouth', 'u_lip', 'l_lip', 'hair', 'hat', 'ear_r', 'neck_l', 'neck', 'cloth',
] as const;

/**
 * How a parser's `l_*` / `r_*` labels relate to the subject's sides.
 * - `geometry` (default): ignore the parser's side and split by the crop's vertical midline:
 *   image-left half = subject's right. Used because CelebAMask-HQ's side naming is not documented
 *   and its flip augmentation has been disputed (zllrunning/face-parsing.PyTorch PR #26).
 * - `image`: `l_` is the image's left, i.e. the subject's right [inferred].
 * - `subject`: `l_` is the subject's left.
 */
export type SideConvention = 'geometry' | 'image' | 'subject';

/** CelebAMask-HQ classes with no counterpart in the mesh-derived set become background. */
const SIDELESS: Readonly<Record<string, ParsingClass>> = {
  background: 'background',
  skin: 'skin',
  nose: 'nose',
  mouth: 'inner_mouth',
  u_lip: 'upper_lip',
  l_lip: 'lower_lip',
  // Glasses sit on the face: skin keeps the face region whole, as the mesh parser would.
  eye_g: 'skin',
};

/**
 * Visage class for one CelebAMask-HQ class name. With `geometry` the side is provisional
 * (`left_*`) and `splitSidesByMidline` fixes it afterwards. Unknown names map to background.
 * `overrides` replaces the default for the names it lists (e.g. `{ l_ear: 'skin' }`).
 */
export function celebAMaskToParsing(
  name: string,
  sides: SideConvention,
  overrides: Readonly<Record<string, ParsingClass>> = {},
): ParsingClass {
  const override = overrides[name];
  if (override) return override;
  const direct = SIDELESS[name];
  if (direct) return direct;
  const sided = /^([lr])_(eye|brow)$/.exec(name);
  if (!sided) return 'background';
  const part = sided[2] as 'eye' | 'brow';
  const isLeftName = sided[1] === 'l';
  const subjectLeft = sides === 'image' ? !isLeftName : isLeftName;
  return `${subjectLeft ? 'left' : 'right'}_${part}`;
}

/** Lookup table: model channel index -> Visage label value. */
export function channelLookup(
  channelNames: readonly string[],
  sides: SideConvention,
  overrides: Readonly<Record<string, ParsingClass>> = {},
): Uint8Array {
  return Uint8Array.from(channelNames, (name) => PARSING_LABEL[celebAMaskToParsing(name, sides, overrides)]);
}

/**
 * Rewrites eye and brow labels by position: pixels in the image-left half of the square map
 * become the subject's right eye/brow, the others the subject's left. In place.
 */
export function splitSidesByMidline(labels: Uint8Array, size: number): void {
  const swapToRight = new Map([
    [PARSING_LABEL.left_eye, PARSING_LABEL.right_eye],
    [PARSING_LABEL.left_brow, PARSING_LABEL.right_brow],
  ]);
  const swapToLeft = new Map([...swapToRight].map(([left, right]) => [right, left]));
  const half = size / 2;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const p = j * size + i;
      const table = i + 0.5 < half ? swapToRight : swapToLeft;
      const swapped = table.get(labels[p]);
      if (swapped !== undefined) labels[p] = swapped;
    }
  }
}
