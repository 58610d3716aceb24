/**
 * The embeddable entry point: discovers plugins, resolves presets and builds pipelines.
 *
 *   const host = createHost({ pluginDirs: ['./my-plugins'] });
 *   const pipeline = await host.pipeline({ preset: 'embedded', set: ['frames=8'] });
 *   const result = await pipeline.run({ path: 'clip.mp4' });
 */
import os from 'node:os';
import path from 'node:path';
import { Container } from 'inversify';
import { resolvePreset, type PresetRequest, type ResolvedPreset } from '../config/resolve-preset.ts';
import { createLogger } from '../logging/logger.ts';
import { discoverPlugins } from '../plugins/discover.ts';
import { PluginRegistry } from '../plugins/plugin-registry.ts';
import { SharedResources } from '../plugins/shared-resources.ts';
import { DEFAULT_LIMITS, Pipeline } from '../pipeline/pipeline.ts';
import type { StageProfiler } from '../pipeline/stage-profiler.ts';
import type { HostOptions } from './host-options.ts';
import { TOKENS } from './tokens.ts';
import * as errors from '../errors/messages.ts';
import { activatePlugin } from '../plugins/activate-plugin.ts';
import { createPluginContext } from '../plugins/plugin-context.ts';
import type { CommandHandler } from '../plugins/command-api.ts';
import type { HostSettings } from '../plugins/host-settings.ts';
import { createStageHooks } from '../pipeline/stages.ts';
import { ModelCache } from '../models/model-cache.ts';
import { defaultThreadsText, OnnxSessionStore } from '../models/session-store.ts';
import { chooseOrtProvider, type ProviderChoice } from '../models/ort-provider.ts';

export function defaultCacheDir(): string {
  return process.env.VISAGE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'visage');
}

export class Host {
  private readonly container = new Container({ defaultScope: 'Singleton' });
  private modelsCreated = false;

  constructor(options: HostOptions = {}) {
    const c = this.container;
    c.bind(TOKENS.Options).toConstantValue(options);
    c.bind(TOKENS.Logger).toDynamicValue(() => createLogger(options.logLevel ?? 'warn', '', options.logSink));
    c.bind(TOKENS.Settings).toDynamicValue(() => ({
      cacheDir: options.cacheDir ?? defaultCacheDir(),
      modelsDir: options.modelsDir,
      device: options.device ?? 'auto',
      ...(options.modelThreads && { modelThreads: options.modelThreads }),
    }));
    c.bind(TOKENS.Registry).toDynamicValue(() =>
      new PluginRegistry(discoverPlugins({ pluginDirs: options.pluginDirs, projectDirs: options.projectDirs, builtins: options.builtins })),
    );
    c.bind(TOKENS.Shared).toDynamicValue(() => new SharedResources());
    c.bind(TOKENS.Models).toDynamicValue(() => {
      const settings = c.get(TOKENS.Settings);
      this.modelsCreated = true;
      // --device picks onnxruntime's execution provider too; auto never picks a software Vulkan
      // driver (100-500x slower than the CPU EP), see models/ort-provider.ts.
      const logger = c.get(TOKENS.Logger);
      const store: OnnxSessionStore = new OnnxSessionStore({
        device: settings.device,
        ...(settings.modelThreads && { intraOpNumThreads: settings.modelThreads }),
        onProvider: ({ provider, detail }) => logger.debug(`onnxruntime execution provider: ${provider} (${detail}); intra-op threads per session: ${settings.modelThreads ?? defaultThreadsText(provider, store.workers)}`),
        cache: new ModelCache(path.join(settings.cacheDir, 'models'), (m) => logger.warn(m), (m) => logger.debug(m)),
      });
      return store;
    });
  }

  get settings(): HostSettings {
    return this.container.get(TOKENS.Settings);
  }

  get registry(): PluginRegistry {
    return this.container.get(TOKENS.Registry);
  }

  /** Resolves a preset without loading any plugin code or model. */
  resolve(req: PresetRequest = {}): ResolvedPreset {
    return resolvePreset(this.registry, req);
  }

  /** Builds a pipeline with its own hooks; plugins are activated now. */
  async pipeline(req: PresetRequest | ResolvedPreset = {}, opts: { profiler?: StageProfiler; signal?: AbortSignal } = {}): Promise<Pipeline> {
    const preset = 'ingest' in req ? req : this.resolve(req);
    const { stageTimeoutMs, activationTimeoutMs } = this.container.get(TOKENS.Options);
    // --device webgpu without an adapter is refused before any clip runs (ORT_WEBGPU_UNAVAILABLE).
    if (this.settings.device === 'webgpu') await chooseOrtProvider('webgpu');
    return Pipeline.create(preset, {
      limits: { stageMs: stageTimeoutMs ?? DEFAULT_LIMITS.stageMs, activationMs: activationTimeoutMs ?? DEFAULT_LIMITS.activationMs },
      signal: opts.signal,
      registry: this.registry,
      logger: this.container.get(TOKENS.Logger),
      settings: this.container.get(TOKENS.Settings),
      shared: this.container.get(TOKENS.Shared),
      models: () => this.container.get(TOKENS.Models),
      profiler: opts.profiler,
    });
  }

  /**
   * Activates one plugin outside any pipeline (its stage taps go to a throwaway hook set) and returns
   * the handler of one of its contributed commands: VS Code's onCommand activation.
   */
  async commandHandler(pluginId: string, commandId: string): Promise<CommandHandler> {
    const record = this.registry.plugin(pluginId);
    if (!record) throw errors.pluginActivationFailed(pluginId, 'the plugin is not loaded (see `visage plugins list`)');
    const handlers = new Map<string, CommandHandler>();
    const ctx = createPluginContext(record, createStageHooks(), {}, this.container.get(TOKENS.Logger).child(pluginId), this.container.get(TOKENS.Settings), this.container.get(TOKENS.Shared), () => this.container.get(TOKENS.Models), handlers);
    await activatePlugin(record, ctx);
    const handler = handlers.get(commandId);
    if (!handler) throw errors.providerNotTapped(pluginId, 'commands', commandId);
    return handler;
  }

  /** onnxruntime's execution provider, once a model session was created (for the run summary). */
  get modelProvider(): ProviderChoice | undefined {
    return this.modelsCreated ? this.container.get(TOKENS.Models).chosenProvider : undefined;
  }

  /** Releases shared resources (model sessions). */
  async dispose(): Promise<void> {
    await this.container.get(TOKENS.Shared).disposeAll();
    if (this.modelsCreated) await this.container.get(TOKENS.Models).dispose();
  }
}

export function createHost(options: HostOptions = {}): Host {
  return new Host(options);
}
