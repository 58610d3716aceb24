/**
 * DFEW (method.md F.1). Split files `EmoLabel_DataSplit/{train,test}(single-labeled)/set_<k>.csv`
 * (official) or `.../<split>_set_<k>.csv` (the MSA-LMC/S2D mirror), header `video_name,label`,
 * clip ids zero-padded to 5 digits.
 *
 * Label ids: the official files use 1..7; the S2D mirror uses 0..6 (its files hold label 0 and
 * never 7). `labelBase: 'auto'` (default) reads a file holding a 0 as 0-based, a file holding a 7
 * as 1-based, and otherwise assumes the official 1-based ids; a file with both is an error.
 */
import { join } from 'node:path';
import { datasetBadFold, datasetBadLine, datasetUnknownLabel } from '../errors/messages.ts';
import { DFEW_CLASSES } from './classes.ts';
import { checkSources, firstExisting, numberedLines, readText } from './files.ts';
import type { CommonReaderOptions, DatasetItem, DatasetSplit, SplitName } from './types.ts';

export interface DfewOptions extends CommonReaderOptions {
  /** Fold 1..5. */
  fold: number;
  split: SplitName;
  /**
   * Which clip sources to point at: the 16-frame TIM folders (default), the full-rate face
   * folders, or the original videos.
   */
  frames?: 'clip_224x224_16f' | 'clip_224x224' | 'original';
  labelBase?: 0 | 1 | 'auto';
}

/** Reads one DFEW fold split from the dataset root (the folder holding `EmoLabel_DataSplit/` and `Clip/`). */
export async function readDfew(root: string, opts: DfewOptions): Promise<DatasetSplit> {
  const { fold, split, frames = 'clip_224x224_16f', labelBase = 'auto', checkSources: check = true } = opts;
  if (!Number.isInteger(fold) || fold < 1 || fold > 5) throw datasetBadFold('DFEW', fold, 5);
  const dir = join(root, 'EmoLabel_DataSplit', `${split}(single-labeled)`);
  const file = firstExisting('DFEW', `${split} split of fold ${fold}`, [join(dir, `set_${fold}.csv`), join(dir, `${split}_set_${fold}.csv`)]);
  const lines = numberedLines(await readText(file, 'utf-8'));
  const header = lines.shift();
  if (!header || header.text.replace(/\s/g, '').toLowerCase() !== 'video_name,label') {
    throw datasetBadLine(file, header?.line ?? 1, `expected the header "video_name,label", found "${header?.text ?? ''}"`);
  }
  const rows = lines.map(({ line, text }) => {
    const [name, label, ...rest] = text.split(',').map((s) => s.trim());
    if (rest.length || !/^\d+$/.test(name ?? '') || !/^\d+$/.test(label ?? '')) throw datasetBadLine(file, line, `expected "<number>,<label id>", found "${text}"`);
    return { line, id: name.padStart(5, '0'), raw: Number(label) };
  });
  let base = labelBase;
  if (base === 'auto') {
    const has0 = rows.some((r) => r.raw === 0);
    const has7 = rows.some((r) => r.raw === 7);
    if (has0 && has7) throw datasetBadLine(file, rows.find((r) => r.raw === 7)!.line, 'the file mixes label 0 and label 7; pass labelBase 0 or 1');
    base = has0 ? 0 : 1;
  }
  const classes = [...DFEW_CLASSES];
  const source = (id: string) =>
    frames === 'original' ? join(root, 'Clip', 'original', `${id}.mp4`) : join(root, 'Clip', frames, id);
  const items: DatasetItem[] = rows.map(({ line, id, raw }) => {
    const name = classes[raw - (base as number)];
    if (!name) throw datasetUnknownLabel(file, line, String(raw), classes.map((c, i) => `${i + (base as number)}=${c}`));
    return { id, source: source(id), label: name };
  });
  if (check) await checkSources('DFEW', items);
  return { classes, items };
}
