/**
 * Client for an OpenAI-compatible vision chat endpoint (llama.cpp server, vLLM, Ollama):
 * POST /v1/chat/completions with the sampled frames as base64 image parts, a concurrency limit,
 * per-attempt timeouts, and retries with exponential backoff on 408, 429, 5xx, timeouts and
 * connection errors. Any other 4xx and any malformed reply fail at once with a clear error.
 */
import type { Frame } from '@visage/core';
import { isVisageError, registerSecret } from '@visage/core';
import { chatCompletionsUrl, resolveEndpointConfig, type EndpointConfig } from './endpoint-config.ts';
import { frameToDataUrl, uniformIndices } from './frame-encoding.ts';
import { Semaphore } from './semaphore.ts';
import { mllmApiKeyMissing, mllmNoFrames, mllmHttpError, mllmGaveUp, mllmTimeout, mllmUnreachable, mllmMalformedReply, mllmReplyTooLarge, mllmCircuitOpen } from './errors.ts';

export interface EndpointDescription {
  /** The model's answer, trimmed. */
  text: string;
  /** Model name the server reported (or the configured one). */
  model: string;
  /** Indices into the given frames that were sent. */
  frameIndices: number[];
  /** Attempts it took (1 = no retry). */
  attempts: number;
  /** Token usage, when the server reports it. */
  usage?: { promptTokens?: number; completionTokens?: number };
  /** True when the answer was longer than maxDescriptionChars and was cut. */
  truncated?: boolean;
}

/** The JSON body of a chat-completions request (OpenAI schema, vision content parts). */
export interface ChatRequestBody {
  model: string;
  temperature: number;
  max_tokens: number;
  stream: false;
  messages: { role: 'system' | 'user'; content: string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[] }[];
}

type Failure =
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'timeout' }
  | { kind: 'network'; detail: string };

/**
 * One client per endpoint: share it across clips so its concurrency limit holds for the whole run.
 */
export class EndpointClient {
  readonly config: EndpointConfig;
  readonly url: string;
  private readonly apiKey?: string;
  private readonly basicAuth?: string;
  private readonly slots: Semaphore;
  /** Clips in a row whose description failed at the endpoint (the circuit breaker's count). */
  private consecutiveFailures = 0;
  private lastFailure = '';

  /**
   * @param options endpoint options (url required; see EndpointConfig for defaults).
   * @param env where to read the API key variable from (default process.env).
   * @throws VisageError MLLM_CONFIG_INVALID, MLLM_API_KEY_MISSING
   */
  constructor(options: Partial<EndpointConfig> & { url: string }, env: NodeJS.ProcessEnv = process.env) {
    this.config = resolveEndpointConfig(options);
    // fetch refuses URLs with credentials, and the URL appears in every error message: user:password@
    // becomes a Basic Authorization header, and the URL is kept without it.
    const parsed = new URL(chatCompletionsUrl(this.config.url));
    if (parsed.username || parsed.password) {
      const user = decodeURIComponent(parsed.username), password = decodeURIComponent(parsed.password);
      registerSecret(password);
      this.basicAuth = Buffer.from(`${user}:${password}`).toString('base64');
      registerSecret(this.basicAuth);
      parsed.username = '';
      parsed.password = '';
    }
    this.url = parsed.toString();
    if (this.config.apiKeyEnv !== undefined) {
      const key = env[this.config.apiKeyEnv];
      if (!key) throw mllmApiKeyMissing(this.config.apiKeyEnv);
      registerSecret(key); // a server may quote the key back in its error text
      this.apiKey = key;
    }
    this.slots = new Semaphore(this.config.concurrency);
  }

  /** Builds the request body for `frames` (uniformly sampled and encoded), without sending it. */
  async buildRequest(frames: readonly Frame[]): Promise<{ body: ChatRequestBody; frameIndices: number[] }> {
    if (frames.length === 0) throw mllmNoFrames();
    const c = this.config;
    const frameIndices = uniformIndices(frames.length, c.frames);
    const urls = await Promise.all(frameIndices.map((i) =>
      frameToDataUrl(frames[i], { format: c.imageFormat, jpegQuality: c.jpegQuality, maxSide: c.maxImageSide })));
    const messages: ChatRequestBody['messages'] = [];
    if (c.systemPrompt) messages.push({ role: 'system', content: c.systemPrompt });
    messages.push({
      role: 'user',
      content: [{ type: 'text', text: c.prompt }, ...urls.map((url) => ({ type: 'image_url' as const, image_url: { url } }))],
    });
    return { body: { model: c.model, temperature: c.temperature, max_tokens: c.maxTokens, stream: false, messages }, frameIndices };
  }

  /**
   * Asks the endpoint to describe how the face changes across `frames`.
   * @throws VisageError MLLM_NO_FRAMES, MLLM_HTTP_ERROR (non-retryable 4xx), MLLM_MALFORMED_REPLY,
   *   MLLM_GAVE_UP (retryable statuses until the retries ran out), MLLM_TIMEOUT, MLLM_UNREACHABLE.
   *   An abort through `signal` rejects with the signal's reason.
   */
  async describe(frames: readonly Frame[], signal?: AbortSignal): Promise<EndpointDescription> {
    const threshold = this.config.failureThreshold;
    if (threshold > 0 && this.consecutiveFailures >= threshold) throw mllmCircuitOpen(this.url, this.consecutiveFailures, this.lastFailure);
    try {
      const described = await this.describeWithRetries(frames, signal);
      this.consecutiveFailures = 0;
      return described;
    } catch (e) {
      // An abort is the caller's decision, not the endpoint's failure.
      if (!signal?.aborted && isVisageError(e) && e.code !== 'MLLM_NO_FRAMES') {
        this.consecutiveFailures++;
        this.lastFailure = `${e.code}: ${e.message}`;
      }
      throw e;
    }
  }

  private async describeWithRetries(frames: readonly Frame[], signal?: AbortSignal): Promise<EndpointDescription> {
    const { body, frameIndices } = await this.buildRequest(frames);
    const payload = JSON.stringify(body);
    const c = this.config;
    let last: Failure = { kind: 'timeout' };
    let timeouts = 0;
    for (let attempt = 1; attempt <= c.retries + 1; attempt++) {
      signal?.throwIfAborted();
      const outcome = await this.slots.run(() => this.attempt(payload, signal));
      if ('text' in outcome) {
        const { text, truncated } = capDescription(outcome.text, c.maxDescriptionChars);
        return { text, model: outcome.model ?? c.model, frameIndices, attempts: attempt, usage: outcome.usage, ...(truncated && { truncated }) };
      }
      last = outcome;
      if (outcome.kind === 'timeout') timeouts++;
      if (attempt <= c.retries) {
        let delay = Math.min(c.backoffMaxMs, c.backoffMs * 2 ** (attempt - 1));
        if (outcome.kind === 'status' && outcome.retryAfterMs !== undefined) delay = Math.min(c.backoffMaxMs, Math.max(delay, outcome.retryAfterMs));
        await sleep(delay, signal);
      }
    }
    const attempts = c.retries + 1;
    if (last.kind === 'timeout') throw mllmTimeout(this.url, c.timeoutMs, attempts);
    if (last.kind === 'network') throw mllmUnreachable(this.url, last.detail);
    const timedOut = timeouts > 0 ? `, ${timeouts} timed out` : '';
    throw mllmGaveUp(this.url, attempts, `HTTP ${last.status}${timedOut}`);
  }

  /** One HTTP exchange: a parsed answer, a retryable failure, or a thrown final error. */
  private async attempt(payload: string, signal?: AbortSignal):
    Promise<{ text: string; model?: string; usage?: EndpointDescription['usage'] } | Failure> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.config.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    else if (this.basicAuth) headers.authorization = `Basic ${this.basicAuth}`;
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      const res = await fetch(this.url, { method: 'POST', headers, body: payload, signal: combined });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await readCapped(res, this.config.maxReplyBytes, this.url);
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (isVisageError(e)) throw e;
      if (timeout.signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', detail: networkDetail(e) };
    } finally {
      clearTimeout(timer);
    }
    if (status >= 200 && status < 300) return parseChatCompletion(this.url, text);
    if (status === 408 || status === 429 || status >= 500) {
      return { kind: 'status', status, retryAfterMs: parseRetryAfter(retryAfter) };
    }
    throw mllmHttpError(this.url, status, errorDetail(text));
  }
}

/**
 * The body as text, read as a stream and abandoned past `limit` bytes: a broken or hostile server
 * must not make the process buffer (and then store in rows and cache) a reply of any size.
 */
async function readCapped(res: Response, limit: number, url: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw mllmReplyTooLarge(url, limit);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw mllmReplyTooLarge(url, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Cuts an answer to `max` characters, at the last sentence end (else word break) before the limit. */
export function capDescription(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const head = text.slice(0, max);
  const sentence = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'));
  const cut = sentence > max / 2 ? sentence + 1 : head.lastIndexOf(' ') > max / 2 ? head.lastIndexOf(' ') : max;
  return { text: head.slice(0, cut).trim(), truncated: true };
}

/**
 * One-off convenience: describes `frames` with a fresh client. For many clips, create one
 * EndpointClient and reuse it so the concurrency limit applies across clips.
 */
export async function describeWithEndpoint(frames: readonly Frame[], options: Partial<EndpointConfig> & { url: string }, signal?: AbortSignal): Promise<EndpointDescription> {
  return new EndpointClient(options).describe(frames, signal);
}

/**
 * Extracts the answer from an OpenAI chat-completion body; throws MLLM_MALFORMED_REPLY otherwise.
 * `content` may be a string or an array of text parts (both occur in the wild).
 */
export function parseChatCompletion(url: string, text: string): { text: string; model?: string; usage?: EndpointDescription['usage'] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw mllmMalformedReply(url, `body is not JSON: ${excerpt(text)}`);
  }
  if (!isObject(json)) throw mllmMalformedReply(url, 'body is not a JSON object');
  const choices = json.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw mllmMalformedReply(url, 'no "choices" array');
  const first = choices[0];
  const message = isObject(first) ? first.message : undefined;
  if (!isObject(message)) throw mllmMalformedReply(url, '"choices[0].message" is missing');
  let content = message.content;
  if (Array.isArray(content)) {
    content = content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  if (typeof content !== 'string') throw mllmMalformedReply(url, '"choices[0].message.content" is not text');
  const answer = content.trim();
  if (answer === '') throw mllmMalformedReply(url, 'the answer is empty');
  const usage = isObject(json.usage)
    ? { promptTokens: numberOrUndefined(json.usage.prompt_tokens), completionTokens: numberOrUndefined(json.usage.completion_tokens) }
    : undefined;
  return { text: answer, model: typeof json.model === 'string' ? json.model : undefined, usage };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** The server's own error message when it sends the usual {"error": {"message": ...}} shape. */
function errorDetail(text: string): string {
  try {
    const json: unknown = JSON.parse(text);
    if (isObject(json)) {
      const err = json.error;
      if (typeof err === 'string') return err;
      if (isObject(err) && typeof err.message === 'string') return err.message;
      if (typeof json.message === 'string') return json.message;
    }
  } catch { /* not JSON: show the text itself */ }
  return excerpt(text) || '(empty body)';
}

function networkDetail(e: unknown): string {
  if (isVisageError(e)) return e.message;
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}

function excerpt(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}...` : one;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
