/**
 * Finds the files of a CLIP export in a models folder: the flat Hugging Face layout
 * (vision_model.onnx next to tokenizer.json) or the Xenova layout (ONNX files under `onnx/`).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '@visage/core';
import { BPE_VOCAB_FILE } from '../tokenizer/clip-tokenizer.ts';

export interface ClipModelFiles {
  dir: string;
  /** vision_model[_variant].onnx, when present. */
  vision?: string;
  /** text_model[_variant].onnx, when present. */
  text?: string;
  tokenizerJson?: string;
  bpeVocab?: string;
  preprocessorConfig?: string;
}

/**
 * @param variant file-name suffix of a Xenova variant ('quantized', 'fp16', ...); '' for fp32.
 */
export function locateClipFiles(dir: string, variant = ''): ClipModelFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw errors.modelNotFound('CLIP models folder', dir);
  const suffix = variant ? `_${variant}` : '';
  const first = (...candidates: string[]) => candidates.find((p) => existsSync(p));
  const model = (name: string) => first(join(dir, `${name}${suffix}.onnx`), join(dir, 'onnx', `${name}${suffix}.onnx`));
  const side = (name: string) => first(join(dir, name), join(dir, 'onnx', name));
  return {
    dir,
    vision: model('vision_model'),
    text: model('text_model'),
    tokenizerJson: side('tokenizer.json'),
    bpeVocab: side(BPE_VOCAB_FILE),
    preprocessorConfig: side('preprocessor_config.json'),
  };
}
