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

// ---- HESP prompts as a prompt builder, the fusion reading them (issue 17): preset or checkpoint mistakes ----
export const hespPromptsClasses = (file: string, trained: readonly string[], preset: readonly string[]) =>
  bad('HESP_PROMPTS_CLASSES', `HESP checkpoint ${file} has prompts for [${trained.join(', ')}], but the preset names [${preset.join(', ')}]`,
    `drop the preset's classes to use the checkpoint's (--set 'classes=[]'), or name the checkpoint's: --set 'classes=${JSON.stringify(trained)}'`);

export const hespPromptsMissing = (role: string, classes: readonly string[]) =>
  bad('HESP_PROMPTS_MISSING', `the hesp fusion needs a ${role} prompt for ${classes.join(', ')}, and the prompt builder gave none`,
    'select a prompt builder that encodes every class of the run: visage.open-set/hesp-prompts or visage.clip-adapter/descriptors');

export const hespPromptsWidth = (promptDim: number, frameDim: number, slot: string) =>
  bad('HESP_PROMPTS_WIDTH', `the prompts are ${promptDim}-d but level "${slot}" gives ${frameDim}-d frame embeddings`,
    'prompts and frames must come from the same CLIP: check --models and the checkpoint');

export const hespPromptsNoCheckpoint = () =>
  bad('HESP_PROMPTS_NO_CHECKPOINT', 'the hesp-prompts builder has no checkpoint to load its prompts from',
    'set stages.prompts.options.checkpoint=FILE (or the plugin-wide checkpoint) to a hesp-<known>-<draw>.safetensors from `visage open-set eval --out DIR`');

export const fusionGivesNoKnownness = () =>
  bad('OPEN_SET_NO_FUSION_KNOWNNESS', 'the open-set decider was asked for the fusion\'s known-ness (score "fusion"), and the fusion gave none',
    'use a rule on the logits (--set stages.decide.options.score=maxLogit), or a fusion that scores known-ness: fineclipper with a prompt builder that gives unknown prompts (visage.open-set/hesp-prompts)');
