/**
 * `--root-map FROM=TO`: machines that mount the shared media under different folders. A path under
 * FROM is rewritten to the same path under TO (the first matching map wins).
 */
import path from 'node:path';
import { queueRootMapInvalid } from '../errors/messages.ts';

export interface RootMap {
  from: string;
  to: string;
}

export function parseRootMaps(values: string[] = []): RootMap[] {
  return values.map((v) => {
    const i = v.indexOf('=');
    const from = v.slice(0, i), to = v.slice(i + 1);
    if (i < 0 || !path.isAbsolute(from) || !path.isAbsolute(to)) throw queueRootMapInvalid(v);
    return { from: path.resolve(from), to: path.resolve(to) };
  });
}

export function mapRoot(p: string, maps: RootMap[]): string {
  for (const { from, to } of maps) {
    if (p === from) return to;
    if (p.startsWith(from + path.sep)) return to + p.slice(from.length);
  }
  return p;
}
