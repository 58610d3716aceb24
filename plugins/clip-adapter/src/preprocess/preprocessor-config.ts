/**
 * Reads a Hugging Face `preprocessor_config.json` (CLIPImageProcessor / CLIPFeatureExtractor) into
 * the few numbers image preprocessing needs. Both the old (`size: 224`) and new
 * (`size: {shortest_edge: 224}`, `crop_size: {height, width}`) spellings are accepted.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { errors } from '@visage/core';
import { preprocessorConfigInvalid } from '../errors.ts';

/** OpenAI CLIP normalisation (method.md G). */
export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** sharp resampling kernels that match PIL's resample codes. */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

export interface ImagePreprocessing {
  /**
   * Resize target: `shortestEdge` keeps the aspect ratio (short side to this many pixels, long side
   * floor(size * long / short), as Hugging Face does); `exact` resizes to width x height.
   */
  resize: { shortestEdge: number } | { exact: { width: number; height: number } } | null;
  /** Centre crop size; null: no crop. */
  crop: { width: number; height: number } | null;
  /** Multiplier from 0..255 to the model range (1/255), or 1 when do_rescale is false. */
  rescale: number;
  /** Per-channel mean and std (RGB); null when do_normalize is false. */
  normalize: { mean: number[]; std: number[] } | null;
  kernel: ResizeKernel;
}

/** CLIP ViT defaults: short side 224 bicubic, centre crop 224, OpenAI mean/std. */
export function clipPreprocessing(size = 224): ImagePreprocessing {
  return {
    resize: { shortestEdge: size },
    crop: { width: size, height: size },
    rescale: 1 / 255,
    normalize: { mean: [...CLIP_IMAGE_MEAN], std: [...CLIP_IMAGE_STD] },
    kernel: 'cubic',
  };
}

// PIL resample codes: NEAREST 0, LANCZOS 1, BILINEAR 2, BICUBIC 3. sharp's `cubic` is Catmull-Rom,
// the same a = -0.5 kernel as PIL's bicubic.
const PIL_KERNELS: Record<number, ResizeKernel> = { 0: 'nearest', 1: 'lanczos3', 2: 'linear', 3: 'cubic' };

/** Parses a preprocessor_config.json object; `file` names it in error messages. */
export function parsePreprocessorConfig(raw: unknown, file = 'preprocessor_config.json'): ImagePreprocessing {
  const invalid = (detail: string) => preprocessorConfigInvalid(file, detail);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('not a JSON object');
  const cfg = raw as Record<string, unknown>;
  const positive = (v: unknown, key: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw invalid(`${key} must be a positive integer, found ${JSON.stringify(v)}`);
    return v;
  };

  let resize: ImagePreprocessing['resize'] = null;
  if (cfg.do_resize !== false) {
    const size = cfg.size;
    if (typeof size === 'number') resize = { shortestEdge: positive(size, 'size') };
    else if (size && typeof size === 'object' && 'shortest_edge' in size) resize = { shortestEdge: positive((size as Record<string, unknown>).shortest_edge, 'size.shortest_edge') };
    else if (size && typeof size === 'object' && 'height' in size && 'width' in size) {
      const s = size as Record<string, unknown>;
      resize = { exact: { width: positive(s.width, 'size.width'), height: positive(s.height, 'size.height') } };
    } else throw invalid(`size must be a number, {shortest_edge} or {height, width}, found ${JSON.stringify(size)}`);
  }

  let crop: ImagePreprocessing['crop'] = null;
  if (cfg.do_center_crop !== false && cfg.crop_size !== undefined) {
    const c = cfg.crop_size;
    if (typeof c === 'number') crop = { width: positive(c, 'crop_size'), height: c };
    else if (c && typeof c === 'object') {
      const s = c as Record<string, unknown>;
      crop = { width: positive(s.width, 'crop_size.width'), height: positive(s.height, 'crop_size.height') };
    } else throw invalid(`crop_size must be a number or {height, width}, found ${JSON.stringify(c)}`);
  } else if (cfg.do_center_crop === true) throw invalid('do_center_crop is true but crop_size is missing');

  const rescaleFactor = cfg.rescale_factor ?? 1 / 255;
  if (typeof rescaleFactor !== 'number' || !(rescaleFactor > 0)) throw invalid(`rescale_factor must be a positive number, found ${JSON.stringify(rescaleFactor)}`);
  const rescale = cfg.do_rescale === false ? 1 : rescaleFactor;

  let normalize: ImagePreprocessing['normalize'] = null;
  if (cfg.do_normalize !== false) {
    const triple = (v: unknown, key: string, fallback: readonly number[]): number[] => {
      if (v === undefined) return [...fallback];
      if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw invalid(`${key} must be three numbers (R, G, B), found ${JSON.stringify(v)}`);
      }
      return v as number[];
    };
    const std = triple(cfg.image_std, 'image_std', CLIP_IMAGE_STD);
    if (std.some((s) => s <= 0)) throw invalid(`image_std must be positive, found ${JSON.stringify(std)}`);
    normalize = { mean: triple(cfg.image_mean, 'image_mean', CLIP_IMAGE_MEAN), std };
  }

  const resample = cfg.resample ?? 3;
  const kernel = typeof resample === 'number' ? PIL_KERNELS[resample] : undefined;
  if (!kernel) throw invalid(`resample ${JSON.stringify(resample)} is not supported (use 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic)`);
  return { resize, crop, rescale, normalize, kernel };
}

/** Reads and parses a preprocessor_config.json file. */
export async function readPreprocessorConfig(path: string): Promise<ImagePreprocessing> {
  if (!existsSync(path)) throw errors.modelNotFound('preprocessor_config.json', path);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw preprocessorConfigInvalid(path, `not valid JSON (${(e as Error).message})`);
  }
  return parsePreprocessorConfig(raw, path);
}

/** Height and width of the tensor this preprocessing produces for a given source size. */
export function outputSize(p: ImagePreprocessing, width: number, height: number): { width: number; height: number } {
  const resized = resizedSize(p, width, height);
  return p.crop ?? resized;
}

/** Size after the resize step (before cropping). */
export function resizedSize(p: ImagePreprocessing, width: number, height: number): { width: number; height: number } {
  if (!p.resize) return { width, height };
  if ('exact' in p.resize) return p.resize.exact;
  const s = p.resize.shortestEdge;
  // Hugging Face: short side = s, long side = int(s * long / short).
  return width <= height
    ? { width: s, height: Math.floor((s * height) / width) }
    : { width: Math.floor((s * width) / height), height: s };
}
