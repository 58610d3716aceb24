/** Errors of the HESP prompt builder and fusion (issue 17): exit 2, they are preset or checkpoint mistakes. */
import { VisageError } from '../../../core/api.ts';

const bad = (code: string, message: string, hint: string) => new VisageError({ code, message, hint, exitCode: 2 });

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
