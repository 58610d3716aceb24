/**
 * The description level for one clip: text on how the face changes across frames, from a vision LLM
 * endpoint when one is configured (through the cache), else from the built-in action-unit describer.
 * AU intensities are computed whenever face meshes are given, whichever source writes the text.
 */
import type { FaceFrame, Frame } from '@visage/core';
import { errors, isVisageError } from '@visage/core';
import { auSeriesToJSON, computeActionUnits, type ActionUnitOptions, type AuSeries } from './action-units.ts';
import { describeActionUnits, type DescribeAuOptions } from './au-describer.ts';
import { clipContentHash, descriptionKey, sha256, type DescriptionCache } from './description-cache.ts';
import type { EndpointClient } from './endpoint-client.ts';
import type { EndpointConfig } from './endpoint-config.ts';
import { splitSentences } from './sentences.ts';
import { mllmConfigInvalid, mllmNoFrames } from './errors.ts';

export interface DescribeClipInput {
  /** Clip id, used to find descriptions imported from elsewhere. */
  clipId?: string;
  /** The sampled frames of the clip. */
  frames: readonly Frame[];
  /** The landmarks level output for the same frames (needed by the built-in describer). */
  faces?: readonly FaceFrame[];
}

export interface DescribeClipOptions {
  /** Vision LLM endpoint; when absent the built-in action-unit describer writes the text. */
  endpoint?: EndpointClient;
  /** Description cache consulted before the endpoint and filled after it. */
  cache?: DescriptionCache;
  actionUnits?: ActionUnitOptions;
  describer?: DescribeAuOptions;
  signal?: AbortSignal;
}

export interface DescriptionLevelOutput {
  /** Who wrote the text: the endpoint (now), the cache (an earlier or imported answer), or the AU describer. */
  source: 'endpoint' | 'cache' | 'action-units';
  text: string;
  /** `text` split into sentences, for a text encoder limited to 77 tokens. */
  sentences: string[];
  /** Per-frame AU intensities; null when no meshes were given or no frame had a face. */
  actionUnits: AuSeries | null;
  /** Model that wrote the text (endpoint and cache sources). */
  model?: string;
  /** The cache key of the endpoint request (endpoint and cache sources). */
  cacheKey?: string;
}

/**
 * Describes one clip.
 * @throws VisageError from the endpoint client; AU_NO_FACE or MLLM_CONFIG_INVALID when the built-in
 *   describer has no meshes to work from.
 */
export async function describeClip(input: DescribeClipInput, options: DescribeClipOptions = {}): Promise<DescriptionLevelOutput> {
  if (input.frames.length === 0) throw mllmNoFrames();
  if (input.faces && input.faces.length !== input.frames.length) {
    throw errors.shapeMismatch('describeClip', `${input.faces.length} face results for ${input.frames.length} frames`);
  }
  const { endpoint, cache } = options;

  if (!endpoint) {
    if (!input.faces) throw mllmConfigInvalid('url', 'no endpoint is configured and no face meshes were given: the built-in describer needs the landmarks level');
    const actionUnits = computeActionUnits(input.faces, options.actionUnits);
    const sentences = describeActionUnits(actionUnits, options.describer);
    return { source: 'action-units', text: sentences.join(' '), sentences, actionUnits };
  }

  const actionUnits = input.faces ? tryActionUnits(input.faces, options.actionUnits) : null;
  const c = endpoint.config;
  const key = descriptionKey({ contentHash: clipContentHash(input.frames), model: c.model, prompt: promptText(c), sampling: samplingSignature(c) });
  const cached = cache?.get({ key, clipId: input.clipId, model: c.model });
  if (cached) {
    return { source: 'cache', text: cached.text, sentences: splitSentences(cached.text), actionUnits, model: cached.model, cacheKey: key };
  }
  const answer = await endpoint.describe(input.frames, options.signal);
  await cache?.set({
    key,
    clipId: input.clipId,
    contentHash: clipContentHash(input.frames),
    model: c.model,
    promptHash: sha256(promptText(c)),
    sampling: samplingSignature(c),
    text: answer.text,
    source: 'endpoint',
  });
  return { source: 'endpoint', text: answer.text, sentences: splitSentences(answer.text), actionUnits, model: c.model, cacheKey: key };
}

/** The level's output as a plain JSON object for a JSONL row (AU curves rounded, NaN as null). */
export function descriptionToJSON(out: DescriptionLevelOutput): Record<string, unknown> {
  return {
    source: out.source,
    text: out.text,
    ...(out.model !== undefined && { model: out.model }),
    ...(out.cacheKey !== undefined && { cacheKey: out.cacheKey }),
    actionUnits: out.actionUnits ? auSeriesToJSON(out.actionUnits) : null,
  };
}

/**
 * Everything about how frames are chosen and encoded that changes what the model sees. Generation
 * settings (temperature, max tokens) are not part of it: they change the answer's wording, not its
 * question, and a cached answer stays valid.
 */
export function samplingSignature(c: EndpointConfig): string {
  const enc = c.imageFormat === 'jpeg' ? `jpeg${c.jpegQuality}` : 'png';
  return `uniform${c.frames}/${enc}/max${c.maxImageSide}`;
}

function promptText(c: EndpointConfig): string {
  return c.systemPrompt ? `${c.systemPrompt}\n\n${c.prompt}` : c.prompt;
}

function tryActionUnits(faces: readonly FaceFrame[], opts?: ActionUnitOptions): AuSeries | null {
  try {
    return computeActionUnits(faces, opts);
  } catch (e) {
    // With an endpoint the text does not depend on the mesh; a clip without a face still gets it.
    if (isVisageError(e) && e.code === 'AU_NO_FACE') return null;
    throw e;
  }
}
