/** Types of a validated plugin manifest (the subset of package.json Visage reads). */
import type { JSONSchema } from './json-schema.ts';

export interface ProviderContribution {
  id: string;
  title?: string;
  description?: string;
  /** JSON Schema of the options this provider accepts in a preset. */
  options?: JSONSchema;
}

/** Prompt roles (core/pipeline/stage-types.ts PromptRole) as manifests name them. */
export type ManifestPromptRole = 'positive' | 'negative' | 'unknown';

export interface PromptBuilderContribution extends ProviderContribution {
  /** The prompt roles the builder gives. */
  roles?: ManifestPromptRole[];
}

export interface FusionContribution extends ProviderContribution {
  /** The prompt roles the fusion reads; the preset's prompt builder must give each. */
  needsRoles?: ManifestPromptRole[];
}

export interface LevelContribution extends ProviderContribution {
  /** Level slots read by this level; the host runs them first. */
  needs?: string[];
  /** Whether the level returns class scores for the fusion (default false). */
  scores?: boolean;
  /** Whether the level returns embeddings a fusion scores against the prompts (default false). */
  embeddings?: boolean;
}

export interface PresetContribution {
  id: string;
  path: string;
  description?: string;
}

export interface CommandContribution {
  /** Command words after `visage`, e.g. "clip encode". */
  id: string;
  title: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean; variadic?: boolean }[];
  options?: { flags: string; description?: string; default?: unknown }[];
}

export interface PluginManifest {
  name: string;
  publisher: string;
  version: string;
  displayName?: string;
  description?: string;
  engines: { visage: string };
  main: string;
  activationEvents?: string[];
  contributes?: {
    ingesters?: ProviderContribution[];
    levels?: LevelContribution[];
    promptBuilders?: PromptBuilderContribution[];
    fusions?: FusionContribution[];
    deciders?: ProviderContribution[];
    presets?: PresetContribution[];
    configuration?: JSONSchema;
    commands?: CommandContribution[];
  };
  pluginDependencies?: string[];
}
