/**
 * A small glob matcher for CLI inputs (`clips/*.mp4`, `data/**\/*.avi`, `{a,b}/*.png`), so that
 * quoted patterns work the same on every shell. Supports *, ?, [...], {a,b} and ** segments.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const MAGIC = /[*?[{]/;

/** True when the string holds glob syntax. */
export function hasGlobMagic(s: string): boolean {
  return MAGIC.test(s);
}

/** Regex for one path segment pattern (no slashes inside). */
function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      let body = seg.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = seg.indexOf('}', i + 1);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${seg.slice(i + 1, end).split(',').map((alt) => alt.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const list = await readdir(dir, { withFileTypes: true });
    return list.map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}

/** Expands a glob pattern to the existing paths it matches (files and folders), sorted. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]+/);
  const absolute = pattern.startsWith('/');
  // The literal prefix before the first magic segment is where the walk starts.
  let i = 0;
  while (i < parts.length && !hasGlobMagic(parts[i])) i++;
  const base = parts.slice(0, i).join('/') || (absolute ? '/' : '.');
  const rest = parts.slice(i);
  const found = new Set<string>();

  async function walk(dir: string, k: number): Promise<void> {
    if (k === rest.length) { found.add(dir); return; }
    const seg = rest[k];
    if (seg === '**') {
      await walk(dir, k + 1); // ** matches zero segments
      for (const e of await entries(dir)) if (e.dir && !e.name.startsWith('.')) await walk(join(dir, e.name), k);
      return;
    }
    const re = segmentRegex(seg);
    for (const e of await entries(dir)) {
      if (e.name.startsWith('.') && !seg.startsWith('.')) continue;
      if (!re.test(e.name)) continue;
      if (k + 1 < rest.length && !e.dir) continue;
      await walk(join(dir, e.name), k + 1);
    }
  }

  await walk(base, 0);
  return [...found].sort();
}
