/**
 * Locates ../shared/data next to the repository. Tests that need it skip locally when it is absent,
 * but fail on CI (CI=true), where a missing folder means a broken setup, not an optional extra.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const clipVocabPath = join(sharedDir, 'data/clip/bpe_simple_vocab_16e6.txt.gz');
export const facesDir = join(sharedDir, 'data/faces');

/** Whether `path` exists; throws on CI when it does not, so the suite fails instead of skipping. */
export function haveSharedFile(path: string): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI === 'true') throw new Error(`shared test data missing on CI: ${path}`);
  return false;
}
