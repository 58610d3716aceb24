/**
 * Sources, normalised in one place: whether a path is a URI, and a clip's id. The CLI (for a batch of
 * inputs), the pipeline (for every source it runs, before ingest) and error rows all call these, so
 * a clip has the same id everywhere; its label is set once, by the pipeline after ingest.
 *
 * A batch's ids are the paths relative to the common folder of its inputs, without the extension,
 * with `/` separators: `a/x.mp4` and `b/x.mp4` become `a/x` and `b/x`, so DFEW-style trees
 * (`subject/class/001.mp4`) never collide. A lone file's id is its name without extension.
 */
import path from 'node:path';
import { clipIdCollision } from '../errors/messages.ts';
import type { SourceRef } from './stage-types.ts';

/** A URI (`solid:1,2,3`, `https://...`) rather than a file path: an ingester, not a file name, says what it is. */
export const isUri = (p: string) => /^[a-z][a-z0-9+.-]+:/i.test(p);
const withoutExtension = (p: string) => p.replace(/\.[^./]+$/, '');

/**
 * The source with its id filled in: the id it carries, else its file name without extension. A URI
 * without an id keeps none: the ingester that accepts it names the clip.
 */
export function normalizeSource(source: SourceRef): SourceRef {
  if (source.id || isUri(source.path)) return source;
  return { ...source, id: withoutExtension(path.basename(source.path.replace(/[\\/]+$/, ''))) };
}

/** What a row calls a source whose clip never came to be: its id, else (a URI) its path. */
export function sourceName(source: SourceRef): string {
  return normalizeSource(source).id ?? source.path;
}

/**
 * Ids for a batch: relative to the common folder of all file inputs. Sources that already carry an
 * id (a dataset reader's) keep it; a URI without one is named by its ingester. Two sources with one id are an input error naming both.
 */
export function normalizeSources(sources: SourceRef[]): SourceRef[] {
  const files = sources.filter((s) => !s.id && !isUri(s.path)).map((s) => path.resolve(s.path));
  const root = commonFolder(files);
  const seen = new Map<string, string>();
  return sources.map((s) => {
    if (!s.id && isUri(s.path)) return { ...s }; // the ingester that accepts the URI names the clip
    let out: SourceRef & { id: string };
    if (s.id) out = { ...s, id: s.id };
    else {
      const rel = path.relative(root, path.resolve(s.path)).split(path.sep).join('/');
      out = { ...s, id: withoutExtension(rel) || normalizeSource(s).id! };
    }
    const other = seen.get(out.id);
    if (other !== undefined && other !== s.path) throw clipIdCollision(out.id, other, s.path);
    seen.set(out.id, s.path);
    return out;
  });
}

/** The deepest folder that holds every path (a lone path: its parent folder). */
function commonFolder(absPaths: string[]): string {
  if (absPaths.length === 0) return process.cwd();
  const split = absPaths.map((p) => path.dirname(p).split(path.sep));
  const first = split[0];
  let n = first.length;
  for (const parts of split) {
    let i = 0;
    while (i < n && i < parts.length && parts[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join(path.sep) || path.sep;
}
