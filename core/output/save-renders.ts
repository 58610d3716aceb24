/** `--save-renders DIR`: every level's renders for a clip, as DIR/<clip id as a sub-path>/<slot>-<name>.png. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodePng, renderFolderName } from '../media/png.ts';
import type { ClipResult } from '../pipeline/pipeline.ts';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** `slots`: only these levels' renders (`--renders`); all when undefined. */
export async function saveRenders(dir: string, result: ClipResult, slots?: ReadonlySet<string>): Promise<string[]> {
  const folder = path.join(dir, renderSubPath(result.clip.id));
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const [slot, out] of Object.entries(result.levels)) {
    if (slots && !slots.has(slot)) continue;
    for (const r of out.renders ?? []) {
      const file = path.join(folder, `${safe(slot)}-${safe(r.name)}.png`);
      await writeFile(file, await encodePng(r.rgb, r.width, r.height));
      written.push(file);
    }
  }
  return written;
}

/** Clip ids hold `/` (paths relative to the inputs' common folder): each segment becomes one safe folder. */
export function renderSubPath(clipId: string): string {
  return clipId.split('/').map(renderFolderName).join(path.sep);
}
