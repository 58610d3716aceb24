/** Errors of the descriptions plugin: endpoint client, description cache, action-unit describer. Codes are stable: tests and users match on them. */
import { errors } from '@visage/core';

const { badInput: bad, runFailure: fail } = errors;

export const mllmConfigInvalid = (field: string, detail: string) =>
  bad('MLLM_CONFIG_INVALID', `mllm.${field}: ${detail}`, 'fix the mllm options in the preset or the --set override', { pointer: `/mllm/${field}` });
export const mllmApiKeyMissing = (envName: string) =>
  bad('MLLM_API_KEY_MISSING', `the API key variable ${envName} is not set`, `export ${envName}=... before the run, or remove mllm.apiKeyEnv if the server needs no key`);
export const mllmNoFrames = () =>
  bad('MLLM_NO_FRAMES', 'no frames to describe', 'the clip is empty; check the ingest stage');
export const mllmHttpError = (url: string, status: number, detail: string) =>
  fail('MLLM_HTTP_ERROR', `${url} answered ${status}: ${detail}`,
    status === 401 || status === 403 ? 'check the API key (mllm.apiKeyEnv names the variable that holds it)'
      : status === 404 ? 'check mllm.url (base URL of an OpenAI-compatible server) and mllm.model'
        : status === 413 ? 'the request is too large: lower mllm.frames or mllm.maxImageSide'
          : 'see the server log; the request itself was rejected, so retrying would not help');
export const mllmGaveUp = (url: string, attempts: number, last: string) =>
  fail('MLLM_GAVE_UP', `${url} still failing after ${attempts} attempts (last: ${last})`, 'the server is overloaded or broken; raise mllm.retries, lower mllm.concurrency, or try later');
export const mllmTimeout = (url: string, ms: number, attempts: number) =>
  fail('MLLM_TIMEOUT', `${url} gave no complete reply within ${ms} ms (${attempts} attempts)`, 'raise mllm.timeoutMs, lower mllm.maxTokens or mllm.frames, or check that the server is not stuck');
export const mllmUnreachable = (url: string, detail: string) =>
  fail('MLLM_UNREACHABLE', `cannot reach ${url}: ${detail}`, 'is the server running? check mllm.url');
export const mllmMalformedReply = (url: string, detail: string) =>
  fail('MLLM_MALFORMED_REPLY', `${url} sent a reply that is not an OpenAI chat completion: ${detail}`, 'the server must implement POST /v1/chat/completions (llama.cpp server, vLLM, Ollama do)');
export const descriptionCacheInvalid = (file: string, line: number, detail: string) =>
  bad('DESCRIPTION_CACHE_INVALID', `${file}:${line}: ${detail}`, 'each line must be a JSON object with at least "text" and one of "key" or "clipId"', { file });
export const auNoFace = (frames: number) =>
  fail('AU_NO_FACE', `no face mesh in any of the ${frames} frames, so no action units can be measured`, 'check the landmarks level output (face too small, occluded or out of frame)');
export const auPrototypesMissingClass = (classes: string[], known: string[]) =>
  bad('AU_PROTOTYPES_MISSING_CLASS', `the action-unit prototype table has no entry for ${classes.map((c) => `"${c}"`).join(', ')}`, `add them to stages.levels.action-units.options.prototypes (as lists of measured AUs; [] means "no AU active"), or drop them from the run's classes; the table has: ${known.join(', ')}`);
export const mllmReplyTooLarge = (url: string, limit: number) =>
  fail('MLLM_REPLY_TOO_LARGE', `${url} sent a reply over ${limit} bytes; it was cut off unread`, 'a chat completion of a few sentences is a few KB: check that mllm.url points at a chat-completions endpoint, lower mllm.maxTokens, or raise mllm.maxReplyBytes');
export const mllmCircuitOpen = (url: string, failures: number, last: string) =>
  fail('MLLM_CIRCUIT_OPEN', `${url} failed for ${failures} clips in a row (last: ${last}); not asked again in this run`, 'fix or restart the server and rerun (finished descriptions are cached); raise mllm.failureThreshold, or set it to 0 to always try');
