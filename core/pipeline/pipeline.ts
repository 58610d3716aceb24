/**
 * One runnable pipeline for one resolved preset: its own stage hooks, the plugins that preset uses
 * (activated now, lazily), and the code that pushes a clip through the five stages.
 */
import * as errors from '../errors/messages.ts';
import { VisageError, wrapPluginError } from '../errors/visage-error.ts';
import type { ResolvedPreset, ResolvedProvider } from '../config/resolve-preset.ts';
import { usedPlugins } from '../config/resolve-preset.ts';
import type { Logger } from '../logging/logger.ts';
import { activatePlugin, type PluginModule } from '../plugins/activate-plugin.ts';
import { createPluginContext, type HostSettings, type ModelStore, type PluginContext } from '../plugins/plugin-context.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { SharedResources } from '../plugins/shared-resources.ts';
import type { Clip } from '../types.ts';
import { createStageHooks, type StageHooks, type StageName } from './stages.ts';
import type { Decision, FusionOutput, LevelOutput, PromptSet, SourceRef, StageCall } from './stage-types.ts';
import { StageProfiler } from './stage-profiler.ts';
import { guard } from './stage-guard.ts';
import { validateDecision, validateFusionOutput, validateLevelOutput, type OutputContext } from './validate-output.ts';
import { cacheKey, modelFingerprint, type LevelCache } from './level-cache.ts';

/** Time limits on plugin code, ms (0: none). A provider that never settles costs one clip, not the batch. */
export interface PipelineLimits {
  stageMs: number;
  activationMs: number;
}

export const DEFAULT_LIMITS: PipelineLimits = { stageMs: 300_000, activationMs: 300_000 };

export interface LevelsResult {
  clip: Clip;
  levels: Record<string, LevelOutput>;
  /** Wall time per stage (and per level slot, as `levels.<slot>`), ms. */
  timings: Record<string, number>;
}

export interface ClipResult extends LevelsResult {
  fusion: FusionOutput;
  decision: Decision;
}

export interface RunOptions {
  signal?: AbortSignal;
  wantRenders?: boolean;
  /** Reuse ingest and level results across pipelines and runs (compare, ablate); see level-cache.ts. */
  cache?: LevelCache;
}

export interface PipelineDeps {
  registry: PluginRegistry;
  logger: Logger;
  settings: HostSettings;
  shared: SharedResources;
  models: () => ModelStore;
  profiler?: StageProfiler;
  limits?: PipelineLimits;
  /** Aborts activation (Ctrl-C while a plugin loads). */
  signal?: AbortSignal;
}

export class Pipeline {
  readonly hooks: StageHooks = createStageHooks();
  private readonly modules: PluginModule[] = [];
  private readonly contexts: PluginContext[] = [];
  private prompts?: Promise<PromptSet>;
  private readonly limits: PipelineLimits;

  private constructor(readonly preset: ResolvedPreset, private readonly deps: PipelineDeps) {
    this.limits = deps.limits ?? DEFAULT_LIMITS;
  }

  /** Builds fresh hooks and activates exactly the plugins the preset uses, dependencies first. */
  static async create(preset: ResolvedPreset, deps: PipelineDeps): Promise<Pipeline> {
    const p = new Pipeline(preset, deps);
    for (const id of activationOrder(deps.registry, usedPlugins(deps.registry, preset))) {
      const record = deps.registry.plugin(id)!;
      const ctx = createPluginContext(record, p.hooks, preset.pluginConfig[id] ?? {}, deps.logger.child(id), deps.settings, deps.shared, deps.models);
      p.contexts.push(ctx);
      p.modules.push(await guard(activatePlugin(record, ctx), {
        ms: p.limits.activationMs,
        signal: deps.signal,
        onTimeout: () => errors.activationTimeout(id, p.limits.activationMs),
        onAbort: (reason) => errors.clipAborted(reasonText(reason)),
      }));
    }
    p.checkTapped();
    if (deps.profiler) p.attachProfiler(deps.profiler);
    return p;
  }

  /** Runs one source through ingest, levels, prompts, fusion and decide. Throws a VisageError on failure. */
  async run(source: SourceRef, opts: RunOptions = {}): Promise<ClipResult> {
    return (await this.guarded(source, opts, false)) as ClipResult;
  }

  /** Runs ingest and the levels only (feature extraction), under the same limits and checks as run(). */
  async levels(source: SourceRef, opts: RunOptions = {}): Promise<LevelsResult> {
    return this.guarded(source, opts, true);
  }

  private async guarded(source: SourceRef, opts: RunOptions, levelsOnly: boolean): Promise<LevelsResult | ClipResult> {
    // One controller per clip: a stage that times out aborts it, so the plugin can stop its own work.
    const clipAbort = new AbortController();
    const outer = opts.signal;
    const forward = () => clipAbort.abort(outer!.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    try {
      return await this.runClip(source, clipAbort, opts, levelsOnly);
    } finally {
      outer?.removeEventListener('abort', forward);
    }
  }

  private async runClip(source: SourceRef, clipAbort: AbortController, opts: RunOptions, levelsOnly: boolean): Promise<LevelsResult | ClipResult> {
    const signal = clipAbort.signal;
    const timings: Record<string, number> = {};
    const timed = timer(timings);
    const call = (p: ResolvedProvider, clipId?: string, slot?: string): StageCall => ({
      options: p.options, slot, clipId, signal, wantRenders: !!opts.wantRenders, frames: this.preset.frames, logger: this.deps.logger.child(p.plugin),
    });

    const { ingest } = this.preset;
    const { cache } = opts;
    const decode = () => this.callStage('ingest', ingest, (h) => h.ingest.get(ingest.use)!.promise(source, call(ingest)), clipAbort, source.id ?? source.path);
    const clipKey = cache && cacheKey({ source: await cache.sourceHash(source.path), id: source.id, use: ingest.use, version: ingest.pluginVersion, options: ingest.options, frames: this.preset.frames });
    const clip = await timed('ingest', () => (cache ? cache.ingest(clipKey!, decode) : decode()));
    if (!clip) throw errors.noIngesterAccepted(source.path, [ingest.use]);
    if (source.label && !clip.label) clip.label = source.label;

    const prompts = await timed('prompts', () => this.promptSet());
    const cached = cache && { cache, clipKey: clipKey!, wantRenders: !!opts.wantRenders };
    const levels = await timed('levels', () => this.runLevels(clip, prompts, call, timings, clipAbort, cached));
    if (levelsOnly) return { clip, levels, timings };
    const { fusion, decision } = await this.fuseAndDecide(clip, levels, {}, clipAbort, timings, !!opts.wantRenders);
    return { clip, levels, fusion, decision, timings };
  }

  /**
   * Fusion and decide over given level outputs: what `run` ends with, and what ablation reruns for
   * each subset of levels (pass only the subset's outputs; `weightOverrides` replace preset weights).
   * Under the same time limit, abort signal and output checks as every stage call.
   */
  async fuseAndDecide(clip: Clip, levels: Record<string, LevelOutput>, weightOverrides: Record<string, number> = {}, clipAbort = new AbortController(), timings: Record<string, number> = {}, wantRenders = false): Promise<{ fusion: FusionOutput; decision: Decision }> {
    const { fusion, decide } = this.preset;
    const call = (p: ResolvedProvider): StageCall => ({ options: p.options, clipId: clip.id, signal: clipAbort.signal, wantRenders, frames: this.preset.frames, logger: this.deps.logger.child(p.plugin) });
    const timed = timer(timings);
    const prompts = await this.promptSet();
    const weights = { ...Object.fromEntries(this.preset.levels.map((l) => [l.slot, l.weight])), ...weightOverrides };
    const check = (stage: OutputContext['stage'], p: ResolvedProvider): OutputContext => ({ plugin: p.plugin, stage, provider: p.use, classes: prompts.classes });
    const fused = await timed('fusion', async () => validateFusionOutput(
      await this.callStage('fusion', fusion, (h) => h.fusion.get(fusion.use)!.promise({ clip, levels, weights, prompts }, call(fusion)), clipAbort, clip.id),
      check('fusion', fusion),
    ));
    const decision = await timed('decide', async () => validateDecision(
      await this.callStage('decide', decide, (h) => h.decide.get(decide.use)!.promise({ clip, fusion: fused, prompts }, call(decide)), clipAbort, clip.id),
      check('decide', decide),
    ));
    return { fusion: fused, decision };
  }

  /**
   * Runs the once-per-run prompts stage now, so a configuration problem there (a missing model
   * folder, say) stops a batch before its first clip instead of failing every row.
   */
  async prepare(): Promise<void> {
    await this.promptSet();
  }

  /** Disposes what plugins registered; a disposer that hangs or throws is logged and skipped, never awaited for ever. */
  async dispose(): Promise<void> {
    const settle = async (what: string, plugin: string, f: () => unknown) => {
      try {
        await guard(Promise.resolve().then(f), { ms: 10_000, onTimeout: () => new Error('did not finish within 10 s'), onAbort: () => new Error('aborted') });
      } catch (e) {
        this.deps.logger.warn(`${plugin}: ${what} failed: ${(e as Error).message}`);
      }
    };
    for (const ctx of this.contexts) for (const s of ctx.subscriptions) await settle('dispose', ctx.id, () => s.dispose());
    for (const [i, m] of this.modules.entries()) await settle('deactivate()', this.contexts[i].id, () => m.deactivate?.());
  }

  /** The prompts stage depends only on the class names, so it runs once per pipeline. */
  private promptSet(): Promise<PromptSet> {
    this.prompts ??= (async () => {
      const initial: PromptSet = { classes: [...(this.preset.classes ?? [])] };
      const p = this.preset.prompts;
      if (!p) return initial;
      const call: StageCall = { options: p.options, signal: new AbortController().signal, wantRenders: false, frames: this.preset.frames, logger: this.deps.logger.child(p.plugin) };
      // Linked to the pipeline's signal, so Ctrl-C also stops a prompt builder that is still loading.
      const abort = new AbortController();
      if (this.deps.signal?.aborted) abort.abort(this.deps.signal.reason);
      this.deps.signal?.addEventListener('abort', () => abort.abort(this.deps.signal!.reason), { once: true });
      return this.callStage('prompts', p, (h) => h.prompts.get(p.use)!.promise(initial, { ...call, signal: abort.signal }), abort);
    })();
    this.prompts.catch(() => (this.prompts = undefined));
    return this.prompts;
  }

  /** Levels form a DAG by `needs`: each starts as soon as its needs are done, so independent levels overlap. */
  private async runLevels(clip: Clip, prompts: PromptSet, call: (p: ResolvedProvider, clipId?: string, slot?: string) => StageCall, timings: Record<string, number>, clipAbort: AbortController, cached?: { cache: LevelCache; clipKey: string; wantRenders: boolean }) {
    const running = new Map<string, Promise<LevelOutput>>();
    const keys = new Map<string, Promise<string>>();
    for (const level of this.preset.levels) {
      const needs = level.needs.map((n) => running.get(n)!);
      if (cached) {
        // A level's key chains the keys of what it needs, so a changed upstream level misses downstream too.
        keys.set(level.slot, Promise.all(level.needs.map((n) => keys.get(n)!)).then(async (needKeys) => cacheKey({
          clip: cached.clipKey, use: level.use, version: level.pluginVersion, options: level.options,
          models: await modelFingerprint(level.options, this.deps.settings.modelsDir), classes: prompts.classes, renders: cached.wantRenders, needs: needKeys,
        })));
      }
      running.set(level.slot, Promise.all(needs).then(async (outs) => {
        const deps = Object.fromEntries(level.needs.map((n, i) => [n, outs[i]]));
        const t = performance.now();
        // Checked before it is cached, so a cached output is a valid one.
        const compute = async () => validateLevelOutput(
          await this.callStage('levels', level, (h) => h.levels.get(level.use)!.promise({ clip, deps, classes: prompts.classes }, call(level, clip.id, level.slot)), clipAbort, clip.id),
          { plugin: level.plugin, stage: 'levels', provider: level.use, classes: prompts.classes },
        );
        const out = cached ? await cached.cache.level(cached.clipKey, await keys.get(level.slot)!, compute) : await compute();
        timings[`levels.${level.slot}`] = +(performance.now() - t).toFixed(2);
        return out;
      }));
    }
    // Settle all before reporting, so a failing level never leaves another running unobserved.
    const settled = await Promise.allSettled(running.values());
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return Object.fromEntries([...running.keys()].map((slot, i) => [slot, (settled[i] as PromiseFulfilledResult<LevelOutput>).value]));
  }

  /**
   * Calls one provider: under the stage time limit and the clip's abort signal, with whatever it
   * throws stamped with its plugin and stage (Rollup's PluginDriver does the same per hook).
   */
  private async callStage<T>(stage: StageName, p: ResolvedProvider, invoke: (hooks: StageHooks) => Promise<T | undefined>, clipAbort: AbortController, clipId?: string): Promise<T> {
    let result: T | undefined;
    const t0 = performance.now();
    const log = this.deps.logger;
    try {
      // A provider that throws synchronously (not async) still fails only its clip.
      const work = (async () => invoke(this.hooks))();
      result = await guard(work, {
        ms: this.limits.stageMs,
        signal: clipAbort.signal,
        onTimeout: () => {
          const e = errors.stageTimeout(p.plugin, stage, p.use, this.limits.stageMs);
          clipAbort.abort(e);
          return e;
        },
        onAbort: (reason) => (reason instanceof VisageError && reason.code === 'STAGE_TIMEOUT' ? reason : errors.clipAborted(reasonText(reason))),
      });
    } catch (e) {
      const err = wrapPluginError(e, p.plugin, stage);
      log.debug(`${stage} ${p.use}${clipId ? ` [${clipId}]` : ''} failed after ${(performance.now() - t0).toFixed(1)} ms: ${err.code}: ${err.message}${e instanceof Error && e.stack ? `\n${e.stack}` : ''}`);
      throw err;
    }
    log.debug(`${stage} ${p.use}${clipId ? ` [${clipId}]` : ''}: ${(performance.now() - t0).toFixed(1)} ms`);
    if (result === undefined && stage !== 'ingest') throw errors.stageReturnedNothing(p.plugin, stage, p.use);
    return result as T;
  }

  private selected(): [StageName, ResolvedProvider][] {
    const { ingest, levels, prompts, fusion, decide } = this.preset;
    return [['ingest', ingest], ...levels.map((l) => ['levels', l] as [StageName, ResolvedProvider]), ...(prompts ? [['prompts', prompts] as [StageName, ResolvedProvider]] : []), ['fusion', fusion], ['decide', decide]];
  }

  private checkTapped(): void {
    for (const [stage, p] of this.selected()) {
      if (!this.hooks[stage].get(p.use)?.isUsed()) throw errors.providerNotTapped(p.plugin, stage, p.use);
    }
  }

  private attachProfiler(profiler: StageProfiler): void {
    for (const [stage, p] of this.selected()) profiler.attach(stage, p.use, this.hooks[stage].get(p.use)!);
  }
}

/** Dependencies before dependents, so a plugin's activate() can rely on what its dependencies set up. */
function activationOrder(registry: PluginRegistry, ids: string[]): string[] {
  const out: string[] = [];
  const visit = (id: string) => {
    if (out.includes(id)) return;
    for (const dep of registry.plugin(id)?.manifest?.pluginDependencies ?? []) visit(dep);
    out.push(id);
  };
  ids.forEach(visit);
  return out;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/** Runs `f` and records its wall time in ms under `name`, even when it throws. */
function timer(timings: Record<string, number>) {
  return async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timings[name] = +(performance.now() - t).toFixed(2);
    }
  };
}
