import type { IngestProvider } from '../../api.ts';
import { readClip } from '../../media/read-clip.ts';
import { normalizeSource } from '../../pipeline/normalize-source.ts';

interface MediaOptions {
  mode: 'test' | 'train';
  seed: number;
  pad: 'last' | 'zero';
  maxSide?: number;
  refuseAbove: number;
}

/** Video files through ffmpeg, frame folders and images, sampled to T frames (method.md F.4). */
export const mediaIngest: IngestProvider = async (source, call) => {
  if (/^[a-z][a-z0-9+.-]+:/i.test(source.path)) return undefined; // a URI for another ingester
  const o = call.options as unknown as MediaOptions;
  const clip = await readClip(source.path, { frames: call.frames, mode: o.mode, seed: o.seed, pad: o.pad, maxSide: o.maxSide, refuseAbove: o.refuseAbove, signal: call.signal });
  clip.id = normalizeSource(source).id;
  if (source.label) clip.label = source.label;
  return clip;
};
