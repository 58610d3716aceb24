import type { PromptProvider } from '../../api.ts';

/** Prompts stage that only fixes the class list (levels that score classes directly need nothing more). */
export const classNamePrompts: PromptProvider = async (prompts, call) => {
  const classes = (call.options.classes as string[] | undefined) ?? prompts.classes;
  return { ...prompts, classes: [...classes] };
};
