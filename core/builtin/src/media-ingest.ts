import type { IngestProvider } from '../../api.ts';
import { readClip } from '../../media/read-clip.ts';
import { isUri } from '../../pipeline/normalize-source.ts';
import type { MediaOptions } from './options.generated.ts';

/** Video files through ffmpeg, frame folders and images, sampled to T frames (method.md F.4). */
export const mediaIngest: IngestProvider<MediaOptions> = async (source, call) => {
  if (isUri(source.path)) return undefined; // for another ingester
  const clip = await readClip(source.path, { ...call.options, frames: call.frames, signal: call.signal });
  // The pipeline normalised the source (normalize-source.ts), so a file always comes with its id;
  // the label is set by the pipeline for every ingester.
  if (source.id) clip.id = source.id;
  return clip;
};
