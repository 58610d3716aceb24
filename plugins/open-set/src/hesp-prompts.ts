/**
 * The `hesp-prompts` prompt builder (issue 17): a trained HESP checkpoint's prompts as a PromptSet, so
 * any fusion can score them, not only the `hesp` fusion they were trained with.
 *
 * - positive: the tuned class prompt t_k = E_txt(k) + ctx_k, unit length (HESP scores it by cosine);
 * - negative: E_txt("This video is not {k}."), as trained;
 * - unknown: the reciprocal point c_k of class k (HESP's learned "unknown" prototypes), divided by
 *   `arplFeatureScale` so it lives beside the unit video embeddings: ‖σv − c_k‖² = σ²‖v − c_k/σ‖².
 *
 * The checkpoint holds E_txt of both prompts (written by `visage open-set eval --out`), so no text
 * encoder runs. Classes come from the checkpoint when the preset names none.
 */
import type { PromptSet, RolePrompt } from '@visage/core';
import { hespPromptsClasses } from './errors.ts';
import type { LoadedHesp } from './hesp-checkpoint.ts';
import { NEGATIVE_TEMPLATE } from './dataset-features.ts';

export interface HespPromptsOptions {
  /** Default: the plugin's `checkpoint` setting. */
  checkpoint?: string;
}

/** Where the `hesp` fusion finds the checkpoint the prompts came from (its visual side, when it names none). */
export interface HespPromptsExtra {
  hespCheckpoint: string;
}

export async function hespPrompts(prompts: PromptSet, file: string, hesp: LoadedHesp): Promise<PromptSet> {
  const { model, config } = hesp;
  const classes = runClasses(file, model.classes, prompts.classes);
  const [positive, negative, unknown] = await Promise.all([model.classPrompts().data(), model.negativeText.data(), model.prototypes.data()]);
  const d = model.dim;
  const row = (data: Float32Array, k: number) => data.slice(k * d, (k + 1) * d);
  const list: RolePrompt[] = classes.flatMap((c, k) => [
    { role: 'positive' as const, class: c, embedding: unit(row(positive, k)) },
    { role: 'negative' as const, class: c, text: NEGATIVE_TEMPLATE.replaceAll('{class}', model.classes[k]), embedding: row(negative, k) },
    { role: 'unknown' as const, class: c, embedding: row(unknown, k).map((x) => x / config.arplFeatureScale) },
  ]);
  const extra: HespPromptsExtra = { hespCheckpoint: file };
  return { ...prompts, classes, prompts: list, extra: { ...prompts.extra, ...extra } };
}

/** The checkpoint's class order, named as the preset names them (case-insensitively: DFEW "Happy" = "happy"). */
function runClasses(file: string, trained: string[], preset: string[]): string[] {
  if (!preset.length) return [...trained];
  const byLower = new Map(preset.map((c) => [c.toLowerCase(), c]));
  const mapped = trained.map((c) => byLower.get(c.toLowerCase()));
  if (preset.length !== trained.length || mapped.some((c) => c === undefined)) throw hespPromptsClasses(file, trained, preset);
  return mapped as string[];
}

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}
