/**
 * Turns CLI arguments (files, folders, quoted globs) into clip sources, one per clip:
 * - a file is a clip (whatever its extension: a bad one becomes an error row, not a silent skip);
 * - a folder whose images form one numbered sequence (`00001_1.jpg`, `00001_2.jpg`, ...) is ONE
 *   clip (a DFEW-style frame folder);
 * - any other folder yields each video and image in it, and recurses into sub-folders;
 * - a glob yields what it matches, filtered to media files and folders as above.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputNoClips, inputNotFound } from '../errors/messages.ts';
import { expandGlob, hasGlobMagic } from './glob.ts';
import { isImagePath, isVideoPath, looksLikeFrameSequence } from './media-kind.ts';

async function statOrNull(p: string) {
  try {
    return await stat(p);
  } catch {
    return null;
  }
}

/**
 * Clip sources inside one folder (the folder itself when it is a frame sequence). Symbolic links are
 * followed to the file or folder they name; a folder reached twice (a link loop) is read once.
 */
async function fromFolder(dir: string, visited = new Set<string>()): Promise<string[]> {
  const real = await realpath(dir).catch(() => dir);
  if (visited.has(real)) return [];
  visited.add(real);
  const list = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  const subdirs: string[] = [];
  for (const d of list.filter((e) => !e.name.startsWith('.'))) {
    const kind = d.isSymbolicLink() ? await statOrNull(join(dir, d.name)) : d;
    if (kind?.isFile()) files.push(d.name);
    else if (kind?.isDirectory()) subdirs.push(d.name);
  }
  const images = files.filter(isImagePath);
  const videos = files.filter(isVideoPath);
  if (videos.length === 0 && looksLikeFrameSequence(images)) return [dir];
  const out = [...videos, ...images].sort().map((f) => join(dir, f));
  for (const sub of subdirs.sort()) out.push(...(await fromFolder(join(dir, sub), visited)));
  return out;
}

/** Expands files, folders and globs into a sorted-per-argument, de-duplicated list of clip sources. */
export async function expandInputs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (!seen.has(p)) { seen.add(p); out.push(p); }
  };
  for (const arg of args) {
    const st = await statOrNull(arg);
    if (st?.isFile()) { add(arg); continue; }
    if (st?.isDirectory()) {
      const found = await fromFolder(arg);
      if (found.length === 0) throw inputNoClips(arg);
      found.forEach(add);
      continue;
    }
    if (!hasGlobMagic(arg)) throw inputNotFound(arg);
    const matches = await expandGlob(arg);
    const clips: string[] = [];
    for (const m of matches) {
      const ms = await statOrNull(m);
      if (ms?.isDirectory()) clips.push(...(await fromFolder(m)));
      else if (ms?.isFile() && (isVideoPath(m) || isImagePath(m))) clips.push(m);
    }
    if (clips.length === 0) throw inputNoClips(arg);
    clips.forEach(add);
  }
  return out;
}
