/**
 * Finds the ffmpeg (and, when present, ffprobe) binaries, in this order:
 *  1. VISAGE_FFMPEG (and VISAGE_FFPROBE, else an `ffprobe` beside VISAGE_FFMPEG);
 *  2. `ffmpeg` / `ffprobe` on PATH (Debian's ffmpeg package ships both);
 *  3. the static binary of the optional npm package `@ffmpeg-installer/ffmpeg` (GPLv3, ffmpeg 4.1,
 *     no ffprobe: probing then parses `ffmpeg -i` output instead).
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { ffmpegMissing, ffmpegNotExecutable } from '../errors/messages.ts';

export interface FfmpegTools {
  ffmpeg: string;
  /** null when only ffmpeg is available. */
  ffprobe: string | null;
  source: 'env' | 'path' | 'npm';
}

async function executable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, pathVar: string | undefined): Promise<string | null> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir && (await executable(join(dir, name)))) return join(dir, name);
  }
  return null;
}

async function fromNpm(): Promise<string | null> {
  // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
  const specifier = '@ffmpeg-installer/ffmpeg';
  try {
    const mod = (await import(specifier)) as { path?: string; default?: { path?: string } };
    const p = mod.path ?? mod.default?.path;
    return p && (await executable(p)) ? p : null;
  } catch {
    return null;
  }
}

const cache = new Map<string, Promise<FfmpegTools>>();

async function locate(env: NodeJS.ProcessEnv): Promise<FfmpegTools> {
  const fromEnv = env.VISAGE_FFMPEG;
  if (fromEnv) {
    if (!(await executable(fromEnv))) throw ffmpegNotExecutable('VISAGE_FFMPEG', fromEnv);
    if (env.VISAGE_FFPROBE && !(await executable(env.VISAGE_FFPROBE))) throw ffmpegNotExecutable('VISAGE_FFPROBE', env.VISAGE_FFPROBE);
    const probe = env.VISAGE_FFPROBE ?? join(dirname(fromEnv), 'ffprobe');
    return { ffmpeg: fromEnv, ffprobe: (await executable(probe)) ? probe : null, source: 'env' };
  }
  const ffmpeg = await onPath('ffmpeg', env.PATH);
  if (ffmpeg) {
    const sibling = join(dirname(ffmpeg), 'ffprobe');
    const ffprobe = (await executable(sibling)) ? sibling : await onPath('ffprobe', env.PATH);
    return { ffmpeg, ffprobe, source: 'path' };
  }
  const npm = await fromNpm();
  if (npm) return { ffmpeg: npm, ffprobe: null, source: 'npm' };
  throw ffmpegMissing();
}

/** Locates ffmpeg once per distinct environment (VISAGE_FFMPEG, VISAGE_FFPROBE, PATH). */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<FfmpegTools> {
  const key = [env.VISAGE_FFMPEG, env.VISAGE_FFPROBE, env.PATH].join('\0');
  let found = cache.get(key);
  if (!found) {
    found = locate(env);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
