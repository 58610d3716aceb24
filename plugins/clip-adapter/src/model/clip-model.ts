/**
 * A CLIP model on onnxruntime-node: vision and text encoders of a Hugging Face / Xenova export,
 * its tokenizer and its image preprocessing, checked against each other on load.
 */
import * as ort from 'onnxruntime-node';
import { errors } from '@visage/core';
import { clipPreprocessing, readPreprocessorConfig, type ImagePreprocessing } from '../preprocess/preprocessor-config.ts';
import { packPixelValues, type RgbImage } from '../preprocess/pixel-values.ts';
import { ClipTokenizer, CLIP_CONTEXT_LENGTH } from '../tokenizer/clip-tokenizer.ts';
import { locateClipFiles, type ClipModelFiles } from './model-files.ts';
import { checkTextSignature, checkVisionSignature, type TextSignature, type VisionSignature } from './signature.ts';

export interface LoadClipOptions {
  /** Which encoders to load (default both); a missing one is an error. */
  parts?: Array<'vision' | 'text'>;
  /** Xenova file variant suffix ('quantized', 'fp16', ...); default '' (fp32 files). */
  variant?: string;
  /** Images per onnxruntime run (default 16); a model with a fixed batch size uses that. */
  imageBatchSize?: number;
  /** Texts per onnxruntime run (default 64). */
  textBatchSize?: number;
  /** BPE vocabulary to use when the folder has neither tokenizer.json nor bpe_simple_vocab_16e6.txt.gz. */
  vocabPath?: string;
  /** Passed to onnxruntime (threads, execution providers, graph optimisation). */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** Milliseconds spent per phase, summed over the batches of one call (for benchmarks). */
export interface EncodeTimings {
  /** Preprocessing or tokenising, and tensor packing. */
  prepareMs: number;
  /** Inside onnxruntime's session.run. */
  runMs: number;
  /** Splitting rows and L2-normalising. */
  finishMs: number;
}

export interface EncodeOptions {
  /** L2-normalise each embedding (default true). */
  normalize?: boolean;
  /** When given, phase times are added to it. */
  timings?: EncodeTimings;
}

/** Scales `v` to unit L2 norm in place (a zero vector stays zero) and returns it. */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** Cosine similarity of two vectors of equal length. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

interface Encoder<S> { path: string; session: ort.InferenceSession; signature: S }

export class ClipModel {
  private constructor(
    readonly files: ClipModelFiles,
    readonly preprocessing: ImagePreprocessing,
    /** Where `preprocessing` came from: the folder's preprocessor_config.json, or CLIP defaults. */
    readonly preprocessingSource: 'preprocessor_config.json' | 'defaults',
    readonly tokenizer: ClipTokenizer | null,
    private readonly vision: Encoder<VisionSignature> | null,
    private readonly text: Encoder<TextSignature> | null,
    private readonly opts: Required<Pick<LoadClipOptions, 'imageBatchSize' | 'textBatchSize'>>,
  ) {}

  /** Loads and checks the encoders in `dir` (see `loadClip`). */
  static async load(dir: string, opts: LoadClipOptions = {}): Promise<ClipModel> {
    const parts = opts.parts ?? ['vision', 'text'];
    const files = locateClipFiles(dir, opts.variant);
    const sessionOptions = opts.sessionOptions ?? {};

    // Sessions opened so far, released again if a later check fails.
    const opened: ort.InferenceSession[] = [];
    const open = async (what: string, path: string | undefined) => {
      if (!path) throw errors.modelNotFound(what, `${dir} (or ${dir}/onnx)`);
      try {
        const session = await ort.InferenceSession.create(path, sessionOptions);
        opened.push(session);
        return session;
      } catch (e) {
        throw errors.modelRunFailed(path, `cannot load: ${(e as Error).message}`);
      }
    };
    try {
      let vision: Encoder<VisionSignature> | null = null;
      let text: Encoder<TextSignature> | null = null;
      let preprocessing = clipPreprocessing();
      let source: 'preprocessor_config.json' | 'defaults' = 'defaults';
      if (files.preprocessorConfig) {
        preprocessing = await readPreprocessorConfig(files.preprocessorConfig);
        source = 'preprocessor_config.json';
      }

      if (parts.includes('vision')) {
        const name = `vision_model${opts.variant ? '_' + opts.variant : ''}.onnx`;
        const session = await open(name, files.vision);
        // Without a preprocessor_config.json, follow the model's fixed input size.
        const fixedSize = fixedInputSize(session);
        if (source === 'defaults' && fixedSize) preprocessing = clipPreprocessing(fixedSize);
        const size = preprocessing.crop ?? (preprocessing.resize && 'exact' in preprocessing.resize ? preprocessing.resize.exact : undefined);
        vision = { path: files.vision!, session, signature: checkVisionSignature(files.vision!, session, size) };
      }
      if (parts.includes('text')) {
        const name = `text_model${opts.variant ? '_' + opts.variant : ''}.onnx`;
        const session = await open(name, files.text);
        text = { path: files.text!, session, signature: checkTextSignature(files.text!, session, CLIP_CONTEXT_LENGTH) };
      }
      const visionDim = vision?.signature.embedDim;
      const textDim = text?.signature.embedDim;
      if (visionDim && textDim && visionDim !== textDim) {
        throw errors.modelSignatureMismatch(files.text!, `text_embeds width ${textDim}`, `the image_embeds width of ${files.vision} (${visionDim})`);
      }

      let tokenizer: ClipTokenizer | null = null;
      if (text) {
        if (files.tokenizerJson) tokenizer = await ClipTokenizer.fromJsonFile(files.tokenizerJson);
        else if (files.bpeVocab ?? opts.vocabPath) tokenizer = await ClipTokenizer.fromBpeVocab((files.bpeVocab ?? opts.vocabPath)!);
        else throw errors.modelNotFound('tokenizer.json or bpe_simple_vocab_16e6.txt.gz', dir);
      }
      return new ClipModel(files, preprocessing, source, tokenizer, vision, text, {
        imageBatchSize: opts.imageBatchSize ?? 16,
        textBatchSize: opts.textBatchSize ?? 64,
      });
    } catch (e) {
      await Promise.all(opened.map((session) => session.release()));
      throw e;
    }
  }

  /** Embedding width, when the model files fix it. */
  get embedDim(): number | null {
    return this.vision?.signature.embedDim ?? this.text?.signature.embedDim ?? null;
  }

  /** One embedding per frame (L2-normalised by default). Frames may have any size. */
  async encodeImages(frames: RgbImage[], opts: EncodeOptions = {}): Promise<Float32Array[]> {
    if (frames.length === 0) return [];
    const vision = this.vision ?? (() => { throw errors.modelNotFound('vision_model.onnx (not loaded)', this.files.dir); })();
    const batchSize = vision.signature.batch ?? this.opts.imageBatchSize;
    const out: Float32Array[] = [];
    for (let start = 0; start < frames.length; start += batchSize) {
      const chunk = frames.slice(start, start + batchSize);
      const t0 = performance.now();
      const { data, dims } = await packPixelValues(chunk, this.preprocessing);
      const padded = padBatch(data, dims, vision.signature.batch);
      const feeds = { pixel_values: new ort.Tensor('float32', padded.data, padded.dims) };
      const t1 = performance.now();
      const result = await run(vision, feeds, 'image_embeds');
      const t2 = performance.now();
      out.push(...rows(result, chunk.length, opts.normalize ?? true));
      addTimings(opts.timings, t0, t1, t2);
    }
    return out;
  }

  /** One embedding per text (L2-normalised by default). */
  async encodeTexts(texts: string[], opts: EncodeOptions = {}): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const text = this.text ?? (() => { throw errors.modelNotFound('text_model.onnx (not loaded)', this.files.dir); })();
    const tokenizer = this.tokenizer!;
    const batchSize = text.signature.batch ?? this.opts.textBatchSize;
    const fixedLength = text.signature.sequenceLength;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const chunk = texts.slice(start, start + batchSize);
      const t0 = performance.now();
      // A dynamic sequence axis only needs the longest text: the causal mask makes padding irrelevant to EOT.
      const tokens = tokenizer.tokenize(padTexts(chunk, text.signature.batch), fixedLength === null
        ? { contextLength: CLIP_CONTEXT_LENGTH, padding: 'longest' }
        : { contextLength: fixedLength, padding: 'max' });
      const dims = [tokens.batch, tokens.length];
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', tokens.ids, dims) };
      if (text.signature.hasAttentionMask) feeds.attention_mask = new ort.Tensor('int64', tokens.attentionMask, dims);
      const t1 = performance.now();
      const result = await run(text, feeds, 'text_embeds');
      const t2 = performance.now();
      out.push(...rows(result, chunk.length, opts.normalize ?? true));
      addTimings(opts.timings, t0, t1, t2);
    }
    return out;
  }

  /** Frees the onnxruntime sessions. */
  async release(): Promise<void> {
    await Promise.all([this.vision?.session.release(), this.text?.session.release()]);
  }
}

/** Loads a CLIP models folder (flat or Xenova `onnx/` layout) and checks its encoders. */
export function loadClip(dir: string, opts: LoadClipOptions = {}): Promise<ClipModel> {
  return ClipModel.load(dir, opts);
}

function addTimings(timings: EncodeTimings | undefined, t0: number, t1: number, t2: number): void {
  if (!timings) return;
  timings.prepareMs += t1 - t0;
  timings.runMs += t2 - t1;
  timings.finishMs += performance.now() - t2;
}

function fixedInputSize(session: ort.InferenceSession): number | null {
  const meta = session.inputMetadata.find((m) => m.name === 'pixel_values');
  if (!meta?.isTensor) return null;
  const [, , h, w] = meta.shape;
  return typeof h === 'number' && h > 0 && h === w ? h : null;
}

/** Pads a batch with zero images up to a model's fixed batch size. */
function padBatch(data: Float32Array, dims: number[], fixedBatch: number | null): { data: Float32Array; dims: number[] } {
  if (fixedBatch === null || dims[0] === fixedBatch) return { data, dims };
  const per = data.length / dims[0];
  const padded = new Float32Array(fixedBatch * per);
  padded.set(data);
  return { data: padded, dims: [fixedBatch, ...dims.slice(1)] };
}

function padTexts(texts: string[], fixedBatch: number | null): string[] {
  return fixedBatch === null ? texts : [...texts, ...new Array(Math.max(0, fixedBatch - texts.length)).fill('')];
}

async function run(encoder: Encoder<unknown>, feeds: Record<string, ort.Tensor>, output: string): Promise<ort.Tensor> {
  let results: ort.InferenceSession.OnnxValueMapType;
  try {
    results = await encoder.session.run(feeds, [output]);
  } catch (e) {
    throw errors.modelRunFailed(encoder.path, (e as Error).message);
  }
  const tensor = results[output] as ort.Tensor;
  if (tensor.dims.length !== 2 || tensor.type !== 'float32') {
    throw errors.modelSignatureMismatch(encoder.path, `${output} ${tensor.type} [${tensor.dims.join(', ')}] at run time`, `${output}: float32 [batch, D]`);
  }
  return tensor;
}

/** The first `count` rows of a [B, D] tensor, as separate arrays. */
function rows(tensor: ort.Tensor, count: number, normalize: boolean): Float32Array[] {
  const width = tensor.dims[1];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => {
    const row = data.slice(i * width, (i + 1) * width);
    return normalize ? l2Normalize(row) : row;
  });
}
