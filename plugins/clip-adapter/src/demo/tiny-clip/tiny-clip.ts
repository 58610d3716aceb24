/**
 * Writes CLIP-shaped ONNX models in the Hugging Face / Xenova layout, for `visage demo`, tests and
 * benchmarks. It lives under src/demo/ because the demo writes one at run time (so it must ship in
 * src/); tests and benches import it from here or through `@visage/clip-adapter`.
 *
 * The models have the same input/output names and layouts as a real export (`pixel_values` ->
 * `image_embeds`, `input_ids` [+ `attention_mask`] -> `text_embeds`), with deterministic weights
 * from a seed.
 *
 * Vision: patch convolution, class token, positional embedding, ln_pre, pre-LN blocks, ln_post on
 * the class token, projection. Text: token + positional embedding, causal pre-LN blocks, ln_final,
 * pooling at the first EOT (argmax of the ids, as in the HF export), projection.
 *
 * Weights are small random values plus one planted "colour probe" so that tests can check the whole
 * image and text path numerically: the first three residual dimensions carry the mean normalised
 * R, G, B of the image, and the tokens of the words "red", "green" and "blue" carry the normalised
 * colour of a pure red/green/blue pixel in the same dimensions. An image that is mostly red therefore
 * ends up close to the text "a red face" and far from "a green face"; a swapped channel order or a
 * wrong normalisation in preprocessing breaks that.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnnxGraphBuilder } from '@visage/core/models';
import { buildClipTokenizerJson, readBpeMerges, wholeWordMerges, type TokenizerJson } from '../../tokenizer/bpe-vocab.ts';
import { ClipTokenizer } from '../../tokenizer/clip-tokenizer.ts';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD } from '../../preprocess/preprocessor-config.ts';
import { SeededRandom } from './seeded-random.ts';
import { addLayerNorm, addTransformerBlock, type BlockWeights, type LinearWeights } from './transformer-graph.ts';

/** Sizes of the two encoders. */
export interface ClipGeometry {
  imageSize: number;
  patchSize: number;
  visionWidth: number;
  visionLayers: number;
  visionHeads: number;
  textWidth: number;
  textLayers: number;
  textHeads: number;
  /** Width of image_embeds / text_embeds. */
  embedDim: number;
  contextLength: number;
  /** Minimum rows of the token embedding table (the tokenizer's vocabulary may need more). */
  vocabSize: number;
}

/** A few hundred parameters per layer: runs in milliseconds. */
export const TINY_GEOMETRY: ClipGeometry = {
  imageSize: 32, patchSize: 8, visionWidth: 32, visionLayers: 1, visionHeads: 2,
  textWidth: 32, textLayers: 1, textHeads: 2, embedDim: 16, contextLength: 77, vocabSize: 0,
};

/** CLIP ViT-B/16 sizes (86M vision + 63M text parameters), for benchmarks with random weights. */
export const VIT_B16_GEOMETRY: ClipGeometry = {
  imageSize: 224, patchSize: 16, visionWidth: 768, visionLayers: 12, visionHeads: 12,
  textWidth: 512, textLayers: 12, textHeads: 8, embedDim: 512, contextLength: 77, vocabSize: 49_408,
};

/** Words of the default small vocabulary (each becomes one token). */
export const TINY_VOCAB_WORDS = [
  'a', 'an', 'the', 'photo', 'picture', 'of', 'face', 'person', 'showing', 'with', 'expression', 'cat', 'dog',
  'red', 'green', 'blue',
  'happiness', 'happy', 'sadness', 'sad', 'neutral', 'anger', 'angry', 'surprise', 'surprised',
  'disgust', 'disgusted', 'fear', 'fearful', 'contempt',
];

/** Colours planted in the probe dimensions, as 8-bit RGB. */
export const PROBE_COLOURS: Record<string, [number, number, number]> = {
  red: [255, 0, 0], green: [0, 255, 0], blue: [0, 0, 255],
};
const PROBE_DIMS = 3;

export interface TinyClipOptions {
  /** Weight seed (default 0). */
  seed?: number;
  /** Base sizes: 'tiny' (default) or 'vit-b-16'; single fields below override them. */
  geometry?: 'tiny' | 'vit-b-16';
  imageSize?: number;
  patchSize?: number;
  visionWidth?: number;
  visionLayers?: number;
  visionHeads?: number;
  textWidth?: number;
  textLayers?: number;
  textHeads?: number;
  embedDim?: number;
  contextLength?: number;
  /** Small vocabulary from these words (default TINY_VOCAB_WORDS); ignored when bpeVocabPath is set. */
  words?: string[];
  /** Use the real CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz) for tokenizer.json instead. */
  bpeVocabPath?: string;
  /** 'flat': models next to tokenizer.json; 'xenova': models in an `onnx/` subfolder (default 'flat'). */
  layout?: 'flat' | 'xenova';
  /** Which encoders to write (default both). */
  parts?: Array<'vision' | 'text'>;
  /** Give the text model an `attention_mask` input (default true). */
  attentionMask?: boolean;
  /** Declare a fixed batch size instead of a dynamic `batch_size` axis (as some exports do). */
  fixedBatch?: number;
}

/** What `writeTinyClip` wrote. */
export interface TinyClipInfo {
  dir: string;
  geometry: ClipGeometry;
  /** Paths of the files written. */
  files: string[];
  /** Token-embedding rows of the text model. */
  vocabSize: number;
}

/** Writes a CLIP-shaped models folder (ONNX encoders, tokenizer.json, preprocessor_config.json). */
export async function writeTinyClip(dir: string, opts: TinyClipOptions = {}): Promise<TinyClipInfo> {
  const base = opts.geometry === 'vit-b-16' ? VIT_B16_GEOMETRY : TINY_GEOMETRY;
  const geometry: ClipGeometry = {
    ...base,
    ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in base && v !== undefined)),
  };
  checkGeometry(geometry);
  const parts = opts.parts ?? ['vision', 'text'];
  const modelDir = opts.layout === 'xenova' ? join(dir, 'onnx') : dir;
  await mkdir(modelDir, { recursive: true });
  const files: string[] = [];
  const write = async (path: string, data: string | Uint8Array) => { await writeFile(path, data); files.push(path); };

  const merges = opts.bpeVocabPath ? await readBpeMerges(opts.bpeVocabPath) : wholeWordMerges(opts.words ?? TINY_VOCAB_WORDS);
  const tokenizerJson: TokenizerJson = buildClipTokenizerJson(merges);
  const tokenizer = ClipTokenizer.fromJson(tokenizerJson);
  await write(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  await write(join(dir, 'preprocessor_config.json'), JSON.stringify(preprocessorConfig(geometry.imageSize), null, 2));

  const seed = opts.seed ?? 0;
  const batchDim = opts.fixedBatch ?? 'batch_size';
  const metadata = { generator: 'visage tiny-clip', seed: String(seed), geometry: JSON.stringify(geometry) };
  if (parts.includes('vision')) {
    const bytes = buildVisionModel(geometry, batchDim, new SeededRandom(seed)).serialize({ metadata });
    await write(join(modelDir, 'vision_model.onnx'), bytes);
  }
  const vocabSize = Math.max(geometry.vocabSize, tokenizer.eotId + 1);
  if (parts.includes('text')) {
    const probeTokens = probeTokenIds(tokenizer);
    const g = buildTextModel(geometry, batchDim, vocabSize, probeTokens, opts.attentionMask ?? true, new SeededRandom(seed + 1));
    await write(join(modelDir, 'text_model.onnx'), g.serialize({ metadata }));
  }
  return { dir, geometry, files, vocabSize };
}

/** The preprocessor_config.json of a CLIP export, for a given input size. */
export function preprocessorConfig(size: number): Record<string, unknown> {
  return {
    crop_size: { height: size, width: size },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: [...CLIP_IMAGE_MEAN],
    image_processor_type: 'CLIPImageProcessor',
    image_std: [...CLIP_IMAGE_STD],
    resample: 3,
    rescale_factor: 1 / 255,
    size: { shortest_edge: size },
  };
}

function checkGeometry(g: ClipGeometry): void {
  if (g.imageSize % g.patchSize !== 0) throw new RangeError(`image size ${g.imageSize} is not a multiple of patch size ${g.patchSize}`);
  if (g.visionWidth < PROBE_DIMS + 1 || g.textWidth < PROBE_DIMS + 1 || g.embedDim < PROBE_DIMS) {
    throw new RangeError(`widths must be at least ${PROBE_DIMS + 1} and embedDim at least ${PROBE_DIMS}`);
  }
}

/** Token id of each probe word that is a single token in this vocabulary, with its colour. */
function probeTokenIds(tokenizer: ClipTokenizer): Map<number, [number, number, number]> {
  const ids = new Map<number, [number, number, number]>();
  for (const [word, rgb] of Object.entries(PROBE_COLOURS)) {
    const encoded = tokenizer.encode(word);
    if (encoded.length === 3) ids.set(encoded[1], rgb);
  }
  return ids;
}

/** A pixel of this colour after CLIP normalisation, per channel. */
function normalisedColour(rgb: [number, number, number]): number[] {
  return rgb.map((v, c) => (v / 255 - CLIP_IMAGE_MEAN[c]) / CLIP_IMAGE_STD[c]);
}

// ---- weights --------------------------------------------------------------------------------

const NOISE = 0.02;

/** Random rows of `width` values, zero in the probe dimensions (keeps the probe clean). */
function noiseOutsideProbe(rng: SeededRandom, rows: number, width: number, std = NOISE): Float32Array {
  const w = rng.normal(rows * width, std);
  for (let r = 0; r < rows; r++) w.fill(0, r * width, r * width + PROBE_DIMS);
  return w;
}

function identityPlusNoise(rng: SeededRandom, width: number): Float32Array {
  const w = rng.normal(width * width, NOISE);
  for (let i = 0; i < width; i++) w[i * width + i] += 1;
  return w;
}

const layerNorm = (width: number) => ({ scale: new Float32Array(width).fill(1), bias: new Float32Array(width) });
const linear = (weight: Float32Array, outFeatures: number): LinearWeights => ({ weight, bias: new Float32Array(outFeatures) });

/**
 * Near-uniform attention (small q/k), value and output close to identity so the probe dimensions
 * pass through as a mean over tokens, and a small random MLP.
 */
function blockWeights(rng: SeededRandom, width: number): BlockWeights {
  return {
    ln1: layerNorm(width),
    q: linear(rng.normal(width * width, NOISE), width),
    k: linear(rng.normal(width * width, NOISE), width),
    v: linear(identityPlusNoise(rng, width), width),
    out: linear(identityPlusNoise(rng, width), width),
    ln2: layerNorm(width),
    fc1: linear(rng.normal(width * 4 * width, NOISE), 4 * width),
    fc2: linear(rng.normal(4 * width * width, NOISE), width),
  };
}

/** Projection [width, embedDim]: identity on the probe dimensions, small noise elsewhere. */
function projection(rng: SeededRandom, width: number, embedDim: number): Float32Array {
  const w = rng.normal(width * embedDim, NOISE);
  for (let i = 0; i < PROBE_DIMS; i++) w.fill(0, i * embedDim, (i + 1) * embedDim);
  for (let i = 0; i < PROBE_DIMS; i++) w[i * embedDim + i] = 1;
  return w;
}

// ---- graphs ---------------------------------------------------------------------------------

function buildVisionModel(geo: ClipGeometry, batch: number | string, rng: SeededRandom): OnnxGraphBuilder {
  const { imageSize: S, patchSize: P, visionWidth: D } = geo;
  const patches = (S / P) ** 2;
  const g = new OnnxGraphBuilder('clip_vision');
  g.addInput('pixel_values', 'float32', [batch, 3, S, S]);

  // Patch convolution: probe dimension c is the mean of channel c over the patch.
  const conv = rng.normal(D * 3 * P * P, NOISE);
  conv.fill(0, 0, PROBE_DIMS * 3 * P * P);
  for (let c = 0; c < PROBE_DIMS; c++) conv.fill(1 / (P * P), (c * 3 + c) * P * P, (c * 3 + c + 1) * P * P);
  g.addInitializer('patch_embedding.weight', conv, [D, 3, P, P]);
  const grid = g.op('Conv', ['pixel_values', 'patch_embedding.weight'], { kernel_shape: [P, P], strides: [P, P] });
  const tokens = g.op('Transpose', [g.op('Reshape', [grid, g.addInt64('patch_shape', [0, D, patches])])], { perm: [0, 2, 1] });

  // Class token, expanded to the batch, then positions.
  g.addInitializer('class_embedding', noiseOutsideProbe(rng, 1, D), [1, 1, D]);
  const batchSize = g.op('Shape', ['pixel_values'], { start: 0, end: 1 });
  const clsShape = g.op('Concat', [batchSize, g.addInt64('cls_tail', [1, D])], { axis: 0 });
  const cls = g.op('Expand', ['class_embedding', clsShape]);
  const sequence = g.op('Concat', [cls, tokens], { axis: 1 });
  g.addInitializer('position_embedding', noiseOutsideProbe(rng, patches + 1, D, NOISE / 2), [patches + 1, D]);
  let x = addLayerNorm(g, g.op('Add', [sequence, 'position_embedding']), 'pre_layrnorm', layerNorm(D));

  for (let l = 0; l < geo.visionLayers; l++) x = addTransformerBlock(g, x, `encoder.layers.${l}`, blockWeights(rng, D), geo.visionHeads);

  const pooled = addLayerNorm(g, g.op('Gather', [x, g.addInt64('cls_index', [0], [])], { axis: 1 }), 'post_layernorm', layerNorm(D));
  g.addInitializer('visual_projection.weight', projection(rng, D, geo.embedDim), [D, geo.embedDim]);
  g.op('MatMul', [pooled, 'visual_projection.weight'], {}, 'image_embeds');
  g.addOutput('image_embeds', 'float32', [batch, geo.embedDim]);
  return g;
}

function buildTextModel(
  geo: ClipGeometry, batch: number | string, vocabSize: number, probeTokens: Map<number, [number, number, number]>,
  withMask: boolean, rng: SeededRandom,
): OnnxGraphBuilder {
  const { textWidth: D, contextLength: C } = geo;
  const g = new OnnxGraphBuilder('clip_text');
  g.addInput('input_ids', 'int64', [batch, 'sequence_length']);
  if (withMask) g.addInput('attention_mask', 'int64', [batch, 'sequence_length']);

  const table = noiseOutsideProbe(rng, vocabSize, D);
  for (const [id, rgb] of probeTokens) table.set(normalisedColour(rgb), id * D);
  g.addInitializer('token_embedding.weight', table, [vocabSize, D]);
  g.addInitializer('position_embedding.weight', noiseOutsideProbe(rng, C, D, NOISE / 2), [C, D]);
  const length = g.op('Shape', ['input_ids'], { start: 1, end: 2 });
  const positions = g.op('Slice', ['position_embedding.weight', g.addInt64('zero1', [0]), length, g.addInt64('axis0', [0])]);
  let x = g.op('Add', [g.op('Gather', ['token_embedding.weight', 'input_ids'], { axis: 0 }), positions]);

  // Additive masks: causal [L, L], plus padding [B, 1, 1, L] when attention_mask is an input.
  const causal = new Float32Array(C * C);
  for (let i = 0; i < C; i++) for (let j = i + 1; j < C; j++) causal[i * C + j] = -1e9;
  g.addInitializer('causal_mask', causal, [C, C]);
  const square = g.op('Concat', [length, length], { axis: 0 });
  let mask = g.op('Slice', ['causal_mask', g.addInt64('zero2', [0, 0]), square, g.addInt64('axes01', [0, 1])]);
  if (withMask) {
    const keep = g.op('Cast', ['attention_mask'], { to: 1 /* FLOAT */ });
    const blocked = g.op('Mul', [g.op('Sub', [g.addInitializer('one', new Float32Array([1]), []), keep]), g.addInitializer('neg_inf', new Float32Array([-1e9]), [])]);
    mask = g.op('Add', [mask, g.op('Unsqueeze', [blocked, g.addInt64('axes12', [1, 2])])]);
  }

  for (let l = 0; l < geo.textLayers; l++) x = addTransformerBlock(g, x, `encoder.layers.${l}`, blockWeights(rng, D), geo.textHeads, mask);
  x = addLayerNorm(g, x, 'final_layer_norm', layerNorm(D));

  // Pool at the first EOT: EOT is the highest id, and ArgMax returns the first maximum.
  const eot = g.op('ArgMax', [g.op('Cast', ['input_ids'], { to: 6 /* INT32 */ })], { axis: 1, keepdims: 1 });
  const pooled = g.op('GatherND', [x, eot], { batch_dims: 1 });
  g.addInitializer('text_projection.weight', projection(rng, D, geo.embedDim), [D, geo.embedDim]);
  g.op('MatMul', [pooled, 'text_projection.weight'], {}, 'text_embeds');
  g.addOutput('text_embeds', 'float32', [batch, geo.embedDim]);
  return g;
}
