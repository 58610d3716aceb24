/**
 * The open-set plugin (HESP): the `open-set` decider, the `hesp` fusion (a trained checkpoint over a
 * CLIP frames level) and the `open-set splits` / `open-set eval` commands. The method lives in plain
 * modules (open-set-api.ts) that tests and other tools import directly.
 */
import type { PluginContext } from '@visage/core';
import { evalCommand, splitsCommand } from './commands.ts';
import { demoHesp } from './demo-hesp.ts';
import { loadHespCheckpoint, readHespThreshold } from './hesp-checkpoint.ts';
import { hespFusion } from './hesp-fusion.ts';
import type { HespOptions } from './options.generated.ts';
import { openSetDecider } from './open-set-decision.ts';

export function activate(ctx: PluginContext): void {
  ctx.stages.decide.provide('open-set', openSetDecider((file) => ctx.shared(`threshold:${file}`, () => readHespThreshold(file))));
  ctx.stages.fusion.provide<HespOptions>('hesp', async (input, call) => {
    const options = call.options;
    const hesp = await ctx.shared(`hesp:${options.checkpoint}`, () => loadHespCheckpoint(options.checkpoint));
    return hespFusion(input, options, hesp);
  });
  ctx.commands.provide('demo hesp', demoHesp);
  ctx.commands.provide('open-set splits', async ({ options, out }) => splitsCommand(options, out));
  ctx.commands.provide('open-set eval', async ({ host, settings, options, out, err }) => {
    await ctx.compute.run(() => evalCommand({ host, settings }, options, out, err, ctx.version), { device: settings.device, log: err });
  });
}
