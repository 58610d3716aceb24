/**
 * The variants of `visage compare`, from flags read in command-line order:
 *   --preset A --preset B            two variants, A and B (names or preset files)
 *   --preset A --variant v --set k=x  A, and "v" = A with k=x
 * `--set` and `--config` belong to the variant named just before them; before any, they apply to
 * every variant. A `--variant` starts from the first --preset (default: embedded) with its own
 * --config and --set, then adds its own.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { PresetRequest } from '../config/resolve-preset.ts';
import * as errors from '../errors/messages.ts';

export interface Variant {
  name: string;
  request: PresetRequest;
}

interface Spec {
  name: string;
  preset?: string;
  derived: boolean;
  config?: string;
  set: string[];
}

/** Adds --preset, --variant, --config and --set; `variants()` reads them back in order after parsing. */
export function addVariantFlags(cmd: Command): { variants: () => Variant[] } {
  const common: Spec = { name: '', derived: false, set: [] };
  const specs: Spec[] = [];
  const current = () => specs[specs.length - 1] ?? common;
  cmd
    .option('--preset <name|file>', 'a variant: a preset name or a pipeline.json file (repeatable)', (v: string) => void specs.push({ name: presetName(v), preset: v, derived: false, set: [] }))
    .option('--variant <name>', 'a variant of the first --preset, changed by the --set and --config after it (repeatable)', (v: string) => void specs.push({ name: v, derived: true, set: [] }))
    .option('--config <file>', 'a pipeline.json layered on the variant before it (on all when first)', (v: string) => void (current().config = v))
    .option('--set <path=value>', 'override one value of the variant before it (of all when first; repeatable)', (v: string) => void current().set.push(v));
  return {
    variants: () => {
      const base = specs.find((s) => !s.derived) ?? { name: 'embedded', preset: undefined, derived: false, set: [] };
      const all = specs.some((s) => !s.derived) ? specs : [base, ...specs];
      const seen = new Set<string>();
      return all.map((s) => {
        if (seen.has(s.name)) throw errors.variantNameTaken(s.name);
        seen.add(s.name);
        const from = s.derived ? base : s;
        const config = s.config ?? (s.derived ? base.config : undefined) ?? common.config;
        const set = [...common.set, ...(s.derived ? base.set : []), ...s.set];
        return { name: s.name, request: { preset: from.preset, configFile: config, set } };
      });
    },
  };
}

/** `embedded` stays `embedded`; `presets/fast.pipeline.json` becomes `fast`. */
function presetName(ref: string): string {
  return /^[./]|\.json$/.test(ref) ? path.basename(ref).replace(/(\.pipeline)?\.json$/, '') : ref;
}
