/**
 * What the `visage demo ...` commands share: a fresh demo folder, and steps that print the exact
 * `visage ...` command line before running it in this process, so the user can repeat each one on
 * real data by swapping the paths.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { CommandInput } from '@visage/core';
import { demoFolderUnusable, demoStepFailed } from '../errors.ts';

/** `--dir` as given, else the first of ./visage-demo-<name>, -2, -3, ... that does not exist yet. */
export async function demoFolder(name: string, dir: unknown): Promise<string> {
  let folder = typeof dir === 'string' && dir ? dir : `visage-demo-${name}`;
  if (!dir) for (let n = 2; existsSync(folder); n++) folder = `visage-demo-${name}-${n}`;
  try {
    await mkdir(folder, { recursive: true });
  } catch (e) {
    throw demoFolderUnusable(folder, (e as Error).message);
  }
  return folder;
}

/** A path as the printed commands show it: relative to the working folder when inside it. */
export function shownPath(p: string): string {
  const rel = relative(process.cwd(), resolve(p));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(p);
}

/** Quotes an argument the way a POSIX shell needs it, only when it must. */
export function shellQuote(arg: string): string {
  return /^[\w./=:,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Prints `$ visage <args>` and runs it; a failing step stops the demo with its exit code. */
export async function step(input: CommandInput, what: string, args: string[]): Promise<void> {
  input.out(`\n# ${what}\n$ visage ${args.map(shellQuote).join(' ')}\n`);
  const code = await input.visage(args);
  if (code !== 0) throw demoStepFailed(`visage ${args.map(shellQuote).join(' ')}`, code);
}
