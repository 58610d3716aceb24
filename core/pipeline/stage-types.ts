/**
 * What flows through each of the five stages, the signature of a provider for each, and what a
 * pipeline returns for a clip.
 * Plain data only (see core/types.ts), so providers can be moved out of process later.
 */
import type { Clip, ClassScores } from '../types.ts';
import type { Logger } from '../logging/logger.ts';

/** A clip source handed to `ingest`. */
export interface SourceRef {
  /** File, frame folder or image path. */
  path: string;
  /** Optional id (dataset readers know it); defaults to the file name without extension. */
  id?: string;
  /** Ground-truth class name, when known. */
  label?: string;
}

/** A rendered picture a level wants saved with `--save-renders`. */
export interface Render {
  /** File stem, e.g. "frame-03-overlay" or "parsing-03". */
  name: string;
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Output of one feature level for one clip. Every field is optional: a level fills what it has. */
export interface LevelOutput {
  /** Per-class scores for the whole clip, keyed by class name. */
  scores?: ClassScores;
  /** Per-frame class scores (same order as clip.frames); null for a frame the level could not score. */
  frameScores?: (ClassScores | null)[];
  /** Per-frame confidence (0 = not usable, e.g. no face), used by confidence-weighted fusion. */
  frameWeights?: number[];
  /** Per-frame embeddings and/or one clip embedding, for similarity-based fusion. */
  frameEmbeddings?: Float32Array[];
  embedding?: Float32Array;
  /** Text produced by the level (e.g. descriptions of facial change). */
  text?: string[];
  /** Payload for dependent levels (e.g. FaceFrame[] from landmarks). Not written to output rows. */
  data?: unknown;
  /** Small JSON-serialisable facts for the output row (e.g. frames with a face). */
  summary?: Record<string, unknown>;
  /** Non-fatal notes ("frame 3: no face"). */
  flags?: string[];
  /** Pictures for `--save-renders`; produced only when `call.wantRenders` is true. */
  renders?: Render[];
}

export interface LevelInput {
  clip: Clip;
  /** Outputs of the levels this level `needs`, by slot name. */
  deps: Readonly<Record<string, LevelOutput>>;
  /** The class names of this run (from the prompts stage). */
  classes: readonly string[];
}

/**
 * What a prompt is for, so any fusion reads any builder's prompts the same way (issue 17):
 * `positive` a class's own prompt (FineCLIPER's positive descriptor, HESP's tuned class prompt),
 * `negative` a class's negative prompt ("... of no {label}", "This video is not {class}."),
 * `unknown` a prompt for what is not the class (HESP's learned unknown prototypes, ARPL's reciprocal points).
 */
export type PromptRole = 'positive' | 'negative' | 'unknown';

/** One encoded prompt and its role; `class` names the class it belongs to (absent: no one class). */
export interface RolePrompt {
  role: PromptRole;
  class?: string;
  text?: string;
  /** In the space of the unit-length video embeddings the fusions compute. */
  embedding: Float32Array;
}

/** Prompts: built once per run from the class names, refined by the prompt builder. */
export interface PromptSet {
  classes: string[];
  /** Encoded prompts with their roles; the roles a builder gives are declared in its manifest (`roles`). */
  prompts?: RolePrompt[];
  /** Text prompts per class (e.g. positive/negative descriptors). */
  texts?: Record<string, string[]>;
  /** Embeddings per class and prompt kind (the shipped builders give `prompts` instead, which fusions read by role). */
  embeddings?: Record<string, Record<string, Float32Array>>;
  /** Anything else the fusion rule needs from the builder. */
  extra?: Record<string, unknown>;
}

export interface FusionInput {
  clip: Clip;
  levels: Readonly<Record<string, LevelOutput>>;
  /** Preset weight of each enabled level slot. */
  weights: Readonly<Record<string, number>>;
  prompts: PromptSet;
}

export interface FusionOutput {
  /** Fused class logits (or probabilities when `kind` says so), keyed by class name. */
  logits: ClassScores;
  kind: 'logits' | 'probabilities';
  /** Per-level class scores that went into the fusion, for the output row. */
  perLevel?: Record<string, ClassScores>;
  /** The fusion's own known-ness score (higher: more likely a known class), e.g. from unknown-role prompts. */
  knownness?: number;
}

export interface Decision {
  label: string | null;
  probabilities: ClassScores;
  /** Higher means more likely a known class. */
  knownness: number;
  unknown: boolean;
}

export interface DecideInput {
  clip: Clip;
  fusion: FusionOutput;
  prompts: PromptSet;
}

/** Per-call context every provider receives. */
export interface StageCall<Options = Record<string, unknown>> {
  /** The provider's options from the preset, validated against its schema, defaults filled. */
  options: Options;
  /** Id of the clip being processed (absent for the once-per-run prompts stage). */
  clipId?: string;
  /** For levels: the slot name in the preset. */
  slot?: string;
  logger: Logger;
  signal: AbortSignal;
  /** True when the user asked for --save-renders. */
  wantRenders: boolean;
  /** Frames per clip requested by the preset. */
  frames: number;
}

// O: the provider's options, typed from its manifest schema (the plugin's options.generated.ts).
export type IngestProvider<O = Record<string, unknown>> = (source: SourceRef, call: StageCall<O>) => Promise<Clip | undefined>;
export type LevelProvider<O = Record<string, unknown>> = (input: LevelInput, call: StageCall<O>) => Promise<LevelOutput>;
export type PromptProvider<O = Record<string, unknown>> = (prompts: PromptSet, call: StageCall<O>) => Promise<PromptSet>;
export type FusionProvider<O = Record<string, unknown>> = (input: FusionInput, call: StageCall<O>) => Promise<FusionOutput>;
export type DecideProvider<O = Record<string, unknown>> = (input: DecideInput, call: StageCall<O>) => Promise<Decision>;

/** What `Pipeline.levels` returns: the clip after ingest and its level outputs. */
export interface LevelsResult {
  clip: Clip;
  levels: Record<string, LevelOutput>;
  /** Wall time per stage (and per level slot, as `levels.<slot>`), ms. */
  timings: Record<string, number>;
}

/** What `Pipeline.run` returns for one clip: every stage's output. */
export interface ClipResult extends LevelsResult {
  fusion: FusionOutput;
  decision: Decision;
}
