/**
 * What a plugin's `activate(ctx)` receives. Tap-only: a plugin can provide the stage providers its
 * manifest declares, and nothing else; it never sees the DI container or a hook's `call`.
 */
import type { StageHooks } from '../pipeline/stages.ts';
import type {
  DecideProvider, FusionProvider, IngestProvider, LevelProvider, PromptProvider,
} from '../pipeline/stage-types.ts';
import type { Logger } from '../logging/logger.ts';
import type { PluginRecord } from './plugin-registry.ts';
import type { SharedResources } from './shared-resources.ts';
import type { OnnxSessionStore } from '../models/session-store.ts';
import type { PresetRequest, ResolvedPreset } from '../config/resolve-preset.ts';
import type { ClipResult, LevelsResult } from '../pipeline/pipeline.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';

/** The host's onnxruntime session store: models converted and cached once, sessions shared by all plugins. */
export type ModelStore = OnnxSessionStore;
import * as errors from '../errors/messages.ts';
import { createComputeStore, type ComputeStore } from './compute-store.ts';

/** Provide the implementation of a contributed provider, by its local id from the manifest. */
export interface ProviderTaps<F> {
  provide(id: string, fn: F): void;
}

/** `provide<O>`: O is the provider's option type, generated from its manifest schema (options.generated.ts). */
export interface StageTaps {
  ingest: { provide<O = Record<string, unknown>>(id: string, fn: IngestProvider<O>): void };
  levels: { provide<O = Record<string, unknown>>(id: string, fn: LevelProvider<O>): void };
  prompts: { provide<O = Record<string, unknown>>(id: string, fn: PromptProvider<O>): void };
  fusion: { provide<O = Record<string, unknown>>(id: string, fn: FusionProvider<O>): void };
  decide: { provide<O = Record<string, unknown>>(id: string, fn: DecideProvider<O>): void };
}

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

export interface Disposable {
  dispose(): void | Promise<void>;
}

/** Host settings a plugin may read. */
export interface HostSettings {
  /** Where converted models and other derived files are cached. */
  cacheDir: string;
  /** User-supplied models folder (`--models`), if any. */
  modelsDir?: string;
  /** Compute device requested with `--device`. */
  device: 'auto' | 'cpu' | 'webgpu';
}

export interface PluginContext {
  /** `publisher.name` */
  readonly id: string;
  readonly version: string;
  /** Absolute path of the plugin folder. */
  readonly folder: string;
  /** Plugin-wide configuration from the preset, validated against `contributes.configuration`. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  readonly stages: StageTaps;
  /** Handlers of the CLI commands the manifest contributes (`contributes.commands`). */
  readonly commands: CommandTaps;
  readonly settings: Readonly<HostSettings>;
  /**
   * Process-wide memo for heavy resources (ONNX sessions, vocabularies), shared by every pipeline
   * of this host, so an A/B run loads a model once. Keyed per plugin.
   */
  shared<T>(key: string, create: () => Promise<T>): Promise<T>;
  /** onnxruntime sessions (face models, user ONNX files), one store per host, created on first use. */
  readonly models: ModelStore;
  /** The compute engine's backend for `--device` (training, HESP and FineCLIPER heads), one per host and device. */
  readonly compute: ComputeStore;
  /** Disposed when the pipeline is disposed. */
  readonly subscriptions: Disposable[];
}

const POINT_OF = { ingest: 'ingesters', levels: 'levels', prompts: 'promptBuilders', fusion: 'fusions', decide: 'deciders' } as const;

export function createPluginContext(
  plugin: PluginRecord,
  hooks: StageHooks,
  config: Record<string, unknown>,
  logger: Logger,
  settings: HostSettings,
  shared: SharedResources,
  models: () => ModelStore,
  commands: Map<string, CommandHandler> = new Map(),
): PluginContext {
  const taps = <F extends (...args: any[]) => Promise<any>>(stage: keyof typeof POINT_OF): ProviderTaps<F> => ({
    provide(id, fn) {
      const declared = (plugin.manifest!.contributes?.[POINT_OF[stage]] ?? []).some((c) => c.id === id);
      if (!declared) throw errors.pluginTapForeign(plugin.id, stage, id);
      (hooks[stage].for(`${plugin.id}/${id}`) as any).tapPromise({ name: plugin.id }, fn);
    },
  });
  return Object.freeze({
    id: plugin.id,
    version: plugin.manifest!.version,
    folder: plugin.folder,
    config: Object.freeze(config),
    logger,
    stages: Object.freeze({
      // <any>: the host validated the options against the manifest schema the plugin's O is generated from.
      ingest: taps<IngestProvider<any>>('ingest'),
      levels: taps<LevelProvider<any>>('levels'),
      prompts: taps<PromptProvider<any>>('prompts'),
      fusion: taps<FusionProvider<any>>('fusion'),
      decide: taps<DecideProvider<any>>('decide'),
    }),
    commands: Object.freeze({
      provide(id: string, handler: CommandHandler) {
        if (!(plugin.manifest!.contributes?.commands ?? []).some((c) => c.id === id)) throw errors.pluginTapForeign(plugin.id, 'commands', id);
        commands.set(id, handler);
      },
    }),
    settings: Object.freeze({ ...settings }),
    shared: <T>(key: string, create: () => Promise<T>) => shared.get(`${plugin.id}:${key}`, create),
    get models() {
      return models();
    },
    compute: createComputeStore(settings.device, shared),
    subscriptions: [],
  });
}
