/**
 * Job ids: the clip's content hash plus the hash of what is done to it (the resolved preset, or
 * the extraction), so a resubmitted batch finds its finished jobs and a changed preset never does.
 * Content, not path: the same clip under another mount or name is the same job.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPreset } from '../config/resolve-preset.ts';
import { inputNotFound } from '../errors/messages.ts';
import { stableJson } from '../features/feature-cache.ts';
import { isUri } from '../pipeline/normalize-source.ts';

/** sha256 of a file's bytes, of a frame folder's file names and bytes, or of a URI's text. */
export async function contentHash(source: string): Promise<string> {
  const h = createHash('sha256');
  if (isUri(source)) return h.update(`uri\n${source}`).digest('hex');
  const st = await stat(source).catch(() => { throw inputNotFound(source); });
  if (!st.isDirectory()) {
    await hashFile(h, source);
    return h.digest('hex');
  }
  for (const name of (await readdir(source)).sort()) {
    const file = path.join(source, name);
    if (!(await stat(file)).isFile()) continue;
    h.update(`\n${name}\n`);
    await hashFile(h, file);
  }
  return h.digest('hex');
}

/** What changes a clip's result: everything of the resolved preset except its name and provenance. */
export function presetSpec(preset: ResolvedPreset): unknown {
  const { name: _name, layers: _layers, origins: _origins, ...spec } = preset;
  return spec;
}

/** `<work hash>-<content hash>` (hex; BullMQ ids must not contain ':'). */
export function jobId(work: unknown, content: string): string {
  const w = createHash('sha256').update(stableJson(work)).digest('hex');
  return `${w.slice(0, 24)}-${content.slice(0, 40)}`;
}


function hashFile(h: ReturnType<typeof createHash>, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file).on('data', (b) => h.update(b)).on('end', resolve).on('error', reject);
  });
}
