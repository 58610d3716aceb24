/**
 * The clip-adapter plugin: `visage clip encode`, FineCLIPER's levels (frozen CLIP embeddings of
 * frames, parsing maps, landmark renders and descriptions), the `descriptors` prompt builder, the
 * `fineclipper` fusion, and the `extract`, `train` and `predict` commands.
 */
import type { PluginContext } from '@visage/core';
import { errors } from '@visage/core';
import { clipEncode } from './model/clip-encode.ts';
import { loadClip, type ClipModel } from './model/clip-model.ts';
import { fineCliperModelsMissing } from './errors.ts';
import { fineCliperLevelProviders } from './fineclipper/level-providers.ts';
import { descriptorsProvider, fineCliperFusionProvider } from './fineclipper/fusion-provider.ts';
import { loadFineCliper } from './fineclipper/checkpoint-io.ts';
import { extractCommand, predictCommand, trainCommand } from './fineclipper/commands.ts';
import { demoFineCliper } from './demo/demo-fineclipper.ts';

export function activate(ctx: PluginContext): void {
  ctx.commands.provide('clip encode', async ({ options, out }) => {
    const images = (options.image as string[] | undefined) ?? [];
    const texts = (options.text as string[] | undefined) ?? [];
    if (!ctx.settings.modelsDir) throw errors.badInput('CLIP_MODELS_MISSING', 'no CLIP models folder given', 'pass --models DIR with vision_model.onnx and/or text_model.onnx');
    if (images.length + texts.length === 0) throw errors.badInput('CLIP_NOTHING_TO_ENCODE', 'nothing to encode', 'pass --image FILE and/or --text STRING (each repeatable)');
    const encoded = await clipEncode(ctx.settings.modelsDir, { images, texts }, { sessionOptions: await ctx.models.sessionOptions() });
    // JSON Lines: one object per input, so `| jq -c` and line-based tools work on it.
    out(encoded.map((e) => JSON.stringify(e) + '\n').join(''));
  });
  ctx.commands.provide('extract', (input) => extractCommand(input, ctx.version));
  ctx.commands.provide('train', (input) => ctx.compute.run(() => trainCommand(input, ctx.version), { device: String(input.options.device ?? 'cpu'), log: input.err }));
  ctx.commands.provide('predict', (input) => predictCommand(input, ctx.version));
  ctx.commands.provide('demo fineclipper', demoFineCliper);

  // One CLIP model per models folder for the whole host, loaded on first use.
  const clip = (): Promise<ClipModel> => {
    const dir = ctx.settings.modelsDir;
    if (!dir) throw fineCliperModelsMissing('the FineCLIPER levels and descriptors');
    return ctx.shared(`clip:${dir}`, async () => loadClip(dir, { sessionOptions: await ctx.models.sessionOptions() }));
  };
  for (const [id, provider] of Object.entries(fineCliperLevelProviders(clip))) ctx.stages.levels.provide(id, provider);
  ctx.stages.prompts.provide('descriptors', descriptorsProvider(clip));
  ctx.stages.fusion.provide('fineclipper', fineCliperFusionProvider((file) => ctx.shared(`fineclipper:${file}`, () => loadFineCliper(file)), clip));
}
