/**
 * A seeded synthetic video dataset on disk, for training and open-set tests without real faces.
 *
 * Each clip is a DFEW-style frame folder `<dir>/<id>/<id>_<k>.png` (k from 1, id `<label>_<nnn>`). A class is a
 * colour: the background of every frame is the class's hue (evenly spaced on the colour wheel),
 * jittered per clip in hue and brightness, with pixel noise and a small grey square that moves
 * over time as a nuisance. The mean colour of a frame therefore identifies the class: a model that
 * sees colour can learn the classes, and one that reads only faces or class names cannot.
 *
 * Written lists (paths relative to `dir`, header `path,label`):
 * - `train.csv`: known classes only, `trainFraction` of each class's clips;
 * - `test.csv`: the other clips of the known classes plus every clip of the held-out classes;
 * - `all.csv`: everything; `dataset.json`: classes, held-out classes and options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from '../media/png.ts';
import { seededRandom } from '../media/sampling.ts';
import { badInput } from '../errors/messages.ts';

/** Class names used when `classes` is a count (then taken in this order; longer lists get `class<i>`). */
export const SYNTHETIC_CLASS_NAMES = ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear', 'contempt', 'anxiety', 'helplessness', 'disappointment'];

export interface SyntheticDatasetOptions {
  /** Class names, or how many (names from SYNTHETIC_CLASS_NAMES). Default 4. Includes held-out classes. */
  classes?: string[] | number;
  /** Clips per class (default 6). */
  clipsPerClass?: number;
  /** Frames per clip (default 8). */
  frames?: number;
  /** Square frame side in pixels (default 32). */
  imageSize?: number;
  /** The last N classes, or these names, appear only in test.csv (open-set unknowns). Default none. */
  heldOutClasses?: number | string[];
  /** Share of each known class's clips in train.csv (default 0.5, at least one clip each side). */
  trainFraction?: number;
  /** Hue jitter per clip, in degrees (default 6: well inside half the spacing of 11 classes). */
  hueJitter?: number;
  /** Colour saturation of the class hues, 0..1 (default 0.85). Low values make faint colour cues. */
  saturation?: number;
  /** Seed of every random choice (default 0): same options and seed give the same bytes. */
  seed?: number;
}

export interface SyntheticClip {
  id: string;
  /** Absolute path of the frame folder. */
  source: string;
  /** Path relative to the dataset folder, as written in the CSVs. */
  path: string;
  label: string;
  split: 'train' | 'test';
  /** True for a clip of a held-out class. */
  heldOut: boolean;
}

export interface SyntheticDataset {
  dir: string;
  /** Known classes (trained on), in order. */
  classes: string[];
  /** Classes that appear only in the test list. */
  heldOutClasses: string[];
  clips: SyntheticClip[];
  trainCsv: string;
  testCsv: string;
  allCsv: string;
}

/** Writes a synthetic dataset into `dir` (created if needed) and returns its description. */
export async function writeSyntheticDataset(dir: string, opts: SyntheticDatasetOptions = {}): Promise<SyntheticDataset> {
  const names = typeof opts.classes === 'number' || opts.classes === undefined
    ? Array.from({ length: (opts.classes as number | undefined) ?? 4 }, (_, i) => SYNTHETIC_CLASS_NAMES[i] ?? `class${i}`)
    : [...opts.classes];
  const clipsPerClass = opts.clipsPerClass ?? 6;
  const frames = opts.frames ?? 8;
  const size = opts.imageSize ?? 32;
  const trainFraction = opts.trainFraction ?? 0.5;
  const hueJitter = opts.hueJitter ?? 6;
  const seed = opts.seed ?? 0;
  const heldOut = typeof opts.heldOutClasses === 'number'
    ? names.slice(names.length - opts.heldOutClasses)
    : [...(opts.heldOutClasses ?? [])];
  checkOptions(names, heldOut, clipsPerClass, frames, size, trainFraction);

  const rng = seededRandom(seed);
  const clips: SyntheticClip[] = [];
  const nTrain = Math.min(clipsPerClass - 1, Math.max(1, Math.round(clipsPerClass * trainFraction)));
  for (const [ci, label] of names.entries()) {
    const isHeldOut = heldOut.includes(label);
    for (let k = 0; k < clipsPerClass; k++) {
      const id = `${label}_${String(k + 1).padStart(3, '0')}`;
      const path = id;
      const source = join(dir, path);
      const hue = (360 * ci) / names.length + (2 * rng() - 1) * hueJitter;
      const value = 0.7 + 0.3 * rng();
      await writeClipFrames(source, id, frames, size, hsvToRgb(hue, opts.saturation ?? 0.85, value), rng);
      clips.push({ id, source, path, label, split: !isHeldOut && k < nTrain ? 'train' : 'test', heldOut: isHeldOut });
    }
  }

  const list = (rows: SyntheticClip[]) => ['path,label', ...rows.map((c) => `${c.path},${c.label}`)].join('\n') + '\n';
  const trainCsv = join(dir, 'train.csv');
  const testCsv = join(dir, 'test.csv');
  const allCsv = join(dir, 'all.csv');
  await writeFile(trainCsv, list(clips.filter((c) => c.split === 'train')));
  await writeFile(testCsv, list(clips.filter((c) => c.split === 'test')));
  await writeFile(allCsv, list(clips));
  const classes = names.filter((n) => !heldOut.includes(n));
  await writeFile(join(dir, 'dataset.json'), JSON.stringify({ classes, heldOutClasses: heldOut, clipsPerClass, frames, imageSize: size, trainFraction, hueJitter, seed }, null, 2) + '\n');
  return { dir, classes, heldOutClasses: heldOut, clips, trainCsv, testCsv, allCsv };
}

function checkOptions(names: string[], heldOut: string[], clipsPerClass: number, frames: number, size: number, trainFraction: number): void {
  const hint = 'see SyntheticDatasetOptions in core/data/synthetic.ts';
  if (names.length < 2) throw badInput('SYNTHETIC_OPTION_INVALID', `a synthetic dataset needs at least 2 classes, got ${names.length}`, hint);
  if (new Set(names).size !== names.length || names.some((n) => !/^[A-Za-z0-9_-]+$/.test(n))) {
    throw badInput('SYNTHETIC_OPTION_INVALID', `class names must be distinct and use only letters, digits, "_" and "-": ${names.join(', ')}`, hint);
  }
  const unknown = heldOut.filter((h) => !names.includes(h));
  if (unknown.length) throw badInput('SYNTHETIC_OPTION_INVALID', `held-out classes ${unknown.join(', ')} are not among the classes ${names.join(', ')}`, hint);
  if (heldOut.length >= names.length) throw badInput('SYNTHETIC_OPTION_INVALID', 'at least one class must stay known (not held out)', hint);
  if (!Number.isInteger(clipsPerClass) || clipsPerClass < 2) throw badInput('SYNTHETIC_OPTION_INVALID', `clipsPerClass must be an integer >= 2, got ${clipsPerClass}`, hint);
  if (!Number.isInteger(frames) || frames < 1) throw badInput('SYNTHETIC_OPTION_INVALID', `frames must be a positive integer, got ${frames}`, hint);
  if (!Number.isInteger(size) || size < 8) throw badInput('SYNTHETIC_OPTION_INVALID', `imageSize must be an integer >= 8, got ${size}`, hint);
  if (!(trainFraction > 0 && trainFraction < 1)) throw badInput('SYNTHETIC_OPTION_INVALID', `trainFraction must be in (0, 1), got ${trainFraction}`, hint);
}

/** One clip: class-coloured noisy background, a grey square moving left to right over time. */
async function writeClipFrames(folder: string, id: string, frames: number, size: number, colour: [number, number, number], rng: () => number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const square = Math.max(2, Math.round(size / 6));
  const y0 = Math.floor(rng() * (size - square));
  for (let t = 0; t < frames; t++) {
    const rgb = new Uint8Array(size * size * 3);
    const x0 = Math.round(((size - square) * t) / Math.max(1, frames - 1));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inSquare = x >= x0 && x < x0 + square && y >= y0 && y < y0 + square;
        for (let c = 0; c < 3; c++) {
          const v = inSquare ? 128 : colour[c] + (rng() - 0.5) * 40;
          rgb[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    await writeFile(join(folder, `${id}_${t + 1}.png`), await encodePng(rgb, size, size));
  }
}

/** HSV (hue in degrees, s and v in [0,1]) to 8-bit RGB. */
export function hsvToRgb(hue: number, s: number, v: number): [number, number, number] {
  const h = ((hue % 360) + 360) % 360 / 60;
  const c = v * s;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = v - c;
  return [r, g, b].map((u) => Math.round((u + m) * 255)) as [number, number, number];
}
