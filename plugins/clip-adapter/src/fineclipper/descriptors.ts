/**
 * FineCLIPER's label augmentation (method.md A.1): every class gets a positive and a negative
 * description, encoded once by the frozen CLIP text encoder.
 */
import type { ClipModel } from '../model/clip-model.ts';
import { fineCliperOptionInvalid } from '../errors.ts';
import type { DescriptorEmbeddings } from './fineclipper-model.ts';

export interface DescriptorTemplates {
  /** Must contain `{label}`. */
  positive: string;
  negative: string;
}

/** The templates of the seed summary (method.md A.1). */
export const DEFAULT_TEMPLATES: DescriptorTemplates = {
  positive: 'A person with an expression of {label}',
  negative: 'A person with an expression of no {label}',
};

export interface DescriptorTexts {
  classes: string[];
  positive: string[];
  negative: string[];
}

/** The positive and negative texts of each class, in class order (labels lower-cased, as prose). */
export function descriptorTexts(classes: readonly string[], templates: DescriptorTemplates = DEFAULT_TEMPLATES): DescriptorTexts {
  for (const [kind, t] of Object.entries(templates)) {
    if (!t.includes('{label}')) throw fineCliperOptionInvalid(`templates.${kind}`, `"${t}" has no {label} placeholder`);
  }
  const fill = (t: string) => classes.map((c) => t.replaceAll('{label}', c.toLowerCase()));
  return { classes: [...classes], positive: fill(templates.positive), negative: fill(templates.negative) };
}

/** Encodes the descriptors with the frozen text encoder (unit vectors). */
export async function encodeDescriptors(clip: ClipModel, texts: DescriptorTexts): Promise<DescriptorEmbeddings> {
  const all = await clip.encodeTexts([...texts.positive, ...texts.negative]);
  const c = texts.classes.length;
  return { positive: all.slice(0, c), negative: all.slice(c) };
}
