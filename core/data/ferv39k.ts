/**
 * FERV39k (method.md F.2): `Annotation/{train,test}.csv` with header `path,id`, paths
 * `<scene>/<emotion>/<clip>`, ids per `Annotation/label_index.txt` ("Angry 0" lines, alphabetical).
 * The emotion folder inside each path must agree with the id; a disagreement is reported.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { datasetBadLine, datasetUnknownLabel } from '../errors/messages.ts';
import { FERV39K_CLASSES } from './classes.ts';
import { checkSources, firstExisting, numberedLines, readText } from './files.ts';
import type { CommonReaderOptions, DatasetItem, DatasetSplit, SplitName } from './types.ts';

export interface Ferv39kOptions extends CommonReaderOptions {
  split: SplitName;
  /** Folder under the root holding `<scene>/<emotion>/<clip>/` frames (default the face crops). */
  framesDir?: string;
}

/** Parses label_index.txt: lines "<Name> <id>" -> names ordered by id. */
async function readLabelIndex(file: string): Promise<string[]> {
  const names: string[] = [];
  for (const { line, text } of numberedLines(await readText(file, 'utf-8'))) {
    const m = /^\s*(\S+)\s+(\d+)\s*$/.exec(text);
    if (!m) throw datasetBadLine(file, line, `expected "<Name> <id>", found "${text}"`);
    names[Number(m[2])] = m[1];
  }
  if (names.length === 0 || names.some((n) => n === undefined)) throw datasetBadLine(file, 1, 'label ids must run 0..C-1 without gaps');
  return names;
}

/** Reads the FERV39k train or test split from the dataset root. */
export async function readFerv39k(root: string, opts: Ferv39kOptions): Promise<DatasetSplit> {
  const { split, framesDir = '2_ClipsforFaceCrop', checkSources: check = true } = opts;
  const file = firstExisting('FERV39k', `${split} list`, [join(root, 'Annotation', `${split}.csv`), join(root, `${split}.csv`)]);
  const indexFile = [join(root, 'Annotation', 'label_index.txt'), join(root, 'label_index.txt')].find((p) => existsSync(p));
  const classes = indexFile ? await readLabelIndex(indexFile) : [...FERV39K_CLASSES];
  const lines = numberedLines(await readText(file, 'utf-8'));
  const header = lines.shift();
  if (!header || header.text.replace(/\s/g, '').toLowerCase() !== 'path,id') {
    throw datasetBadLine(file, header?.line ?? 1, `expected the header "path,id", found "${header?.text ?? ''}"`);
  }
  const items: DatasetItem[] = lines.map(({ line, text }) => {
    const [path, idText, ...rest] = text.split(',').map((s) => s.trim());
    const parts = (path ?? '').split('/');
    if (rest.length || parts.length !== 3 || !/^\d+$/.test(idText ?? '')) throw datasetBadLine(file, line, `expected "<scene>/<emotion>/<clip>,<id>", found "${text}"`);
    const label = classes[Number(idText)];
    if (!label) throw datasetUnknownLabel(file, line, idText, classes.map((c, i) => `${i}=${c}`));
    if (parts[1].toLowerCase() !== label.toLowerCase()) throw datasetBadLine(file, line, `path says ${parts[1]} but id ${idText} is ${label}`);
    return { id: path, source: join(root, framesDir, ...parts), label };
  });
  if (check) await checkSources('FERV39k', items);
  return { classes, items };
}
