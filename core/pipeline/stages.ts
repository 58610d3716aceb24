/**
 * The five stages of Visage, in the order they run. `STAGES` is the one list of them: the manifest's
 * contribution points, the preset's `stages` keys, the plugin context's taps, `pipeline explain`,
 * the profiler's order and the pipeline's checks are all derived from it.
 *
 *   prompts (once per run) -> ingest -> levels -> fusion -> decide
 *   class names               source    Clip      scores    logits -> label, probabilities, known-ness
 *
 * prompts comes first because the levels read the run's classes from it; it runs once per pipeline,
 * before the first clip.
 *
 * A stage holds one provider per key (`publisher.name/local-id`): a plugin provides the keys it
 * contributes, and the host calls only the keys the resolved preset selects, through
 * `Pipeline.invoke`. Which provider serves a stage is therefore data (the preset), never tap order.
 * A fresh set is built for every pipeline, so two presets in one process never share providers.
 */
import { SyncHook } from 'tapable';
import type {
  ClipResult, DecideProvider, FusionProvider, IngestProvider, LevelProvider, PromptProvider,
} from './stage-types.ts';
import { validateDecision, validateFusionOutput, validateLevelOutput, type OutputContext } from './validate-output.ts';

export interface StageInfo {
  /** The stage's key under `stages` in a preset, and on `ctx.stages`. */
  readonly name: string;
  /** The activation event a preset fires for each provider of this stage it selects: `<event>:<publisher.name/id>`. */
  readonly event: string;
  /** Its contribution point: the key under `contributes` in a manifest. */
  readonly point: string;
  /** What one of its providers is called in messages ("no level provider ..."). */
  readonly noun: string;
  /** Whether a preset must select a provider for it. */
  readonly required: boolean;
  /** Contribution point description, for manifest.schema.json. */
  readonly description: string;
  /** Checks a provider's output where it enters the host (see validate-output.ts). */
  readonly check?: (out: unknown, ctx: OutputContext) => unknown;
}

export const STAGES = [
  // Prompt builders refine the class names once per run; levels read the classes, so this runs first.
  { name: 'prompts', event: 'onPrompts', point: 'promptBuilders', noun: 'prompt', required: false, description: 'Stage `prompts`: class names to text prompts and their embeddings.' },
  { name: 'ingest', event: 'onIngest', point: 'ingesters', noun: 'ingest', required: true, description: 'Stage `ingest`: turn a clip source (video, frame folder, image, dataset item) into a Clip.' },
  { name: 'levels', event: 'onLevel', point: 'levels', noun: 'level', required: true, description: 'Stage `levels`: a feature level computed from a Clip (embeddings and/or per-class scores).', check: validateLevelOutput },
  { name: 'fusion', event: 'onFusion', point: 'fusions', noun: 'fusion', required: true, description: 'Stage `fusion`: per-level class scores to one set of class logits.', check: validateFusionOutput },
  { name: 'decide', event: 'onDecide', point: 'deciders', noun: 'decide', required: true, description: 'Stage `decide`: logits to label, probabilities, known-ness and the unknown flag.', check: validateDecision },
] as const satisfies readonly StageInfo[];

export type Stage = (typeof STAGES)[number];
export type StageName = Stage['name'];
export type ProviderPoint = Stage['point'];

/** Stage names in run order. */
export const STAGE_NAMES: readonly StageName[] = STAGES.map((s) => s.name);

export function stageOf(name: StageName): Stage {
  return STAGES.find((s) => s.name === name)!;
}

export function stageOfPoint(point: ProviderPoint): Stage {
  return STAGES.find((s) => s.point === point)!;
}

/** The signature of a provider of each stage. */
export interface StageProviders<O = Record<string, unknown>> {
  prompts: PromptProvider<O>;
  ingest: IngestProvider<O>;
  levels: LevelProvider<O>;
  fusion: FusionProvider<O>;
  decide: DecideProvider<O>;
}

/** What a provider of stage S is given first (its second argument is always the StageCall). */
export type StageInput<S extends StageName> = Parameters<StageProviders[S]>[0];
/** What a provider of stage S resolves to, once the host has checked it is there. */
export type StageOutput<S extends StageName> = NonNullable<Awaited<ReturnType<StageProviders[S]>>>;

/** What a pipeline's plugins attach to: one provider table per stage, and the hooks observers tap. */
export interface StageHooks {
  readonly providers: { readonly [S in StageName]: Map<string, { plugin: string; fn: StageProviders[S] }> };
  /** Called with every clip `Pipeline.run` finishes (not failed ones): loggers, reports. Several taps. */
  readonly afterClip: SyncHook<[ClipResult]>;
}

export function createStageHooks(): StageHooks {
  return Object.freeze({
    providers: Object.freeze(Object.fromEntries(STAGES.map((s) => [s.name, new Map()])) as StageHooks['providers']),
    afterClip: new SyncHook<[ClipResult]>(['result']),
  });
}
