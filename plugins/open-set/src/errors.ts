/** Errors of the open-set plugin (HESP head, splits, thresholds, features files). Codes are stable: tests and users match on them. */
import { errors } from '@visage/core';

const { badInput: bad } = errors;

export const openSetConfigInvalid = (field: string, detail: string) =>
  bad('OPEN_SET_CONFIG_INVALID', `open-set ${field}: ${detail}`, 'fix this HESP setting (see plugins/open-set/README.md for every option and its default)');
export const openSetFeaturesInvalid = (file: string, detail: string) =>
  bad('OPEN_SET_FEATURES_INVALID', `${file}: ${detail}`, 'a features file is JSON {"dim", "classes", "textEmbeddings", "negativeEmbeddings", "items": [{"id", "label", "split", "frames": [[...D]...], "motion"?}]} (plugins/open-set/README.md)', { file });
export const openSetSplitInvalid = (detail: string) =>
  bad('OPEN_SET_SPLIT_INVALID', detail, 'the known-set size must be between 1 and the number of classes minus 1, and each side needs clips');
export const openSetCheckpointInvalid = (file: string, detail: string) =>
  bad('OPEN_SET_CHECKPOINT_INVALID', `${file}: ${detail}`, 'train one with `visage open-set eval --out DIR` (it writes hesp-<known>-<draw>.safetensors with its class names)', { file });
