import type { IngestProvider } from '../../api.ts';
import { readClip } from '../../media/read-clip.ts';
import { isUri } from '../../pipeline/normalize-source.ts';

interface MediaOptions {
  mode: 'test' | 'train';
  seed: number;
  pad: 'last' | 'zero';
  maxSide?: number;
  refuseAbove: number;
}

/** Video files through ffmpeg, frame folders and images, sampled to T frames (method.md F.4). */
export const mediaIngest: IngestProvider = async (source, call) => {
  if (isUri(source.path)) return undefined; // for another ingester
  const o = call.options as unknown as MediaOptions;
  const clip = await readClip(source.path, { frames: call.frames, mode: o.mode, seed: o.seed, pad: o.pad, maxSide: o.maxSide, refuseAbove: o.refuseAbove, signal: call.signal });
  // The pipeline normalised the source (normalize-source.ts), so a file always comes with its id;
  // the label is set by the pipeline for every ingester.
  if (source.id) clip.id = source.id;
  return clip;
};
