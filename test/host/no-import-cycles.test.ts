/**
 * No import cycle anywhere in core, plugins or bin, type-only imports included: a cycle makes module
 * order matter (a value read before its module ran) and ties two files into one unit. Checked with
 * madge's CLI (pinned dev dependency), which reads TypeScript through tsconfig.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const MADGE = path.join(REPO_ROOT, 'node_modules', 'madge', 'bin', 'cli.js');

/** Each cycle as its files, in import order. */
function cycles(dirs: string[], cwd: string): string[][] {
  const args = [MADGE, '--circular', '--json', '--no-spinner', '--extensions', 'ts,js', '--ts-config', path.join(REPO_ROOT, 'tsconfig.json'), ...dirs];
  // madge exits 1 when it finds a cycle; its JSON is on stdout either way.
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out) as string[][];
}

describe('import graph', () => {
  it('has no cycle in core, plugins or bin', () => {
    expect(cycles(['core', 'plugins', 'bin'], REPO_ROOT)).toEqual([]);
  }, 120_000);

  it('the check sees a cycle, type-only imports included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'visage-cycle-'));
    writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport interface A { b?: B }\n");
    writeFileSync(path.join(dir, 'b.ts'), "import { type A } from './a.ts';\nexport interface B { a?: A }\n");
    expect(cycles(['.'], dir)).toEqual([['a.ts', 'b.ts']]);
  }, 60_000);
});
