/**
 * Reading a PromptSet by role (issue 17): a fusion asks for "the positive prompt of each class" and
 * gets it from whichever builder the preset selects, FineCLIPER's descriptors or HESP's learned prompts.
 */
import type { PromptRole, PromptSet } from './stage-types.ts';

export const PROMPT_ROLES: readonly PromptRole[] = ['positive', 'negative', 'unknown'];

/**
 * The embedding of `role` for each class, in the order of `classes`; classes without one are listed
 * in `missing` (a builder declares its roles in its manifest, so resolve time catches a missing role
 * for the whole run, and this catches a builder that declared more than it gave).
 */
export function promptsByClass(set: PromptSet, role: PromptRole, classes: readonly string[]): { embeddings: Float32Array[]; missing: string[] } {
  // A prompt of no one class is kept under `undefined`, which no class name looks up.
  const byClass = new Map<string | undefined, Float32Array>();
  // Stryker disable next-line ArrayDeclaration: a placeholder element has no role, so it is skipped as no prompt would be
  for (const p of set.prompts ?? []) if (p.role === role && !byClass.has(p.class)) byClass.set(p.class, p.embedding);
  return { embeddings: classes.map((c) => byClass.get(c)!).filter(Boolean), missing: classes.filter((c) => !byClass.has(c)) };
}
