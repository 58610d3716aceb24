/**
 * A generic labelled list: a CSV with a header naming `path` and `label` columns (any order,
 * other columns ignored). Paths are relative to the CSV's folder unless `root` is given; labels
 * are class names. Fields may be double-quoted (RFC 4180: "" inside quotes is a quote).
 */
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { datasetBadLine, datasetUnknownLabel } from '../errors/messages.ts';
import { checkSources, firstExisting, readText } from './files.ts';
import type { CommonReaderOptions, DatasetItem, DatasetSplit } from './types.ts';

export interface CsvDatasetOptions extends CommonReaderOptions {
  /** Folder the paths are relative to (default: the CSV's folder). */
  root?: string;
  /** The class list, in the order you want; labels outside it are errors. Default: the sorted distinct labels. */
  classes?: string[];
}

/** Splits CSV text into records of fields; quoted fields may hold commas, quotes and newlines. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== '') records.push({ line: startLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; field += c; }
      continue;
    }
    if (c === '"' && !fieldStarted) { quoted = true; fieldStarted = true; }
    else if (c === ',') { fields.push(field); field = ''; fieldStarted = false; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      startLine = line;
    } else { field += c; fieldStarted = true; }
  }
  if (field !== '' || fields.length) endRecord();
  return records;
}

/** Reads a `path,label` CSV into a dataset split. */
export async function readCsvDataset(csvPath: string, opts: CsvDatasetOptions = {}): Promise<DatasetSplit> {
  const file = firstExisting('CSV', 'list file', [csvPath]);
  const records = parseCsv(await readText(file, 'utf-8'));
  const header = records.shift();
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const pathCol = names.indexOf('path');
  const labelCol = names.indexOf('label');
  if (pathCol < 0 || labelCol < 0) throw datasetBadLine(file, header?.line ?? 1, `the header must name "path" and "label" columns, found "${header?.fields.join(',') ?? ''}"`);
  const root = opts.root ?? dirname(file);
  const rows = records.map(({ line, fields }) => {
    const path = fields[pathCol]?.trim() ?? '';
    const label = fields[labelCol]?.trim() ?? '';
    if (!path || !label) throw datasetBadLine(file, line, 'empty path or label');
    return { line, path, label };
  });
  const classes = opts.classes ? [...opts.classes] : [...new Set(rows.map((r) => r.label))].sort();
  const known = new Set(classes);
  const items: DatasetItem[] = rows.map(({ line, path, label }) => {
    if (!known.has(label)) throw datasetUnknownLabel(file, line, label, classes);
    return { id: path.slice(0, path.length - extname(path).length), source: isAbsolute(path) ? path : resolve(root, path), label };
  });
  if (opts.checkSources ?? true) await checkSources('CSV', items);
  return { classes, items };
}
