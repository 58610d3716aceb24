/**
 * No source file over 400 lines unless it says why: a long file usually holds several concepts, and
 * one concept per file is the project's rule. A file may stay long when a comment in it contains
 * "over 400 lines" and the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const MAX_LINES = 400;
const SKIP = new Set(['node_modules', '.vk', '.git']);

const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (SKIP.has(d.name)) return [];
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : /\.[cm]?[jt]s$/.test(d.name) ? [p] : [];
  });
}

describe('file length', () => {
  it(`no source file is over ${MAX_LINES} lines without a comment saying why`, () => {
    const files = ['core', 'plugins', 'bin', 'test', 'bench', 'scripts'].flatMap((d) => sources(path.join(REPO_ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((f) => ({ file: path.relative(REPO_ROOT, f).split(path.sep).join('/'), text: readFileSync(f, 'utf8') }))
      .filter(({ file, text }) => lineCount(text) > MAX_LINES && !/over 400 lines/.test(text))
      .map(({ file, text }) => `${file}: ${lineCount(text)} lines`);
    expect(long).toEqual([]);
  });
});
