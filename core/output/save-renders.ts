/** `--save-renders DIR`: every level's renders for a clip, as DIR/<clip>/<slot>-<name>.png. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodePng, renderFolderName } from '../media/png.ts';
import type { ClipResult } from '../pipeline/pipeline.ts';

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** `slots`: only these levels' renders (`--renders`); all when undefined. */
export async function saveRenders(dir: string, result: ClipResult, slots?: ReadonlySet<string>): Promise<string[]> {
  const folder = path.join(dir, renderFolderName(result.clip.id));
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
