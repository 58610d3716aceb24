/**
 * Options of the OpenAI-compatible endpoint client, their defaults, and validation.
 */
import { mllmConfigInvalid } from './errors.ts';

/**
 * Default question [inferred, method.md A.2 item 4]: changes of brows, eyes, mouth and head pose over
 * time, without naming an emotion so the class label does not leak into the description level.
 */
export const DEFAULT_PROMPT =
  'These images are frames of one video of a face, in time order. Describe, frame by frame, how the ' +
  'eyebrows, eyes, mouth and head pose change over time. Mention when each movement starts, peaks and ' +
  'ends. Describe only visible movements: do not name or guess any emotion or feeling. Answer in at ' +
  'most five short sentences.';

export interface EndpointConfig {
  /** Base URL of the server (http://127.0.0.1:8080, https://host/v1) or the full .../chat/completions URL. */
  url: string;
  /** Model name sent in the request (the server may ignore it, e.g. llama.cpp with one model). */
  model: string;
  /** User prompt sent before the frames. */
  prompt: string;
  /** Optional system message. */
  systemPrompt?: string;
  temperature: number;
  maxTokens: number;
  /** Frames sent per clip, sampled uniformly (floor(k n / K)); all frames when the clip is shorter. */
  frames: number;
  /** Image encoding of each frame. */
  imageFormat: 'jpeg' | 'png';
  /** JPEG quality, 1..100. */
  jpegQuality: number;
  /** Frames larger than this (longest side, pixels) are downscaled before sending; 0 keeps the size. */
  maxImageSide: number;
  /** Name of the environment variable holding the API key (sent as a Bearer token); unset: no key. */
  apiKeyEnv?: string;
  /** Requests in flight at once per client. */
  concurrency: number;
  /** Per-attempt limit on the whole request (connect, send, full reply), milliseconds. */
  timeoutMs: number;
  /** Extra attempts after the first, on 408, 429, 5xx, timeouts and connection errors. */
  retries: number;
  /** First backoff delay; doubles per retry up to backoffMaxMs. A Retry-After header wins when longer. */
  backoffMs: number;
  backoffMaxMs: number;
  /** Largest reply body accepted, bytes; a larger one is aborted mid-stream (MLLM_REPLY_TOO_LARGE). */
  maxReplyBytes: number;
  /** Longest description kept, characters; a longer answer is cut at the last sentence end before it. */
  maxDescriptionChars: number;
  /**
   * Circuit breaker: after this many clips in a row failed at the endpoint, every later clip of the
   * process fails at once (MLLM_CIRCUIT_OPEN) instead of waiting out timeouts and retries again.
   * 0 disables it.
   */
  failureThreshold: number;
}

export const ENDPOINT_DEFAULTS: Omit<EndpointConfig, 'url'> = {
  model: 'default',
  prompt: DEFAULT_PROMPT,
  temperature: 0.2,
  maxTokens: 256,
  frames: 8,
  imageFormat: 'jpeg',
  jpegQuality: 85,
  maxImageSide: 448,
  concurrency: 2,
  // Worst case per clip against a stuck server: 3 attempts x 60 s + backoff, and only for the first
  // failureThreshold clips of a batch; the old 120 s x 5 attempts cost ~10 minutes per clip.
  timeoutMs: 60_000,
  retries: 2,
  backoffMs: 1_000,
  backoffMaxMs: 30_000,
  maxReplyBytes: 1_000_000,
  maxDescriptionChars: 2_000,
  failureThreshold: 3,
};

/**
 * Fills defaults and checks every field; throws MLLM_CONFIG_INVALID naming the field.
 * @param input partial options, as they come from a preset (url is required).
 */
export function resolveEndpointConfig(input: Partial<EndpointConfig> & { url?: string }): EndpointConfig {
  const cfg = { ...ENDPOINT_DEFAULTS, ...stripUndefined(input) } as EndpointConfig;
  if (typeof cfg.url !== 'string' || cfg.url === '') throw mllmConfigInvalid('url', 'is required (e.g. http://127.0.0.1:8080)');
  let parsed: URL;
  try {
    parsed = new URL(cfg.url);
  } catch {
    throw mllmConfigInvalid('url', `${JSON.stringify(cfg.url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw mllmConfigInvalid('url', `must be http or https, got ${parsed.protocol}`);
  if (typeof cfg.model !== 'string' || cfg.model === '') throw mllmConfigInvalid('model', 'must be a non-empty string');
  if (typeof cfg.prompt !== 'string' || cfg.prompt.trim() === '') throw mllmConfigInvalid('prompt', 'must be a non-empty string');
  checkNumber('temperature', cfg.temperature, 0, 2, false);
  checkNumber('maxTokens', cfg.maxTokens, 1, 1e6, true);
  checkNumber('frames', cfg.frames, 1, 256, true);
  if (cfg.imageFormat !== 'jpeg' && cfg.imageFormat !== 'png') throw mllmConfigInvalid('imageFormat', `must be "jpeg" or "png", got ${JSON.stringify(cfg.imageFormat)}`);
  checkNumber('jpegQuality', cfg.jpegQuality, 1, 100, true);
  checkNumber('maxImageSide', cfg.maxImageSide, 0, 16384, true);
  checkNumber('concurrency', cfg.concurrency, 1, 1024, true);
  checkNumber('timeoutMs', cfg.timeoutMs, 1, 3_600_000, true);
  checkNumber('retries', cfg.retries, 0, 100, true);
  checkNumber('backoffMs', cfg.backoffMs, 0, 3_600_000, true);
  checkNumber('backoffMaxMs', cfg.backoffMaxMs, 0, 3_600_000, true);
  checkNumber('maxReplyBytes', cfg.maxReplyBytes, 1_024, 1 << 30, true);
  checkNumber('maxDescriptionChars', cfg.maxDescriptionChars, 16, 1_000_000, true);
  checkNumber('failureThreshold', cfg.failureThreshold, 0, 1_000_000, true);
  if (cfg.apiKeyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cfg.apiKeyEnv)) {
    throw mllmConfigInvalid('apiKeyEnv', `must be an environment variable name, got ${JSON.stringify(cfg.apiKeyEnv)}`);
  }
  return cfg;
}

/** The chat-completions URL for a configured base URL (adds /v1/chat/completions unless present). */
export function chatCompletionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  if (trimmed.endsWith('/chat/completions')) return trimmed;
  if (trimmed.endsWith('/v1')) return `${trimmed}/chat/completions`;
  return `${trimmed}/v1/chat/completions`;
}

function checkNumber(field: string, v: unknown, min: number, max: number, integer: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw mllmConfigInvalid(field, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
