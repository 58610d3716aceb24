/**
 * `pipeline run --out FILE --resume`: the rows already in FILE stand, and their clips are not run
 * again. A torn last line (a killed run) and rows of clips that never finished (SKIPPED, ABORTED)
 * are dropped, so those clips run now; the file is rewritten atomically before anything is appended.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface ResumeState {
  /** Sources (as given on the command line) whose rows are kept. */
  done: Set<string>;
  kept: number;
  dropped: number;
}

const NOT_FINISHED = new Set(['SKIPPED', 'ABORTED']);

export function prepareResume(file: string): ResumeState {
  if (!existsSync(file)) return { done: new Set(), kept: 0, dropped: 0 };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop(); // a torn last line
  const keep: string[] = [];
  const done = new Set<string>();
  let dropped = text.endsWith('\n') || text === '' ? 0 : 1;
  for (const line of lines.filter((l) => l.trim())) {
    let row: { source?: unknown; error?: { code?: string } | null };
    try {
      row = JSON.parse(line);
    } catch {
      dropped++;
      continue;
    }
    if (typeof row.source !== 'string' || NOT_FINISHED.has(row.error?.code ?? '')) {
      dropped++;
      continue;
    }
    keep.push(line);
    done.add(row.source);
  }
  const tmp = `${file}.resume-${process.pid}`;
  writeFileSync(tmp, keep.map((l) => l + '\n').join(''));
  renameSync(tmp, file);
  return { done, kept: keep.length, dropped };
}
