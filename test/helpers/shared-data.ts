/**
 * The read-only test media in ../shared/data beside the checkout. Missing data skips a suite on a
 * developer's machine but FAILS under CI (CI=true), so a broken checkout cannot pass silently.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
export const FACES_DIR = path.join(SHARED_DIR, 'data/faces');
export const CLIP_VOCAB = path.join(SHARED_DIR, 'data/clip/bpe_simple_vocab_16e6.txt.gz');

/** True when every listed file under ../shared/data exists; throws under CI when one is missing. */
export function haveShared(...relative: string[]): boolean {
  const missing = relative.filter((r) => !existsSync(path.join(SHARED_DIR, 'data', r)));
  if (missing.length && process.env.CI === 'true') throw new Error(`shared test data missing (required in CI): ${missing.join(', ')} under ${SHARED_DIR}/data`);
  return missing.length === 0;
}
