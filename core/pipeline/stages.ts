/**
 * The five stages of Visage, in the order data flows. This is the one place they are declared.
 *
 *   ingest  -> levels -> prompts -> fusion -> decide
 *   source     Clip      classes    scores    logits -> label, probabilities, known-ness
 *
 * Each stage is a tapable HookMap keyed by provider id (`publisher.name/local-id`): a plugin taps the
 * keys it contributes, and the host calls only the keys the resolved preset selects. Which provider
 * serves a stage is therefore data (the preset), never tap order. A fresh set is built for every
 * pipeline instance, because tapable hooks cannot be untapped (tapable #86): two presets in one
 * process never share taps.
 */
import { AsyncSeriesBailHook, AsyncSeriesWaterfallHook, HookMap } from 'tapable';
import type { Clip } from '../types.ts';
import type {
  DecideInput, Decision, FusionInput, FusionOutput, LevelInput, LevelOutput, PromptSet, SourceRef, StageCall,
} from './stage-types.ts';

export const STAGE_NAMES = ['ingest', 'levels', 'prompts', 'fusion', 'decide'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export function createStageHooks() {
  return Object.freeze({
    /** First provider (in preset order) that returns a Clip wins, like Rollup's `resolveId`. */
    ingest: new HookMap(() => new AsyncSeriesBailHook<[SourceRef, StageCall], Clip | undefined>(['source', 'call'])),
    /** One hook per level provider; the host runs levels as a DAG of `needs`, independent ones concurrently. */
    levels: new HookMap(() => new AsyncSeriesBailHook<[LevelInput, StageCall], LevelOutput>(['input', 'call'])),
    /** Runs once per pipeline: class names in, refined prompts (texts, embeddings) out. */
    prompts: new HookMap(() => new AsyncSeriesWaterfallHook<[PromptSet, StageCall]>(['prompts', 'call'])),
    /** Per-level scores in, one set of class logits out. */
    fusion: new HookMap(() => new AsyncSeriesBailHook<[FusionInput, StageCall], FusionOutput>(['input', 'call'])),
    /** Logits in, label / probabilities / known-ness / unknown flag out. */
    decide: new HookMap(() => new AsyncSeriesBailHook<[DecideInput, StageCall], Decision>(['input', 'call'])),
  });
}

export type StageHooks = ReturnType<typeof createStageHooks>;
