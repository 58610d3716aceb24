/** The clip-adapter plugin: `visage clip encode` (FineCLIPER levels and training come on top of clip-api.ts). */
import type { PluginContext } from '../../../core/api.ts';
import { errors } from '../../../core/api.ts';
import { clipEncode } from './model/clip-encode.ts';

export function activate(ctx: PluginContext): void {
  ctx.commands.provide('clip encode', async ({ options, out }) => {
    const images = (options.image as string[] | undefined) ?? [];
    const texts = (options.text as string[] | undefined) ?? [];
    if (!ctx.settings.modelsDir) throw errors.badInput('CLIP_MODELS_MISSING', 'no CLIP models folder given', 'pass --models DIR with vision_model.onnx and/or text_model.onnx');
    if (images.length + texts.length === 0) throw errors.badInput('CLIP_NOTHING_TO_ENCODE', 'nothing to encode', 'pass --image FILE and/or --text STRING (each repeatable)');
    const encoded = await clipEncode(ctx.settings.modelsDir, { images, texts });
    out(JSON.stringify(encoded, null, 2) + '\n');
  });
}
