import type { PromptProvider } from '../../api.ts';
import type { ClassNamesOptions } from './options.generated.ts';

/** Prompts stage that only fixes the class list (levels that score classes directly need nothing more). */
export const classNamePrompts: PromptProvider<ClassNamesOptions> = async (prompts, call) => {
  const classes = call.options.classes ?? prompts.classes;
  return { ...prompts, classes: [...classes] };
};
