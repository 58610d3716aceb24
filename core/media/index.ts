/** Media ingest: clip sources -> sampled RGB frames. */
export { readClip, DEFAULT_REFUSE_ABOVE, type ReadClipOptions } from './read-clip.ts';
export { sampleIndices, seededRandom, type PadMode, type SampleMode } from './sampling.ts';
export { expandInputs } from './expand-inputs.ts';
export { expandGlob, hasGlobMagic } from './glob.ts';
export { locateFfmpeg, type FfmpegTools } from './ffmpeg-locate.ts';
export { probeVideo, type VideoProbe } from './video-probe.ts';
export { isImagePath, isVideoPath, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from './media-kind.ts';
export { liveChildCount } from './child-process.ts';
export { decodePng, encodePng, drawFaceOverlay, drawLine, drawRect, drawDot, type RgbImage, type Rgb, type FaceOverlayOptions } from './png.ts';
export { drawText, textSize, GLYPH_WIDTH, GLYPH_HEIGHT } from './bitmap-font.ts';
