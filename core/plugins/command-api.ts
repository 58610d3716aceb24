/**
 * What a plugin's contributed CLI command (`contributes.commands`) works with: the host it runs in,
 * the pipelines it may build, and its handler's input. Part of the plugin API (re-exported by api.ts).
 */
import type { PresetRequest, ResolvedPreset } from '../config/resolve-preset.ts';
import type { ClipResult, LevelsResult, SourceRef } from '../pipeline/stage-types.ts';
import type { HostSettings } from './host-settings.ts';

/** A pipeline built for a command (same as `visage pipeline run` uses). */
export interface PipelineHandle {
  readonly preset: ResolvedPreset;
  run(source: SourceRef, opts?: { signal?: AbortSignal; wantRenders?: boolean }): Promise<ClipResult>;
  /** Ingest and levels only (feature extraction): no fusion or decision, so no classes are needed. */
  levels(source: SourceRef, opts?: { signal?: AbortSignal; wantRenders?: boolean }): Promise<LevelsResult>;
  dispose(): Promise<void>;
}

/** The host a command runs in: resolves presets and builds pipelines with the command's host flags. */
export interface CommandHost {
  resolve(req: PresetRequest): ResolvedPreset;
  pipeline(req: PresetRequest | ResolvedPreset): Promise<PipelineHandle>;
}

/** What a contributed CLI command's handler receives. */
export interface CommandInput {
  /** The host built from the command's --plugin-dir/--models/--device/--cache-dir flags; disposed after the command. */
  host: CommandHost;
  /** Host settings of this command (cache dir, models dir, device). */
  settings: Readonly<HostSettings>;
  /** Positional arguments by the names declared in the manifest (variadic ones are arrays). */
  args: Record<string, unknown>;
  /** Options by camel-cased flag name (commander's convention: --image-size -> imageSize). */
  options: Record<string, unknown>;
  /** Write to stdout / stderr (tests capture these). */
  out(text: string): void;
  err(text: string): void;
  /** Runs another `visage` command line in this process with the same out/err; resolves to its exit code (the demos chain commands this way). */
  visage(args: string[]): Promise<number>;
}

/** A contributed command; resolves to the exit code (0 when void). */
export type CommandHandler = (input: CommandInput) => Promise<number | void>;

export interface CommandTaps {
  provide(id: string, handler: CommandHandler): void;
}
