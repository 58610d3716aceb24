/**
 * MAFW (method.md F.3). Split lists `<lists>/{single,compound}/{no_caption,with_caption}/set_<k>/{train,test}.txt`
 * where `<lists>` is `Train & Test Set` (official), `Train_Test_Set` (EmoCLIP, whose caption
 * folders end in `_new`) or `anno` (the S2D mirror).
 * - no_caption lines:   `<id>.mp4 <label>`  (whitespace-separated)
 * - with_caption lines: `<id>.mp4\t<label>\t<Chinese caption>\t<English caption>` (Chinese in GBK
 *   in the official release; UTF-8 copies exist: encoding 'auto' reads both)
 * Compound labels join single names with `_` (`anger_disgust`); each part must be a known class.
 */
import { join } from 'node:path';
import { datasetBadFold, datasetBadLine, datasetUnknownLabel } from '../errors/messages.ts';
import { MAFW_CLASSES } from './classes.ts';
import { checkSources, firstExisting, numberedLines, readText, type TextEncoding } from './files.ts';
import type { CommonReaderOptions, DatasetItem, DatasetSplit, SplitName } from './types.ts';

export interface MafwOptions extends CommonReaderOptions {
  /** Fold 1..5. */
  fold: number;
  split: SplitName;
  /** 'single' (11 classes, default) or 'compound' (multi-emotion labels as their own classes). */
  labels?: 'single' | 'compound';
  /** Read the with_caption lists and return English captions (default false). */
  captions?: boolean;
  /** Clip sources: face crops `data/faces/<id>` (default, as DFER-CLIP and EmoCLIP), `data/frames/<id>`, or `data/clips/<id>.mp4`. */
  sources?: 'faces' | 'frames' | 'clips';
  /** Encoding of the caption lists (default 'auto': UTF-8, else GBK). */
  encoding?: TextEncoding;
}

const LIST_ROOTS = ['Train & Test Set', 'Train_Test_Set', 'anno'];

/** Reads one MAFW fold split from the dataset root (the folder holding `data/` and the lists). */
export async function readMafw(root: string, opts: MafwOptions): Promise<DatasetSplit> {
  const { fold, split, labels = 'single', captions = false, sources = 'faces', encoding = 'auto', checkSources: check = true } = opts;
  if (!Number.isInteger(fold) || fold < 1 || fold > 5) throw datasetBadFold('MAFW', fold, 5);
  const kind = captions ? 'with_caption' : 'no_caption';
  const candidates = LIST_ROOTS.flatMap((r) => [kind, `${kind}_new`].map((k) => join(root, r, labels, k, `set_${fold}`, `${split}.txt`)));
  const file = firstExisting('MAFW', `${labels}/${kind} ${split} list of fold ${fold}`, candidates);
  const single: string[] = [...MAFW_CLASSES];
  const known = new Set(single);
  const items: DatasetItem[] = [];
  for (const { line, text } of numberedLines(await readText(file, encoding))) {
    const fields = captions ? text.split('\t').map((s) => s.trim()) : text.trim().split(/\s+/);
    if (fields.length < 2 || (!captions && fields.length !== 2)) throw datasetBadLine(file, line, `expected "<id>.mp4 <label>"${captions ? ' (tab-separated, with captions)' : ''}, found "${text}"`);
    const [clip, rawLabel] = fields;
    const m = /^(\d+)(?:\.mp4)?$/.exec(clip);
    if (!m) throw datasetBadLine(file, line, `"${clip}" is not a clip name like 00025.mp4`);
    const label = rawLabel.toLowerCase();
    const parts = label.split('_');
    if ((labels === 'single' && parts.length !== 1) || parts.some((p) => !known.has(p))) {
      throw datasetUnknownLabel(file, line, rawLabel, labels === 'single' ? single : single.map((c) => `${c} (joined by _)`));
    }
    const id = m[1].padStart(5, '0');
    const source = sources === 'clips' ? join(root, 'data', 'clips', `${id}.mp4`) : join(root, 'data', sources, id);
    items.push({ id, source, label, ...(captions && fields[3] ? { caption: fields[3] } : {}) });
  }
  if (check) await checkSources('MAFW', items);
  return { classes: labels === 'single' ? single : compoundClasses(items, single), items };
}

/** Compound split classes: the labels present, single names first in canonical order, then the rest sorted. */
function compoundClasses(items: DatasetItem[], single: string[]): string[] {
  const present = new Set(items.map((i) => i.label));
  const singles = single.filter((c) => present.has(c));
  const compounds = [...present].filter((c) => c.includes('_')).sort();
  return [...singles, ...compounds];
}
