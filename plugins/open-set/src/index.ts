/**
 * The open-set plugin (HESP): the `open-set` decider, the `hesp-prompts` prompt builder (a trained
 * checkpoint's prompts), the `hesp` fusion (HESP's video side and heads over a CLIP frames level, scored
 * against the prompts stage) and the `open-set splits` / `open-set eval` commands. The method lives in plain
 * modules (open-set-api.ts) that tests and other tools import directly.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PluginContext } from '@visage/core';
import { evalCommand, splitsCommand } from './commands.ts';
import { demoHesp } from './demo-hesp.ts';
import { demoPromptGrid } from './demo-grid.ts';
import { loadHespCheckpoint, readHespThreshold } from './hesp-checkpoint.ts';
import { hespFusion, hespFusionCheckpoint } from './hesp-fusion.ts';
import { hespPrompts } from './hesp-prompts.ts';
import { hespPromptsNoCheckpoint } from './errors.ts';
import type { HespOptions, HespPromptsOptions } from './options.generated.ts';
import { openSetDecider } from './open-set-decision.ts';

export function activate(ctx: PluginContext): void {
  const checkpoint = (file: string) => ctx.shared(`hesp:${resolve(file)}`, () => loadHespCheckpoint(resolve(file)));
  // The plugin-wide checkpoint is the default of all three, so a preset can swap prompt builders without touching options.
  const pluginCheckpoint = ctx.config.checkpoint as string | undefined;
  const thresholdCheckpoint = pluginCheckpoint !== undefined && existsSync(resolve(pluginCheckpoint)) ? resolve(pluginCheckpoint) : undefined;
  ctx.stages.decide.provide('open-set', openSetDecider((file) => ctx.shared(`threshold:${file}`, () => readHespThreshold(file)), thresholdCheckpoint));
  ctx.stages.prompts.provide<HespPromptsOptions>('hesp-prompts', async (prompts, call) => {
    const given = call.options.checkpoint ?? pluginCheckpoint;
    if (given === undefined) throw hespPromptsNoCheckpoint();
    const file = resolve(given);
    return hespPrompts(prompts, file, await checkpoint(file));
  });
  ctx.stages.fusion.provide<HespOptions>('hesp', async (input, call) => {
    const options = call.options;
    const file = hespFusionCheckpoint(input, options) ?? pluginCheckpoint;
    return hespFusion(input, options, file === undefined ? undefined : await checkpoint(file));
  });
  ctx.commands.provide('demo hesp', demoHesp);
  ctx.commands.provide('demo prompt-grid', demoPromptGrid);
  ctx.commands.provide('open-set splits', async ({ options, out }) => splitsCommand(options, out));
  ctx.commands.provide('open-set eval', async ({ host, settings, options, out, err }) => {
    await ctx.compute.run(() => evalCommand({ host, settings }, options, out, err, ctx.version), { device: settings.device, log: err });
  });
}
