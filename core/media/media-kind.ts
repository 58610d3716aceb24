/** File-name rules that decide how a path is ingested. */
import { extname } from 'node:path';

/** Still images decoded by sharp. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff']);
/** Containers handed to ffmpeg. */
export const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.avi', '.mkv', '.mov', '.webm', '.mpg', '.mpeg', '.wmv', '.flv', '.3gp', '.ts', '.mts', '.gif', '.ogv', '.nut', '.y4m', '.bmp']);

export const isImagePath = (p: string): boolean => IMAGE_EXTENSIONS.has(extname(p).toLowerCase());
export const isVideoPath = (p: string): boolean => VIDEO_EXTENSIONS.has(extname(p).toLowerCase());

/** The number a frame file ends with: `00001_12.jpg` -> 12, `frame0007.png` -> 7; null if none. */
export function frameNumber(file: string): number | null {
  const stem = file.slice(0, file.length - extname(file).length);
  const m = /(\d+)$/.exec(stem);
  return m ? Number(m[1]) : null;
}

/** The name with its trailing number and extension removed: `00001_12.jpg` -> `00001_`. */
export function framePrefix(file: string): string {
  const stem = file.slice(0, file.length - extname(file).length);
  return stem.replace(/\d+$/, '');
}

/**
 * True when the image names look like the frames of one clip: at least two files, all ending in a
 * number after one shared prefix (DFEW `<id>/<id>_<k>.jpg`, ffmpeg `%05d.png`, ...).
 */
export function looksLikeFrameSequence(imageFiles: string[]): boolean {
  if (imageFiles.length < 2) return false;
  const prefix = framePrefix(imageFiles[0]);
  return imageFiles.every((f) => frameNumber(f) !== null && framePrefix(f) === prefix);
}

/** Sorts frame files by their trailing number (then by name), not lexically: 2 before 10. */
export function sortFrames(files: string[]): string[] {
  return [...files].sort((a, b) => (frameNumber(a) ?? -1) - (frameNumber(b) ?? -1) || a.localeCompare(b));
}
