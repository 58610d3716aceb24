import type { IngestProvider } from '../../api.ts';
import { readClip } from '../../media/read-clip.ts';
import { normalizeSource } from '../../pipeline/normalize-source.ts';
import type { MediaOptions } from './options.generated.ts';

/** Video files through ffmpeg, frame folders and images, sampled to T frames (method.md F.4). */
export const mediaIngest: IngestProvider<MediaOptions> = async (source, call) => {
  if (/^[a-z][a-z0-9+.-]+:/i.test(source.path)) return undefined; // a URI for another ingester
  const clip = await readClip(source.path, { ...call.options, frames: call.frames, signal: call.signal });
  clip.id = normalizeSource(source).id;
  if (source.label) clip.label = source.label;
  return clip;
};
