/**
 * What a plugin's `activate(ctx)` receives. Tap-only: a plugin can provide the stage providers its
 * manifest declares and observe finished clips, and nothing else; it never sees the DI container,
 * and never calls a stage (only `Pipeline.invoke` does).
 */
import { stageOf, type StageHooks, type StageName, type StageProviders } from '../pipeline/stages.ts';
import type { ClipResult } from '../pipeline/stage-types.ts';
import type { Logger } from '../logging/logger.ts';
import type { PluginRecord } from './plugin-registry.ts';
import type { SharedResources } from './shared-resources.ts';
import type { OnnxSessionStore } from '../models/session-store.ts';
import type { CommandHandler, CommandTaps } from './command-api.ts';
import type { HostSettings } from './host-settings.ts';
import * as errors from '../errors/messages.ts';
import { createComputeStore, type ComputeStore } from './compute-store.ts';

/** The host's onnxruntime session store: models converted and cached once, sessions shared by all plugins. */
export type ModelStore = OnnxSessionStore;

/** Provide the implementation of a contributed provider, by its local id from the manifest. */
export interface ProviderTaps<F> {
  provide(id: string, fn: F): void;
}

/** `provide<O>`: O is the provider's option type, generated from its manifest schema (options.generated.ts). */
export type StageTaps = { readonly [S in StageName]: { provide<O = Record<string, unknown>>(id: string, fn: StageProviders<O>[S]): void } };

/** Observers of finished clips (loggers, reports): tap as many as you like; they see results, never change them. */
export interface ClipObservers {
  tap(fn: (result: ClipResult) => void): void;
}

export interface Disposable {
  dispose(): void | Promise<void>;
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
  /** Called after each clip a pipeline finishes, with its result; a tap that throws is logged, the clip stands. */
  readonly afterClip: ClipObservers;
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
  const declares = (point: string, id: string) => ((plugin.manifest!.contributes as Record<string, { id: string }[] | undefined> | undefined)?.[point] ?? []).some((c) => c.id === id);
  // <any>: the host validated the options against the manifest schema the plugin's O is generated from.
  const taps = <S extends StageName>(stage: S): ProviderTaps<StageProviders<any>[S]> => ({
    provide(id, fn) {
      if (!declares(stageOf(stage).point, id)) throw errors.pluginTapForeign(plugin.id, stage, id);
      const key = `${plugin.id}/${id}`;
      if (hooks.providers[stage].has(key)) throw errors.providerProvidedTwice(plugin.id, stage, id);
      hooks.providers[stage].set(key, { plugin: plugin.id, fn });
    },
  });
  const stages = Object.fromEntries(Object.keys(hooks.providers).map((stage) => [stage, taps(stage as StageName)])) as unknown as StageTaps;
  return Object.freeze({
    id: plugin.id,
    version: plugin.manifest!.version,
    folder: plugin.folder,
    config: Object.freeze(config),
    logger,
    stages: Object.freeze(stages),
    afterClip: Object.freeze({
      tap(fn: (result: ClipResult) => void) {
        // An observer only watches: its failure is its own, never the clip's.
        hooks.afterClip.tap(plugin.id, (result) => {
          try {
            fn(result);
          } catch (e) {
            logger.warn(`afterClip failed on ${result.clip.id}: ${(e as Error)?.message ?? String(e)}`);
          }
        });
      },
    }),
    commands: Object.freeze({
      provide(id: string, handler: CommandHandler) {
        if (!declares('commands', id)) throw errors.pluginTapForeign(plugin.id, 'commands', id);
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
