/**
 * One runnable pipeline for one resolved preset: its own stage hooks, the plugins that preset uses
 * (activated now, lazily), and the code that pushes a clip through the five stages. Every call into a
 * provider goes through `invoke`.
 */
import * as errors from '../errors/messages.ts';
import { VisageError, wrapPluginError } from '../errors/visage-error.ts';
import type { ResolvedPreset, ResolvedProvider } from '../config/resolve-preset.ts';
import { selectedProviders, usedPlugins } from '../config/resolve-preset.ts';
import type { Logger } from '../logging/logger.ts';
import { activatePlugin, type PluginModule } from '../plugins/activate-plugin.ts';
import { createPluginContext, type ModelStore, type PluginContext } from '../plugins/plugin-context.ts';
import type { HostSettings } from '../plugins/host-settings.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { SharedResources } from '../plugins/shared-resources.ts';
import type { Clip } from '../types.ts';
import { createStageHooks, stageOf, type StageHooks, type StageInfo, type StageInput, type StageName, type StageOutput } from './stages.ts';
import type { ClipResult, Decision, FusionOutput, LevelOutput, LevelsResult, PromptSet, SourceRef, StageCall } from './stage-types.ts';
import { StageProfiler, type ClipTimings } from './stage-profiler.ts';
import { guard } from './stage-guard.ts';
import { cacheKey, modelFingerprint, type LevelCache } from './level-cache.ts';
import { normalizeSource } from './normalize-source.ts';
import { IngestAhead } from './ingest-ahead.ts';
import { frameMemory } from '../media/frame-memory.ts';

export type { ClipResult, LevelsResult } from './stage-types.ts';

/** Time limits on plugin code, ms (0: none). A provider that never settles costs one clip, not the batch. */
export interface PipelineLimits {
  stageMs: number;
  activationMs: number;
}

export const DEFAULT_LIMITS: PipelineLimits = { stageMs: 300_000, activationMs: 300_000 };

export interface RunOptions {
  signal?: AbortSignal;
  wantRenders?: boolean;
  /** Reuse ingest and level results across pipelines and runs (compare, ablate); see level-cache.ts. */
  cache?: LevelCache;
  /**
   * A clip the host already decoded (a window of a long video, streamed once): ingest is skipped and
   * the clip goes through the levels, fusion and decide as an ingested one would. No cache applies.
   */
  clip?: Clip;
}

export interface PipelineDeps {
  registry: PluginRegistry;
  logger: Logger;
  settings: HostSettings;
  shared: SharedResources;
  models: () => ModelStore;
  /** Spans of every provider call, for --profile and --trace; without one, only the rows' timings are kept. */
  profiler?: StageProfiler;
  limits?: PipelineLimits;
  /** Aborts activation (Ctrl-C while a plugin loads). */
  signal?: AbortSignal;
}

/** Who is calling a provider, and where its timing goes. */
export interface InvokeScope {
  /** Aborted on timeout or Ctrl-C; the provider sees its signal. */
  abort: AbortController;
  /** The clip's id (none for prompts, and for ingest, whose provider names the clip). */
  clipId?: string;
  /** A level's slot. */
  slot?: string;
  wantRenders: boolean;
  /** The run's classes, against which outputs are checked. */
  classes: readonly string[];
  /** The clip's timings: the call's time is recorded under its stage (or `levels.<slot>`). */
  timings?: ClipTimings;
}

export class Pipeline {
  readonly hooks: StageHooks = createStageHooks();
  readonly profiler: StageProfiler;
  private readonly modules: PluginModule[] = [];
  private readonly contexts: PluginContext[] = [];
  private prompts?: Promise<PromptSet>;
  private readonly limits: PipelineLimits;
  // Two: a batch asks for the next clip's ingest as a clip starts, before that clip has taken its
  // own from here (runClip). With one, every other clip of `--jobs 2` found the slot taken and was
  // decoded only when its turn came (25 of 50 in bench:frontend). So one clip is held ahead of the
  // clips started, and a second only until the clip just started takes its own.
  private readonly ahead = new IngestAhead(2);
  /** Clips this pipeline ingested itself (from no cache, not given in RunOptions.clip): release() takes only these. */
  private readonly ownClips = new WeakSet<Clip>();

  private constructor(readonly preset: ResolvedPreset, private readonly deps: PipelineDeps) {
    this.limits = deps.limits ?? DEFAULT_LIMITS;
    this.profiler = deps.profiler ?? new StageProfiler({ keepSpans: false });
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
    for (const { stage, provider } of selectedProviders(preset)) {
      if (!p.hooks.providers[stage].has(provider.use)) throw errors.providerNotTapped(provider.plugin, stage, provider.use);
    }
    return p;
  }

  /** Runs one source through prompts, ingest, levels, fusion and decide. Throws a VisageError on failure. */
  async run(source: SourceRef, opts: RunOptions = {}): Promise<ClipResult> {
    const result = (await this.guarded(source, opts, false)) as ClipResult;
    this.hooks.afterClip.call(result);
    return result;
  }

  /**
   * Hands the memory of a finished clip's decoded frames back for the next clips to decode into
   * (core/media/frame-memory.ts), instead of leaving it to the garbage collector. The result's
   * frames must not be read afterwards, by the caller or by a plugin: `visage pipeline run` calls
   * it once the clip's row and renders are written. A clip this pipeline did not ingest itself
   * (from a cache, or given in RunOptions.clip) is left alone. Returns the bytes handed back.
   */
  release(result: LevelsResult): number {
    if (!this.ownClips.delete(result.clip)) return 0;
    return frameMemory.giveBack(result.clip.frames);
  }

  /** Runs ingest and the levels only (feature extraction), under the same limits and checks as run(). */
  async levels(source: SourceRef, opts: RunOptions = {}): Promise<LevelsResult> {
    return this.guarded(source, opts, true);
  }

  /**
   * Starts `source`'s ingest now, at most two held (see `ahead`), so that its decoding overlaps the clips in
   * flight; the next run() of that source takes it (result or error) instead of ingesting. Batches
   * call it for the clip after the one they start (core/batch/run-batch.ts).
   */
  prefetch(source: SourceRef, opts: { signal?: AbortSignal; wantRenders?: boolean } = {}): void {
    const s = normalizeSource(source);
    this.ahead.start(s, async (abort, timings) => {
      const prompts = await this.promptSet();
      return this.invoke('ingest', this.preset.ingest, s, { abort, wantRenders: !!opts.wantRenders, classes: prompts.classes, timings });
    }, opts.signal);
  }

  private async guarded(source: SourceRef, opts: RunOptions, levelsOnly: boolean): Promise<LevelsResult | ClipResult> {
    // One controller per clip: a stage that times out aborts it, so the plugin can stop its own work.
    const clipAbort = new AbortController();
    const outer = opts.signal;
    const forward = () => clipAbort.abort(outer!.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    try {
      return await this.runClip(normalizeSource(source), clipAbort, opts, levelsOnly);
    } finally {
      outer?.removeEventListener('abort', forward);
    }
  }

  private async runClip(source: SourceRef, abort: AbortController, opts: RunOptions, levelsOnly: boolean): Promise<LevelsResult | ClipResult> {
    const timings: ClipTimings = {};
    const wantRenders = !!opts.wantRenders;
    const { ingest } = this.preset;
    const cache = opts.clip ? undefined : opts.cache;
    const prompts = await this.profiler.phase(timings, 'prompts', () => this.promptSet());
    const scope: InvokeScope = { abort, wantRenders, classes: prompts.classes, timings };

    const clipKey = cache && cacheKey({ source: await cache.sourceHash(source.path), id: source.id, use: ingest.use, version: ingest.pluginVersion, options: ingest.options, frames: this.preset.frames });
    const clip = opts.clip ? { ...opts.clip }
      : cache ? await this.profiler.phase(timings, 'ingest', () => cache.ingest(clipKey!, () => this.invoke('ingest', ingest, source, { ...scope, timings: undefined })))
      : await (this.ahead.take(source, abort, timings) ?? this.invoke('ingest', ingest, source, scope));
    if (!opts.clip && !cache) this.ownClips.add(clip);
    if (source.label && !clip.label) clip.label = source.label;

    const cached = cache && { cache, clipKey: clipKey!, wantRenders };
    // Object.assign, not `{ ...scope, clipId }` (here and for the levels' slots): in Node 20's V8 a
    // spread followed by a property its source lacks makes a new hidden class every time, so
    // invoke's reads of the scope never settled and its optimized code kept deoptimizing.
    const levels = await this.profiler.phase(timings, 'levels', () => this.runLevels(clip, prompts, Object.assign({}, scope, { clipId: clip.id }), cached));
    if (levelsOnly) return { clip, levels, timings };
    const { fusion, decision } = await this.fuseAndDecide(clip, levels, {}, abort, timings, wantRenders);
    return { clip, levels, fusion, decision, timings };
  }

  /**
   * Fusion and decide over given level outputs: what `run` ends with, and what ablation reruns for
   * each subset of levels (pass only the subset's outputs; `weightOverrides` replace preset weights).
   * Under the same time limit, abort signal and output checks as every stage call.
   */
  async fuseAndDecide(clip: Clip, levels: Record<string, LevelOutput>, weightOverrides: Record<string, number> = {}, clipAbort = new AbortController(), timings: ClipTimings = {}, wantRenders = false): Promise<{ fusion: FusionOutput; decision: Decision }> {
    const prompts = await this.promptSet();
    const weights = { ...Object.fromEntries(this.preset.levels.map((l) => [l.slot, l.weight])), ...weightOverrides };
    const scope: InvokeScope = { abort: clipAbort, clipId: clip.id, wantRenders, classes: prompts.classes, timings };
    const fusion = await this.invoke('fusion', this.preset.fusion, { clip, levels, weights, prompts }, scope);
    const decision = await this.invoke('decide', this.preset.decide, { clip, fusion, prompts }, scope);
    return { fusion, decision };
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
    this.ahead.drop();
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

  /**
   * Calls the provider the preset selected for a stage, the one way the host runs provider code:
   * looks it up, runs it under the stage time limit and the clip's abort signal, times it in the
   * profiler, stamps whatever it throws with its plugin and stage (as Rollup's PluginDriver does per
   * hook), and checks what it returns (nothing, or output the host cannot trust, is an error).
   */
  async invoke<S extends StageName>(stage: S, p: ResolvedProvider, input: StageInput<S>, scope: InvokeScope): Promise<StageOutput<S>> {
    const provider = this.hooks.providers[stage].get(p.use);
    if (!provider) throw errors.providerNotTapped(p.plugin, stage, p.use);
    const call: StageCall = {
      options: p.options, slot: scope.slot, clipId: scope.clipId, signal: scope.abort.signal, wantRenders: scope.wantRenders, frames: this.preset.frames, logger: this.deps.logger.child(p.plugin),
    };
    const fn = provider.fn as (input: StageInput<S>, call: StageCall) => Promise<StageOutput<S> | undefined>;
    // Ingest has no clip id yet (its provider names the clip): its log lines name the source.
    const name = scope.clipId ?? (stage === 'ingest' ? ((input as SourceRef).id ?? (input as SourceRef).path) : undefined);
    const where = `${stage} ${p.use}${name ? ` [${name}]` : ''}`;
    const t0 = performance.now();
    const key = scope.slot ? `${stage}.${scope.slot}` : stage;
    let result: StageOutput<S> | undefined;
    try {
      result = await this.profiler.call({ stage, provider: p.use, plugin: p.plugin, clipId: scope.clipId }, scope.timings, key, () => guard(
        // A provider that throws synchronously (not async) still fails only its clip.
        (async () => fn(input, call))(),
        {
          ms: this.limits.stageMs,
          signal: scope.abort.signal,
          onTimeout: () => {
            const e = errors.stageTimeout(p.plugin, stage, p.use, this.limits.stageMs);
            scope.abort.abort(e);
            return e;
          },
          onAbort: (reason) => (reason instanceof VisageError && reason.code === 'STAGE_TIMEOUT' ? reason : errors.clipAborted(reasonText(reason))),
        },
      ));
    } catch (e) {
      const err = wrapPluginError(e, p.plugin, stage);
      this.deps.logger.debug(`${where} failed after ${(performance.now() - t0).toFixed(1)} ms: ${err.code}: ${err.message}${e instanceof Error && e.stack ? `\n${e.stack}` : ''}`);
      throw err;
    }
    this.deps.logger.debug(`${where}: ${(performance.now() - t0).toFixed(1)} ms`);
    if (result === undefined) {
      if (stage === 'ingest') throw errors.noIngesterAccepted((input as SourceRef).path, [p.use]);
      throw errors.stageReturnedNothing(p.plugin, stage, p.use);
    }
    const { check } = stageOf(stage) as StageInfo;
    return check ? (check(result, { plugin: p.plugin, stage, provider: p.use, classes: scope.classes }) as StageOutput<S>) : result;
  }

  /** The prompts stage depends only on the class names, so it runs once per pipeline. */
  private promptSet(): Promise<PromptSet> {
    this.prompts ??= (async () => {
      const initial: PromptSet = { classes: [...(this.preset.classes ?? [])] };
      const p = this.preset.prompts;
      if (!p) return initial;
      // Linked to the pipeline's signal, so Ctrl-C also stops a prompt builder that is still loading.
      const abort = new AbortController();
      if (this.deps.signal?.aborted) abort.abort(this.deps.signal.reason);
      this.deps.signal?.addEventListener('abort', () => abort.abort(this.deps.signal!.reason), { once: true });
      return this.invoke('prompts', p, initial, { abort, wantRenders: false, classes: initial.classes });
    })();
    this.prompts.catch(() => (this.prompts = undefined));
    return this.prompts;
  }

  /** Levels form a DAG by `needs`: each starts as soon as its needs are done, so independent levels overlap. */
  private async runLevels(clip: Clip, prompts: PromptSet, scope: InvokeScope, cached?: { cache: LevelCache; clipKey: string; wantRenders: boolean }) {
    const running = new Map<string, Promise<LevelOutput>>();
    const keys = new Map<string, Promise<string>>();
    const timings = scope.timings!;
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
        const input = { clip, deps, classes: prompts.classes };
        if (!cached) return this.invoke('levels', level, input, Object.assign({}, scope, { slot: level.slot }));
        // Checked by invoke before it is cached, so a cached output is a valid one.
        const compute = () => this.invoke('levels', level, input, Object.assign({}, scope, { slot: level.slot, timings: undefined }));
        return this.profiler.phase(timings, `levels.${level.slot}`, async () => cached.cache.level(cached.clipKey, await keys.get(level.slot)!, compute));
      }));
    }
    // Settle all before reporting, so a failing level never leaves another running unobserved.
    const settled = await Promise.allSettled(running.values());
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return Object.fromEntries([...running.keys()].map((slot, i) => [slot, (settled[i] as PromiseFulfilledResult<LevelOutput>).value]));
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

/** An abort reason as ABORTED's message says it (`windowRows` says it the same way in its summary row). */
export function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}
