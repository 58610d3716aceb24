/**
 * The default face parser: a label map rasterised from the 468-point face mesh.
 *
 * No model runs here: the mesh already places the face oval, brows, eyes, nose and lips, so the
 * regions of `mesh-regions.ts` are filled in the aligned crop frame (`aligned-crop.ts`), in
 * priority order (skin first, features on top). Deviation from FineCLIPER, which used a learned
 * parser [method.md A.2 item 3, not found]: hair, ears, neck and accessories stay background.
 * Pick `OnnxFaceParser` for a learned parser.
 */
import { parsingSizeInvalid } from './errors.ts';
import type { Affine } from '@visage/core/models';
import type { FaceFrame } from '@visage/core';
import { boxCropMap, meshToCrop } from './aligned-crop.ts';
import { emptyParsingMap, PARSING_LABEL, type ParsingMap } from './classes.ts';
import { MESH_REGION_ORDER } from './mesh-regions.ts';
import { fillPolygon } from './rasterize.ts';

/** Number of points in the face mesh this parser understands. */
export const MESH_POINTS = 468;

/** Side of the aligned crop, in pixels, when not given: the CLIP input size. */
export const DEFAULT_PARSING_SIZE = 224;

// The mesh in crop pixels, reused by every call: it never leaves parseFromMesh.
const cropPoints = new Float32Array(MESH_POINTS * 2);

/** Throws PARSING_SIZE_INVALID unless `size` is an integer in [8, 4096]. */
export function checkParsingSize(size: number): void {
  if (!Number.isInteger(size) || size < 8 || size > 4096) throw parsingSizeInvalid(size);
}

/**
 * Parses one face from its mesh. A frame without a face (null box or mesh, or a mesh of the
 * wrong length) gives an all-background map, so a clip keeps one map per sampled frame.
 *
 * @param face the landmarks level's result for one frame (mesh in source-frame pixels)
 * @param size side of the square label map (the aligned crop), 224 by default
 * @param cropMap crop pixels -> source pixels; default the face box resized to `size`
 *   (`boxCropMap`). Pass the landmarks level's alignment map to match its aligned crops.
 */
export function parseFromMesh(face: FaceFrame, size = DEFAULT_PARSING_SIZE, cropMap?: Affine): ParsingMap {
  checkParsingSize(size);
  const map = emptyParsingMap(size);
  const { box, mesh } = face;
  if (!box || !mesh || mesh.length < MESH_POINTS * 3 || !(box[2] > box[0]) || !(box[3] > box[1])) return map;
  const points = meshToCrop(mesh, cropMap ?? boxCropMap(box, size), cropPoints);
  for (const region of MESH_REGION_ORDER) {
    fillPolygon(map.labels, size, points, region.polygon, PARSING_LABEL[region.label]);
  }
  return map;
}
