/**
 * Precomputed CLIP features of a dataset, the input of open-set training and evaluation:
 * per clip its T frame embeddings (D each), optional per-frame motion, its class name and split;
 * per class the text embeddings of its prompt and of "This video is not {class}.".
 *
 * On disk (JSON):
 *   { "dim": D, "classes": [...], "textEmbeddings": { name: [D] }, "negativeEmbeddings": { name: [D] },
 *     "items": [{ "id", "label", "split": "train"|"val"|"test", "frames": [[D] × T], "motion"?: [T] }] }
 */
import { readFile, writeFile } from 'node:fs/promises';
import { openSetFeaturesInvalid } from './errors.ts';

export type FeatureSplit = 'train' | 'val' | 'test';

export interface ClipFeatures {
  id: string;
  label: string;
  split: FeatureSplit;
  /** T × D frame embeddings, row-major. */
  frames: Float32Array;
  /** Per-frame facial motion (landmark displacement), T values; absent = no motion cue. */
  motion?: Float32Array;
}

export interface FeatureSet {
  dim: number;
  /** Frames per clip (equal for every clip). */
  frames: number;
  classes: string[];
  textEmbeddings: Record<string, Float32Array>;
  negativeEmbeddings: Record<string, Float32Array>;
  items: ClipFeatures[];
}

/** Reads and checks a features file; every problem names the file and the offending entry. */
export async function readFeatureSet(file: string): Promise<FeatureSet> {
  let raw: any;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw openSetFeaturesInvalid(file, `cannot read it as JSON: ${(e as Error).message}`);
  }
  const bad = (detail: string) => openSetFeaturesInvalid(file, detail);
  const dim = raw?.dim;
  if (!(Number.isInteger(dim) && dim > 0)) throw bad('"dim" must be a positive integer');
  if (!Array.isArray(raw.classes) || raw.classes.length < 2) throw bad('"classes" must list at least two class names');
  const vec = (v: unknown, what: string, len: number) => {
    if (!Array.isArray(v) || v.length !== len || !v.every(Number.isFinite)) throw bad(`${what} must be ${len} finite numbers`);
    return Float32Array.from(v as number[]);
  };
  // Keyed by class names from the file: "__proto__" or "constructor" must be data, never the prototype.
  const textEmbeddings: Record<string, Float32Array> = Object.create(null), negativeEmbeddings: Record<string, Float32Array> = Object.create(null);
  const own = (o: unknown, c: string) => (typeof o === 'object' && o !== null && Object.hasOwn(o, c) ? (o as Record<string, unknown>)[c] : undefined);
  for (const c of raw.classes) {
    if (typeof c !== 'string') throw bad('"classes" must be class name strings');
    textEmbeddings[c] = vec(own(raw.textEmbeddings, c), `textEmbeddings["${c}"]`, dim);
    negativeEmbeddings[c] = vec(own(raw.negativeEmbeddings, c), `negativeEmbeddings["${c}"]`, dim);
  }
  if (!Array.isArray(raw.items) || raw.items.length === 0) throw bad('"items" must be a non-empty array');
  let frames = -1;
  const items: ClipFeatures[] = raw.items.map((it: any, i: number) => {
    const where = `items[${i}]${it?.id !== undefined ? ` (id ${it.id})` : ''}`;
    if (!raw.classes.includes(it?.label)) throw bad(`${where}: label "${it?.label}" is not one of "classes"`);
    if (!['train', 'val', 'test'].includes(it.split)) throw bad(`${where}: split must be train, val or test`);
    if (!Array.isArray(it.frames) || it.frames.length === 0) throw bad(`${where}: "frames" must be a non-empty array of embeddings`);
    if (frames < 0) frames = it.frames.length;
    if (it.frames.length !== frames) throw bad(`${where}: ${it.frames.length} frames, but earlier clips have ${frames}`);
    const flat = new Float32Array(frames * dim);
    it.frames.forEach((f: unknown, t: number) => flat.set(vec(f, `${where} frame ${t}`, dim), t * dim));
    return {
      id: String(it.id ?? i), label: it.label, split: it.split, frames: flat,
      ...(it.motion !== undefined && { motion: vec(it.motion, `${where} motion`, frames) }),
    };
  });
  return { dim, frames, classes: [...raw.classes], textEmbeddings, negativeEmbeddings, items };
}

/** Writes a feature set in the format readFeatureSet reads. */
export async function writeFeatureSet(file: string, set: FeatureSet): Promise<void> {
  const rows = (v: Float32Array, n: number) => Array.from({ length: v.length / n }, (_, i) => Array.from(v.subarray(i * n, (i + 1) * n)));
  const json = {
    dim: set.dim, classes: set.classes,
    textEmbeddings: Object.fromEntries(Object.entries(set.textEmbeddings).map(([k, v]) => [k, Array.from(v)])),
    negativeEmbeddings: Object.fromEntries(Object.entries(set.negativeEmbeddings).map(([k, v]) => [k, Array.from(v)])),
    items: set.items.map((it) => ({ id: it.id, label: it.label, split: it.split, frames: rows(it.frames, set.dim), ...(it.motion && { motion: Array.from(it.motion) }) })),
  };
  await writeFile(file, JSON.stringify(json));
}
