/**
 * The public API of Visage for plugin authors (`@visage/core`). A plugin imports the host only
 * through this module and the shared libraries of core/package.json's `exports` (`@visage/core/compute`,
 * `/models`, `/media`, `/data`, `/metrics`, `/features`, `/report`); everything else under core/ is
 * internal and may change without notice (test/host/plugin-boundaries.test.ts enforces it).
 *
 * A plugin is a package whose package.json is its manifest (see manifest.schema.json) and whose `main`
 * exports `activate(ctx)`. In activate, provide an implementation for each provider the manifest
 * contributes:
 *
 *   export function activate(ctx: PluginContext) {
 *     ctx.stages.levels.provide('brightness', async ({ clip }, call) => ({ scores: { happy: 0.7, sad: 0.3 } }));
 *   }
 *
 * Stages run in this order (core/pipeline/stages.ts, the STAGES table): prompts (once per run, before
 * the first clip) -> ingest -> levels -> fusion -> decide. `ctx.afterClip.tap(fn)` observes each
 * finished clip. A clip's frames are valid until its row is written, no longer (see `Frame`): copy
 * the pixels you keep.
 */
export type { Frame, Clip, FaceFrame, ClassScores } from './types.ts';
export type {
  SourceRef, LevelInput, LevelOutput, Render, PromptSet, PromptRole, RolePrompt, FusionInput, FusionOutput, DecideInput, Decision, StageCall,
  IngestProvider, LevelProvider, PromptProvider, FusionProvider, DecideProvider, ClipResult, LevelsResult,
} from './pipeline/stage-types.ts';
export type { PluginContext, StageTaps, ProviderTaps, ClipObservers, Disposable, ModelStore } from './plugins/plugin-context.ts';
export type { HostSettings } from './plugins/host-settings.ts';
export type { CommandInput, CommandHandler, CommandTaps, CommandHost, PipelineHandle } from './plugins/command-api.ts';
export type { ComputeStore, ComputeRunOptions } from './plugins/compute-store.ts';
export type { PresetRequest, ResolvedPreset, ResolvedLevel, ResolvedProvider } from './config/resolve-preset.ts';
/** A one-line progress bar on stderr, drawn only on a TTY: for long-running contributed commands. */
export { Progress } from './cli/progress.ts';
export type { Logger } from './logging/logger.ts';
export { STAGES, STAGE_NAMES, type StageName } from './pipeline/stages.ts';
export { PROMPT_ROLES, promptsByClass } from './pipeline/prompt-roles.ts';
export { VisageError, isVisageError } from './errors/visage-error.ts';
/** Registers a secret (an API key a plugin reads) so errors, rows and logs print it redacted. */
export { registerSecret } from './errors/redact-secrets.ts';
export * as errors from './errors/messages.ts';
export { HOST_VERSION } from './version.ts';
/** Level embeddings computed by `visage worker`s through a Redis queue (for `extract --queue`). */
export { levelsOnQueue, type LevelsOnQueueOptions } from './queue/levels-on-queue.ts';

import type { PluginContext } from './plugins/plugin-context.ts';

/** Identity helper that types a plugin module: `export default definePlugin({ activate(ctx) {...} })`. */
export function definePlugin<T extends { activate(ctx: PluginContext): void | Promise<void>; deactivate?(): void | Promise<void> }>(plugin: T): T {
  return plugin;
}
