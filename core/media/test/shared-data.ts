/**
 * Locates ../shared/data for tests. Missing data skips the suite locally but FAILS under CI
 * (process.env.CI === 'true'), so a broken checkout cannot pass silently.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const facesDir = resolve(sharedDir, 'data/faces');

/** True when the shared faces are present; throws under CI when they are not. */
export function haveSharedFaces(): boolean {
  const ok = existsSync(resolve(facesDir, 'Megamind.avi')) && existsSync(resolve(facesDir, 'astronaut.png'));
  if (!ok && process.env.CI === 'true') throw new Error(`shared test data missing at ${facesDir} (required in CI)`);
  return ok;
}
