/**
 * The `hesp` fusion: a trained HESP checkpoint applied to a CLIP frames level's per-frame embeddings
 * (clip-adapter's `clip-frames` or `clip-frames-full`), with facial motion from the landmarks level
 * when it is enabled. Outputs the ensemble logits keyed by the checkpoint's class names.
 */
import type { FusionInput, FusionOutput } from '@visage/core';
import { noGrad, tensor } from '@visage/core/compute';
import { openSetConfigInvalid } from './errors.ts';
import type { LandmarksData } from '@visage/landmarks';
import type { LoadedHesp } from './hesp-checkpoint.ts';
import { landmarkDisplacement, standardiseMotion } from './motion.ts';
import type { HespOptions } from './options.generated.ts';

/** The `hesp` fusion's options, as the host passes them (defaults filled from the manifest). */
export type HespFusionOptions = HespOptions;

export async function hespFusion(input: FusionInput, options: HespFusionOptions, hesp: LoadedHesp): Promise<FusionOutput> {
  const slot = options.frames;
  const embeddings = input.levels[slot]?.frameEmbeddings;
  if (!embeddings?.length) throw openSetConfigInvalid('fusion.frames', `level "${slot}" gave no frame embeddings; enable a CLIP frames level (clip-frames or clip-frames-full) in the preset`);
  const { model } = hesp;
  if (embeddings[0].length !== model.dim) throw openSetConfigInvalid('fusion.checkpoint', `the checkpoint expects ${model.dim}-d embeddings, level "${slot}" gives ${embeddings[0].length}-d (another CLIP model?)`);
  const t = embeddings.length;
  const flat = new Float32Array(t * model.dim);
  embeddings.forEach((e, i) => flat.set(e, i * model.dim));
  const landmarks = input.levels[options.motion]?.data as LandmarksData | undefined;
  const raw = landmarks?.frames?.length === t ? landmarkDisplacement(landmarks.frames.map((f) => f.face)) : undefined;
  const out = noGrad(() => model.forward(tensor(flat, [1, t, model.dim]), tensor(standardiseMotion(raw, t), [1, t])));
  const [ens, clip, arpl] = await Promise.all([out.ensemble.data(), out.clipLogits.data(), out.arplLogits.data()]);
  const keyed = (v: Float32Array) => Object.fromEntries(model.classes.map((c, k) => [c, v[k]]));
  return { logits: keyed(ens), kind: 'logits', perLevel: { 'hesp-clip': keyed(clip), 'hesp-arpl': keyed(arpl) } };
}
