/**
 * The two pretrained face models of the landmarks level on onnxruntime: BlazeFace (detection)
 * and FaceMesh (468 points). Both calls take a whole clip of frames and run them in small
 * chunks: on onnxruntime's CPU EP the cost per frame grows with the batch once a batch's
 * activations outgrow the CPU caches (BlazeFace 7.8 CPU-ms per frame at 2 frames a call, 11.8 at
 * 16; FaceMesh 4.2 at 4, 5.0 at 16; one thread per session), and the results do not depend on it.
 */
import * as ort from 'onnxruntime-node';
import { type Affine, chunkedCalls, InputBuffers, rectToAffine, warpToFloat, type OnnxSessionStore, runSession } from '@visage/core/models';
import { errors } from '@visage/core';
import type { Frame } from '@visage/core';
import { type Box, enlargeToSquare } from './box.ts';
import { BLAZEFACE_SIZE, type BlazefaceOutputs, type DecodeOptions, blazefaceOutputs, decodeBlazeface, generateAnchors } from './blazeface-decode.ts';

/** FaceMesh input side. */
export const MESH_SIZE = 192;
/** Points of the face mesh. */
export const MESH_POINTS = 468;

/** One detected face in source-frame pixels. */
export interface Detection {
  /** The detector's own box. */
  box: Box;
  /** The box the mesh sees: `box` enlarged by `boxScale` and squared. */
  faceBox: Box;
  /** Sigmoid confidence, 0..1. */
  score: number;
  /** 6 keypoints (right eye, left eye, nose, mouth, right ear, left ear), x/y pairs. */
  keypoints: Float32Array;
}

/** Mesh of one face in source-frame pixels. */
export interface MeshResult {
  /** 468 x (x, y, z); z uses the same pixel scale as x (human leaves it in crop units). */
  mesh: Float32Array;
  /** The mesh model's face flag (sigmoid), 0..1. */
  confidence: number;
}

/** Options of the face models. Defaults are @vladmandic/human's, except `padToSquare`. */
export interface FaceModelsOptions extends DecodeOptions {
  /** Enlargement of the detector box before squaring (human `detector.scale`): 1.4. */
  boxScale?: number;
  /**
   * Letterbox the frame to a square before resizing to 256 (keeps the face's aspect ratio).
   * Default true; human's default (`square` unset) stretches non-square frames instead.
   */
  padToSquare?: boolean;
  /** Frames per detector call: 2 (the cheapest per frame, see the file comment). */
  detectBatch?: number;
  /** Faces per mesh call: 4 (the cheapest per frame, see the file comment). */
  meshBatch?: number;
}

/**
 * The map from a size x size crop to the frame: the square `box`, rotated by `roll` radians
 * about its centre (a crop whose x axis runs along the roll direction).
 */
export function rotatedBoxMap(box: Box, roll: number, size: number): Affine {
  if (roll === 0) return rectToAffine(box, size, size);
  const s = Math.max(box[2] - box[0], box[3] - box[1]) / size;
  const cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2, h = size / 2;
  const cos = Math.cos(roll) * s, sin = Math.sin(roll) * s;
  return [cos, -sin, cx - cos * h + sin * h, sin, cos, cy - sin * h - cos * h];
}

/** Roll (radians) of the line from the right-eye to the left-eye keypoint of a detection. */
export function keypointRoll(keypoints: Float32Array): number {
  return Math.atan2(keypoints[3] - keypoints[1], keypoints[2] - keypoints[0]);
}

function checkFrame(f: Frame, i: number): void {
  if (!f || !(f.rgb instanceof Uint8Array) || f.width <= 0 || f.height <= 0 || f.rgb.length !== f.width * f.height * 3) {
    throw errors.badFrame(`frame ${i}: ${f?.width}x${f?.height} with ${f?.rgb?.length} bytes`);
  }
}

/** BlazeFace + FaceMesh on onnxruntime-node. */
export class FaceModels {
  private readonly anchors = generateAnchors(BLAZEFACE_SIZE);
  private readonly inputs = new InputBuffers();
  readonly options: Required<FaceModelsOptions>;

  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly meshModel: ort.InferenceSession,
    options: FaceModelsOptions,
  ) {
    this.options = {
      minConfidence: 0.2, iouThreshold: 0.1, maxDetections: 1, boxScale: 1.4, padToSquare: true, detectBatch: 2, meshBatch: 4,
      ...options,
    };
  }

  /** Loads (converting and caching on first use) both models from the store. */
  static async load(store: OnnxSessionStore, options: FaceModelsOptions = {}): Promise<FaceModels> {
    const [detector, mesh] = await Promise.all([store.faceModel('blazeface'), store.faceModel('facemesh')]);
    return new FaceModels(detector, mesh, options);
  }

  /** The frame region that the detector's 256x256 input covers. */
  private detectorRegion(f: Frame): Box {
    if (!this.options.padToSquare) return [0, 0, f.width, f.height];
    const side = Math.max(f.width, f.height);
    const ox = (side - f.width) / 2, oy = (side - f.height) / 2;
    return [-ox, -oy, side - ox, side - oy];
  }

  /** Detects faces in every frame; per frame, up to `maxDetections` faces, best first. */
  async detect(frames: Frame[]): Promise<Detection[][]> {
    frames.forEach(checkFrame);
    // The per-chunk work lives in methods and loops, not in closures made per call: V8 drops a
    // dead closure's optimized code at a full GC, so those were compiled again every few clips.
    const perChunk = await chunkedCalls(frames.length, this.options.detectBatch, (start, end) => this.detectChunk(frames.slice(start, end)));
    return perChunk.flat();
  }

  private async detectChunk(chunk: Frame[]): Promise<Detection[][]> {
    const S = BLAZEFACE_SIZE;
    const regions: Box[] = [];
    for (const f of chunk) regions.push(this.detectorRegion(f));
    const result = await this.inputs.with(chunk.length * S * S * 3, (input) => this.runDetector(chunk, regions, input));
    const outputs = blazefaceOutputs(Object.values(result).map((t) => ({ dims: t.dims, data: t.data as Float32Array })));
    const detections: Detection[][] = [];
    for (let i = 0; i < chunk.length; i++) detections.push(this.frameDetections(outputs, i, regions[i]));
    return detections;
  }

  private runDetector(chunk: Frame[], regions: Box[], input: Float32Array<ArrayBuffer>): Promise<Record<string, ort.Tensor>> {
    const S = BLAZEFACE_SIZE;
    // Letterbox fill 0 becomes -1 after normalisation, as human's zero padding does.
    for (let i = 0; i < chunk.length; i++) warpToFloat(chunk[i], rectToAffine(regions[i], S, S), S, S, input, i * S * S * 3, { scale: 1 / 127.5, bias: -1 });
    return runSession(this.detector, 'blazeface', {
      [this.detector.inputNames[0]]: new ort.Tensor('float32', input, [chunk.length, S, S, 3]),
    });
  }

  /** Image `image`'s detections, from detector-input pixels to the frame's pixels. */
  private frameDetections(outputs: BlazefaceOutputs, image: number, region: Box): Detection[] {
    const S = BLAZEFACE_SIZE;
    const [rx0, ry0, rx1, ry1] = region;
    const sx = (rx1 - rx0) / S, sy = (ry1 - ry0) / S;
    const detections: Detection[] = [];
    for (const d of decodeBlazeface(outputs, image, this.anchors, this.options)) {
      const box: Box = [d.box[0] * sx + rx0, d.box[1] * sy + ry0, d.box[2] * sx + rx0, d.box[3] * sy + ry0];
      const keypoints = new Float32Array(d.keypoints.length);
      for (let k = 0; k < keypoints.length; k++) keypoints[k] = k % 2 === 0 ? d.keypoints[k] * sx + rx0 : d.keypoints[k] * sy + ry0;
      detections.push({ box, faceBox: enlargeToSquare(box, this.options.boxScale), score: d.score, keypoints });
    }
    return detections;
  }

  /**
   * Runs FaceMesh on the square `boxes[i]` of `frames[i]` (null: skipped, result null), the crop
   * rotated by `rolls[i]` radians (default 0) so the face is upright for the model: FaceMesh
   * saturates at about 15 degrees of roll on unrotated crops. All boxes go through the model in
   * batched calls.
   */
  async mesh(frames: Frame[], boxes: (Box | null)[], rolls: number[] = []): Promise<(MeshResult | null)[]> {
    if (boxes.length !== frames.length) throw errors.faceInputMismatch('FaceModels.mesh', `${frames.length} frames but ${boxes.length} boxes`);
    frames.forEach(checkFrame);
    const jobs = boxes.flatMap((b, i) => (b ? [i] : []));
    const results: (MeshResult | null)[] = boxes.map(() => null);
    // The chunk's work in a method, not a closure made per call: see detect().
    await chunkedCalls(jobs.length, this.options.meshBatch, (start, end) => this.meshChunk(frames, boxes, rolls, jobs.slice(start, end), results));
    return results;
  }

  /** FaceMesh on the frames `chunk` (indices into `frames`), into `results`. */
  private async meshChunk(frames: Frame[], boxes: (Box | null)[], rolls: number[], chunk: number[], results: (MeshResult | null)[]): Promise<void> {
    const S = MESH_SIZE;
    const maps: Affine[] = [];
    for (const i of chunk) maps.push(rotatedBoxMap(boxes[i]!, rolls[i] ?? 0, S));
    const r = await this.inputs.with(chunk.length * S * S * 3, (input) => this.runMesh(frames, chunk, maps, input));
    const mesh = r.output_mesh.data as Float32Array;
    const flag = r.output_faceflag.data as Float32Array;
    for (let k = 0; k < chunk.length; k++) results[chunk[k]] = { mesh: meshToFrame(mesh, k, maps[k]), confidence: flag[k] };
  }

  private runMesh(frames: Frame[], chunk: number[], maps: Affine[], input: Float32Array<ArrayBuffer>): Promise<Record<string, ort.Tensor>> {
    const S = MESH_SIZE;
    for (let k = 0; k < chunk.length; k++) warpToFloat(frames[chunk[k]], maps[k], S, S, input, k * S * S * 3, { scale: 1 / 255 });
    return runSession(this.meshModel, 'facemesh', {
      [this.meshModel.inputNames[0]]: new ort.Tensor('float32', input, [chunk.length, S, S, 3]),
    });
  }
}

/** Face `k`'s points of a FaceMesh output, from crop pixels to the frame's pixels through `m`. */
export function meshToFrame(mesh: Float32Array, k: number, m: Affine): Float32Array {
  const pts = new Float32Array(MESH_POINTS * 3);
  const zScale = Math.hypot(m[0], m[3]); // once, not per point: Math.hypot is a slow builtin call
  for (let p = 0; p < MESH_POINTS; p++) {
    const o = k * MESH_POINTS * 3 + p * 3;
    pts[p * 3] = m[0] * mesh[o] + m[1] * mesh[o + 1] + m[2];
    pts[p * 3 + 1] = m[3] * mesh[o] + m[4] * mesh[o + 1] + m[5];
    pts[p * 3 + 2] = zScale * mesh[o + 2];
  }
  return pts;
}
