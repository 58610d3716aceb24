/**
 * Public surface of the CLIP adapter (package export `@visage/clip-adapter`): what plugins that
 * declare `visage.clip-adapter` in `pluginDependencies` import.
 * (The plugin's activate() and manifest are wired by the host, not here.)
 */
export { loadClip, ClipModel, cosine, l2Normalize, type LoadClipOptions, type EncodeOptions, type EncodeTimings } from './model/clip-model.ts';
export { clipEncode, type ClipEncodeRequest, type ClipEncoding } from './model/clip-encode.ts';
export { locateClipFiles, type ClipModelFiles } from './model/model-files.ts';
export { checkVisionSignature, checkTextSignature, type VisionSignature, type TextSignature } from './model/signature.ts';
export { ClipTokenizer, CLIP_CONTEXT_LENGTH, BPE_VOCAB_FILE, type TokenBatch, type TokenizeOptions } from './tokenizer/clip-tokenizer.ts';
export { buildClipTokenizerJson, readBpeMerges, wholeWordMerges, CLIP_MERGE_COUNT } from './tokenizer/bpe-vocab.ts';
export {
  clipPreprocessing, parsePreprocessorConfig, readPreprocessorConfig, resizedSize, outputSize,
  CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, type ImagePreprocessing,
} from './preprocess/preprocessor-config.ts';
export { packPixelValues, readImageFrame, resizeForClip, writePixelValues, type RgbImage } from './preprocess/pixel-values.ts';
export { writeTinyClip, TINY_VOCAB_WORDS, TINY_GEOMETRY, VIT_B16_GEOMETRY, type TinyClipOptions, type TinyClipInfo, type ClipGeometry } from './demo/tiny-clip/tiny-clip.ts';
/** Frozen CLIP features of a dataset split, cached, for commands that train on them (HESP's open-set eval). */
export { FeatureSource, type HostCommandFlags } from './fineclipper/feature-source.ts';
export { readSplit, DATASETS, type DatasetName, type DatasetRequest } from './fineclipper/dataset-splits.ts';
/** The demos' shared steps: a fresh folder, and each `visage ...` command printed, then run. */
export { demoFolder, shownPath, step } from './demo/demo-steps.ts';
