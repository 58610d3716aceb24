/**
 * Adapter for an external, user-supplied ONNX face parser (BiSeNet-style, CelebAMask-HQ labels).
 *
 * Contract of the model: one float32 input NCHW [1, 3, S, S] (S = 512 by default) holding the RGB
 * face crop scaled to [0, 1] and normalised with the ImageNet mean/std; first output (or the one
 * named) [1, C, H, W] class logits, C = number of labels (19). This is how
 * zllrunning/face-parsing.PyTorch `test.py` feeds its BiSeNet.
 *
 * The crop is the same square face box as the mesh parser's aligned crop, so both parsers give
 * maps in the same frame and class set (`classes.ts`): argmax over channels at the model's
 * resolution, CelebAMask-HQ labels mapped by `celebamask.ts`, then a nearest-neighbour resize to
 * the map size.
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { errors } from '@visage/core';
import type { RgbImage } from '@visage/core/media';
import { type Affine, warpToFloat } from '@visage/core/models';
import type { FaceFrame } from '@visage/core';
import { boxCropMap, centreSquare } from './aligned-crop.ts';
import { BISENET_LABELS, CELEBAMASK_HQ_LABELS, channelLookup, splitSidesByMidline, type SideConvention } from './celebamask.ts';
import type { ParsingClass, ParsingMap } from './classes.ts';
import { checkParsingSize, DEFAULT_PARSING_SIZE } from './parse-from-mesh.ts';

const { modelNotFound, modelSignatureMismatch } = errors;

/** ImageNet statistics used by torchvision's `Normalize` in the BiSeNet face parser. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Options of `OnnxFaceParser.load`. */
export interface OnnxFaceParserOptions {
  /** The model's channel order: a known name, or one CelebAMask-HQ class name per channel. Default `bisenet`. */
  labels?: 'bisenet' | 'celebamask-hq' | readonly string[];
  /** How the model's `l_`/`r_` labels relate to the subject's sides. Default `geometry`. */
  sides?: SideConvention;
  /**
   * Visage class for model labels, replacing the defaults of `celebamask.ts` (which send hair,
   * ears, neck, cloth, hat and jewellery to background, glasses to skin). E.g. `{ hair: 'skin' }`.
   */
  classOverrides?: Readonly<Record<string, ParsingClass>>;
  /** Side of the square model input. Default 512. */
  inputSize?: number;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  /** Output to read; default the first. */
  outputName?: string;
  /** Side of the produced label maps (the aligned crop). Default 224. */
  size?: number;
  /** onnxruntime session options (execution providers, threads). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

const describeShape = (shape: ReadonlyArray<number | string>) => `[${shape.join(', ')}]`;

/** A loaded external face parser. Create with `OnnxFaceParser.load`; `release()` when done. */
export class OnnxFaceParser {
  private readonly lookup: Uint8Array;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly modelName: string,
    private readonly channelNames: readonly string[],
    private readonly sides: SideConvention,
    private readonly inputSize: number,
    private readonly mean: readonly number[],
    private readonly std: readonly number[],
    private readonly outputName: string,
    /** Side of the maps this parser returns. */
    readonly size: number,
    classOverrides: Readonly<Record<string, ParsingClass>>,
  ) {
    this.lookup = channelLookup(channelNames, sides, classOverrides);
  }

  /**
   * Loads and checks a face-parser model. Throws MODEL_NOT_FOUND for a missing file and
   * MODEL_SIGNATURE_MISMATCH when its declared input/output shapes do not fit the contract.
   * @param model path of the .onnx file, or its bytes
   */
  static async load(model: string | Uint8Array, options: OnnxFaceParserOptions = {}): Promise<OnnxFaceParser> {
    const name = typeof model === 'string' ? model : 'face parser model';
    if (typeof model === 'string' && !existsSync(model)) throw modelNotFound('face parser model', model);
    const channelNames = options.labels === undefined || options.labels === 'bisenet' ? BISENET_LABELS
      : options.labels === 'celebamask-hq' ? CELEBAMASK_HQ_LABELS : options.labels;
    const inputSize = options.inputSize ?? 512;
    const size = options.size ?? DEFAULT_PARSING_SIZE;
    checkParsingSize(size);
    let session: ort.InferenceSession;
    try {
      session = typeof model === 'string'
        ? await ort.InferenceSession.create(model, options.sessionOptions ?? {})
        : await ort.InferenceSession.create(model, options.sessionOptions ?? {});
    } catch (e) {
      throw modelSignatureMismatch(name, `a file onnxruntime cannot load (${(e as Error).message.split('\n')[0]})`, 'an ONNX face-parsing model');
    }
    const outputName = options.outputName ?? session.outputNames[0];
    checkSignature(session, name, inputSize, channelNames.length, outputName);
    return new OnnxFaceParser(
      session, name, channelNames, options.sides ?? 'geometry', inputSize,
      options.mean ?? IMAGENET_MEAN, options.std ?? IMAGENET_STD, outputName, size, options.classOverrides ?? {},
    );
  }

  /**
   * Parses the face of one frame. The crop is the face box (square, source pixels) unless
   * `cropMap` (crop pixels -> source pixels, for a `size` x `size` crop) says otherwise; without
   * a face box the largest centred square of the frame is parsed. The returned map is in the
   * same crop frame as `parseFromMesh(face, size, cropMap)`.
   */
  async parse(frame: RgbImage, face: Pick<FaceFrame, 'box'> | null, cropMap?: Affine): Promise<ParsingMap> {
    const s = this.inputSize;
    // The model sees the same crop at its own resolution: scale the crop map from `size` to `s`.
    const k = this.size / s;
    const m = cropMap ?? boxCropMap(face?.box ?? centreSquare(frame.width, frame.height), this.size);
    const modelMap: Affine = [m[0] * k, m[1] * k, m[2], m[3] * k, m[4] * k, m[5]];
    const hwc = new Float32Array(s * s * 3);
    warpToFloat({ ...frame, sourceIndex: 0 }, modelMap, s, s, hwc);
    return this.run(hwc);
  }

  /** Parses an RGB24 crop that is already `inputSize` x `inputSize` (the map covers the whole crop). */
  async parseCrop(crop: Uint8Array): Promise<ParsingMap> {
    return this.run(Float32Array.from(crop));
  }

  /** Normalises an HWC crop with 0..255 values into NCHW and runs the model. */
  private async run(hwc: Float32Array): Promise<ParsingMap> {
    const s = this.inputSize;
    const plane = s * s;
    const input = new Float32Array(3 * plane);
    for (let c = 0; c < 3; c++) {
      const scale = 1 / (255 * this.std[c]);
      const shift = this.mean[c] / this.std[c];
      for (let p = 0; p < plane; p++) input[c * plane + p] = hwc[p * 3 + c] * scale - shift;
    }
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, s, s]) };
    const result = await this.session.run(feeds, [this.outputName]);
    const logits = result[this.outputName];
    try {
      return this.labelMap(logits);
    } finally {
      for (const t of Object.values(result)) t.dispose();
    }
  }

  /** Frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.session.release();
  }

  private labelMap(logits: ort.Tensor): ParsingMap {
    const dims = logits.dims;
    const channels = this.channelNames.length;
    if (logits.type !== 'float32' || dims.length !== 4 || dims[0] !== 1 || dims[1] !== channels) {
      throw modelSignatureMismatch(this.modelName, `output ${logits.type} ${describeShape(dims)}`, `float32 [1, ${channels}, H, W] logits`);
    }
    const [, , h, w] = dims;
    const data = logits.data as Float32Array;
    const plane = h * w;
    // Argmax at the model's resolution (one label per model pixel), then map to Visage classes.
    const native = new Uint8Array(plane);
    for (let p = 0; p < plane; p++) {
      let best = 0;
      let bestValue = data[p];
      for (let c = 1; c < channels; c++) {
        const v = data[c * plane + p];
        if (v > bestValue) { bestValue = v; best = c; }
      }
      native[p] = this.lookup[best];
    }
    const size = this.size;
    const labels = new Uint8Array(size * size);
    for (let j = 0; j < size; j++) {
      const sy = Math.min(h - 1, Math.floor(((j + 0.5) * h) / size));
      for (let i = 0; i < size; i++) {
        const sx = Math.min(w - 1, Math.floor(((i + 0.5) * w) / size));
        labels[j * size + i] = native[sy * w + sx];
      }
    }
    if (this.sides === 'geometry') splitSidesByMidline(labels, size);
    return { size, labels };
  }
}

function checkSignature(session: ort.InferenceSession, name: string, inputSize: number, channels: number, outputName: string): void {
  const expectedIn = `one float32 input [1, 3, ${inputSize}, ${inputSize}]`;
  const inputs = session.inputMetadata;
  const input = inputs[0];
  if (inputs.length !== 1 || !input.isTensor || input.type !== 'float32') {
    throw modelSignatureMismatch(name, `${inputs.length} input(s), first ${input?.isTensor ? input.type : 'not a tensor'}`, expectedIn);
  }
  const want = [1, 3, inputSize, inputSize];
  const fixedMismatch = input.shape.length !== 4 || input.shape.some((d, k) => typeof d === 'number' && d > 0 && d !== want[k]);
  if (fixedMismatch) throw modelSignatureMismatch(name, `input ${describeShape(input.shape)}`, expectedIn);
  const output = session.outputMetadata.find((o) => o.name === outputName);
  if (!output) throw modelSignatureMismatch(name, `outputs ${session.outputNames.join(', ')}`, `an output named ${outputName}`);
  if (output.isTensor && output.shape.length > 0) {
    const c = output.shape[1];
    if (output.shape.length !== 4 || (typeof c === 'number' && c > 0 && c !== channels)) {
      throw modelSignatureMismatch(name, `output ${describeShape(output.shape)}`, `[1, ${channels}, H, W] logits (one channel per label)`);
    }
  }
}
