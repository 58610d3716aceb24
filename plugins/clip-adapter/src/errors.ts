/** Errors of the CLIP adapter: model files, preprocessing, FineCLIPER (extract, train, predict) and the demos. Codes are stable: tests and users match on them. */
import { errors } from '@visage/core';

const { badInput: bad, runFailure: fail } = errors;

export const preprocessorConfigInvalid = (file: string, detail: string) =>
  bad('PREPROCESSOR_CONFIG_INVALID', `${file}: ${detail}`, 'use the preprocessor_config.json of a Hugging Face CLIP export (size, crop_size, image_mean, image_std, resample)', { file });
export const clipInputInvalid = (detail: string) =>
  bad('CLIP_INPUT_INVALID', detail, 'give at least one --image FILE or --text STR; texts are plain strings, images are files sharp can read');
export const fineCliperModelsMissing = (what: string) =>
  bad('FINECLIPER_MODELS_MISSING', `${what} needs a CLIP ONNX export, and no --models folder was given`, 'pass --models DIR with vision_model.onnx, text_model.onnx and tokenizer.json (a Hugging Face / Xenova CLIP ViT-B/16 export)');
export const fineCliperOptionInvalid = (option: string, detail: string) =>
  bad('FINECLIPER_OPTION_INVALID', `${option}: ${detail}`, 'see `visage train --help` and plugins/clip-adapter/README.md');
export const fineCliperNoLevels = (available: string[]) =>
  bad('FINECLIPER_NO_LEVELS', 'no FineCLIPER level is enabled in the preset', `enable at least one of ${available.join(', ')} (weight > 0), e.g. --preset fineclipper`);
export const fineCliperFeaturesMissing = (level: string, id: string) =>
  fail('FINECLIPER_FEATURES_MISSING', `clip ${id} has no "${level}" features`, 'the level produced no frame embeddings for this clip: check the level and its dependencies (e.g. a description level without text)');
export const fineCliperCheckpointMismatch = (file: string, detail: string) =>
  bad('FINECLIPER_CHECKPOINT_MISMATCH', `checkpoint ${file}: ${detail}`, 'use the checkpoint written by `visage train` with the same preset levels and classes, or retrain');
export const fineCliperEmptySplit = (what: string) =>
  bad('FINECLIPER_EMPTY_SPLIT', `${what} has no clips`, 'check --dataset, --root, --fold and the split files');
export const fineCliperCheckpointClasses = (file: string, trained: readonly string[], preset: readonly string[]) =>
  bad('FINECLIPER_CHECKPOINT_CLASSES', `checkpoint ${file} was trained on classes [${trained.join(', ')}], but the preset names [${preset.join(', ')}]`,
    `drop the preset's classes to use the checkpoint's (--set 'classes=[]'), or name the checkpoint's classes: --set 'classes=${JSON.stringify(trained)}'`);
export const demoFolderUnusable = (dir: string, detail: string) =>
  bad('DEMO_FOLDER_UNUSABLE', `cannot use ${dir} as the demo folder: ${detail}`, 'pass --dir with a folder that can be created, or run from a writable folder');
export const demoStepFailed = (command: string, exitCode: number) =>
  fail('DEMO_STEP_FAILED', `the demo step \`${command}\` exited with ${exitCode}`, 'its own error is printed above; rerun that command alone to look into it');
