/**
 * Resolve-time check of prompt roles (issue 17): a fusion declares the roles it reads (`needsRoles`)
 * and a prompt builder the roles it gives (`roles`), so a preset pairing a fusion with a builder that
 * lacks one is refused before any model loads, in `pipeline explain` as in `pipeline run`, not per clip.
 */
import * as errors from '../errors/messages.ts';
import type { FusionContribution, ManifestPromptRole, PromptBuilderContribution } from '../manifest/plugin-manifest.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';

/** A selected provider, as much of it as the check reads (resolve-preset imports this module). */
type SelectedProvider = { use: string };

export interface PromptRoles {
  /** Roles the selected prompt builder gives. */
  gives: ManifestPromptRole[];
  /** Roles the selected fusion reads. */
  needs: ManifestPromptRole[];
}

export function promptRolesOf(registry: PluginRegistry, prompts: SelectedProvider | undefined, fusion: SelectedProvider): PromptRoles {
  const gives = prompts ? (registry.provider(prompts.use)?.contribution as PromptBuilderContribution | undefined)?.roles ?? [] : [];
  const needs = (registry.provider(fusion.use)?.contribution as FusionContribution | undefined)?.needsRoles ?? [];
  return { gives, needs };
}

/** Throws PROMPT_ROLES_MISSING when the fusion reads a role the prompt builder does not give. */
export function checkPromptRoles(registry: PluginRegistry, prompts: SelectedProvider | undefined, fusion: SelectedProvider): PromptRoles {
  const roles = promptRolesOf(registry, prompts, fusion);
  const missing = roles.needs.filter((r) => !roles.gives.includes(r));
  if (missing.length) {
    const able = registry.providersOf('promptBuilders')
      .filter((p) => missing.every((r) => ((p.contribution as PromptBuilderContribution).roles ?? []).includes(r)))
      .map((p) => p.fullId);
    throw errors.promptRolesMissing(fusion.use, missing, prompts?.use, roles.gives, able);
  }
  return roles;
}
