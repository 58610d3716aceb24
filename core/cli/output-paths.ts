/**
 * Every path a command will write is checked before the first model loads, so a typo costs a
 * second, not a batch: not a folder, its parent exists and is writable, and it is none of the inputs.
 */
import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import * as errors from '../errors/messages.ts';

/** A file the command will create or overwrite. `inputs` are paths it reads (compared by real path). */
export function checkOutputFile(flag: string, file: string, inputs: readonly string[] = []): void {
  const abs = path.resolve(file);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw errors.outputPathInvalid(flag, file, 'is a folder', `name a file, e.g. ${flag} ${path.join(file, 'rows.jsonl')}`);
  }
  const parent = path.dirname(abs);
  if (!existsSync(parent)) throw errors.outputPathInvalid(flag, file, `its folder ${parent} does not exist`, `create it first: mkdir -p ${parent}`);
  if (!statSync(parent).isDirectory()) throw errors.outputPathInvalid(flag, file, `${parent} is not a folder`, 'choose a path inside a folder');
  if (!writable(existsSync(abs) ? abs : parent)) throw errors.outputPathInvalid(flag, file, 'is not writable', 'choose a path you may write to');
  const real = realOrSelf(abs);
  for (const input of inputs) {
    if (realOrSelf(path.resolve(input)) === real) throw errors.outputIsInput(flag, file);
  }
}

/** A folder the command will write into; created now (with parents) when missing. */
export function prepareOutputDir(flag: string, dir: string): void {
  const abs = path.resolve(dir);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw errors.outputPathInvalid(flag, dir, 'exists and is not a folder', 'name a folder (it is created when missing)');
  } else {
    try {
      mkdirSync(abs, { recursive: true });
    } catch (e) {
      throw errors.outputPathInvalid(flag, dir, `cannot create it: ${(e as Error).message}`, 'choose a folder you may write to');
    }
  }
  if (!writable(abs)) throw errors.outputPathInvalid(flag, dir, 'is not writable', 'choose a folder you may write to');
}

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
