/** A frame folder (DFEW `clip_224x224_16f/<id>/<id>_<k>.jpg` style): its frames in time order. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isImagePath, sortFrames } from './media-kind.ts';

/** Image files of a folder, ordered by the number their names end with (2 before 10). */
export async function listFrameFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isFile() && !d.name.startsWith('.') && isImagePath(d.name))
    .map((d) => d.name);
  return sortFrames(names).map((n) => join(dir, n));
}
