/**
 * The `hesp` fusion: HESP's video side (expression-sensitive pooling of a CLIP frames level's per-frame
 * embeddings, with facial motion from the landmarks level) and its heads, scored against the prompts
 * stage (issue 17), so it works with `hesp-prompts` and with FineCLIPER's `descriptors`:
 *
 * - clip_k = s·cos(v, positive_k);
 * - with unknown prompts u_k (hesp-prompts' reciprocal points / σ): arpl_k = ‖σv − σu_k‖²/D − σv·σu_k,
 *   and the logits are the ensemble (clip + arpl)/2, as trained; without them, clip_k alone.
 *
 * The pooling weights, s and σ come from a HESP checkpoint: the fusion's own `checkpoint`, else the one
 * the prompts came from; with neither, HESP's untrained pooling (the mean of the frames) and defaults.
 */
import type { FusionInput, FusionOutput } from '@visage/core';
import { promptsByClass } from '@visage/core';
import { affine, add, cosineSimilarityMatrix, mean, noGrad, tensor, type Tensor } from '@visage/core/compute';
import type { LandmarksData } from '@visage/landmarks';
import { hespPromptsMissing, hespPromptsWidth, openSetConfigInvalid } from './errors.ts';
import type { LoadedHesp } from './hesp-checkpoint.ts';
import { resolveHespConfig } from './hesp-config.ts';
import { arplLogits } from './hesp-model.ts';
import { landmarkDisplacement, standardiseMotion } from './motion.ts';
import type { HespOptions } from './options.generated.ts';

/** The `hesp` fusion's options, as the host passes them (defaults filled from the manifest). */
export type HespFusionOptions = HespOptions;

/** The checkpoint the fusion's video side comes from: its own option, else the prompt builder's. */
export function hespFusionCheckpoint(input: FusionInput, options: HespFusionOptions): string | undefined {
  return options.checkpoint ?? (input.prompts.extra?.hespCheckpoint as string | undefined);
}

export async function hespFusion(input: FusionInput, options: HespFusionOptions, hesp: LoadedHesp | undefined): Promise<FusionOutput> {
  const slot = options.frames;
  const embeddings = input.levels[slot]?.frameEmbeddings;
  if (!embeddings?.length) throw openSetConfigInvalid('fusion.frames', `level "${slot}" gave no frame embeddings; enable a CLIP frames level (clip-frames or clip-frames-full) in the preset`);
  const classes = input.prompts.classes;
  const positive = promptsByClass(input.prompts, 'positive', classes);
  if (positive.missing.length || !classes.length) throw hespPromptsMissing('positive', positive.missing.length ? positive.missing : ['(no classes)']);
  const unknown = promptsByClass(input.prompts, 'unknown', classes);
  const t = embeddings.length, dim = embeddings[0].length;
  if (positive.embeddings[0].length !== dim) throw hespPromptsWidth(positive.embeddings[0].length, dim, slot);
  if (hesp && hesp.model.dim !== dim) throw openSetConfigInvalid('fusion.checkpoint', `the checkpoint expects ${hesp.model.dim}-d embeddings, level "${slot}" gives ${dim}-d (another CLIP model?)`);
  const config = hesp?.config ?? resolveHespConfig({});
  const landmarks = input.levels[options.motion]?.data as LandmarksData | undefined;
  const raw = landmarks?.frames?.length === t ? landmarkDisplacement(landmarks.frames.map((f) => f.face)) : undefined;

  // On the checkpoint's backend: the default one may have changed since it was loaded.
  const opts = { backend: hesp?.model.textBase.backend };
  const rows = (list: Float32Array[]) => tensor(stack(list), [list.length, list[0].length], opts);
  const out = noGrad(() => {
    const frames = tensor(stack(embeddings), [1, t, dim], opts);
    const video = hesp ? hesp.model.pool(frames, tensor(standardiseMotion(raw, t), [1, t], opts)) : mean(frames, 1);
    const clip = affine(cosineSimilarityMatrix(video, rows(positive.embeddings)), config.logitScale, 0);
    if (unknown.missing.length) return { ensemble: clip, clip };
    const sigma = config.arplFeatureScale;
    const arpl = arplLogits(affine(video, sigma, 0), affine(rows(unknown.embeddings), sigma, 0));
    return { ensemble: affine(add(clip, arpl), 0.5, 0), clip, arpl };
  });
  const keyed = async (x: Tensor) => {
    const v = await x.data();
    return Object.fromEntries(classes.map((c, k) => [c, v[k]]));
  };
  const perLevel: Record<string, Record<string, number>> = { 'hesp-clip': await keyed(out.clip) };
  if (out.arpl) perLevel['hesp-arpl'] = await keyed(out.arpl);
  const logits = await keyed(out.ensemble);
  // HESP's known-ness, the max ensemble logit, for the decider's `fusion` score rule.
  return { logits, kind: 'logits', perLevel, knownness: Math.max(...Object.values(logits)) };
}

function stack(list: Float32Array[]): Float32Array {
  const d = list[0].length;
  const flat = new Float32Array(list.length * d);
  list.forEach((e, i) => flat.set(e, i * d));
  return flat;
}
