/** File helpers shared by the dataset readers: first-existing lookup, text decoding, source checks. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { datasetFileMissing, datasetSourceMissing } from '../errors/messages.ts';
import type { DatasetItem } from './types.ts';

/** The first candidate path that exists, or a DATASET_FILE_MISSING error listing them all. */
export function firstExisting(dataset: string, what: string, candidates: string[]): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw datasetFileMissing(dataset, what, candidates);
  return found;
}

export type TextEncoding = 'auto' | 'utf-8' | 'gbk';

/**
 * Reads a text file. 'auto' tries strict UTF-8 and falls back to GBK, the encoding of MAFW's
 * Chinese captions (both are ASCII-compatible, so ids and English text read the same either way).
 * A leading BOM is dropped.
 */
export async function readText(path: string, encoding: TextEncoding = 'auto'): Promise<string> {
  const bytes = await readFile(path);
  let text: string;
  if (encoding === 'gbk') text = new TextDecoder('gbk').decode(bytes);
  else if (encoding === 'utf-8') text = new TextDecoder('utf-8').decode(bytes);
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder('gbk').decode(bytes);
    }
  }
  return text.replace(/^\uFEFF/, '');
}

/** Non-empty lines with their 1-based line numbers (CRLF tolerated). */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).map((t, i) => ({ line: i + 1, text: t })).filter((l) => l.text.trim() !== '');
}

/** Throws DATASET_SOURCE_MISSING for the first item whose source is absent; one readdir per folder. */
export async function checkSources(dataset: string, items: DatasetItem[]): Promise<void> {
  const listings = new Map<string, Set<string>>();
  for (const item of items) {
    const dir = dirname(item.source);
    let names = listings.get(dir);
    if (!names) {
      names = new Set(await readdir(dir).catch(() => [] as string[]));
      listings.set(dir, names);
    }
    if (!names.has(basename(item.source))) throw datasetSourceMissing(dataset, item.id, item.source);
  }
}
