/** The shared test data, through the one locator in test/helpers/shared-data.ts. */
import path from 'node:path';
import { CLIP_VOCAB, FACES_DIR, SHARED_DIR, haveShared } from '../../../test/helpers/shared-data.ts';

export const sharedDir = SHARED_DIR;
export const clipVocabPath = CLIP_VOCAB;
export const facesDir = FACES_DIR;

/** Whether `file` (under ../shared/data) exists; throws on CI when it does not, so the suite fails instead of skipping. */
export function haveSharedFile(file: string): boolean {
  return haveShared(path.relative(path.join(SHARED_DIR, 'data'), file));
}
