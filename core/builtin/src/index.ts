/** Visage's built-in providers, registered like any third-party plugin's. */
import type { PluginContext } from '../../api.ts';
import { classNamePrompts } from './class-name-prompts.ts';
import { weightedMeanFusion } from './weighted-mean-fusion.ts';
import { argmaxDecision } from './argmax-decision.ts';
import { mediaIngest } from './media-ingest.ts';

export function activate(ctx: PluginContext): void {
  ctx.stages.ingest.provide('media', mediaIngest);
  ctx.stages.prompts.provide('class-names', classNamePrompts);
  ctx.stages.fusion.provide('weighted-mean', weightedMeanFusion);
  ctx.stages.decide.provide('argmax', argmaxDecision);
}
