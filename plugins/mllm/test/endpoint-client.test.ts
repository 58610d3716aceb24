import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointClient, describeWithEndpoint } from '../src/endpoint-client.ts';
import { DEFAULT_PROMPT, chatCompletionsUrl, resolveEndpointConfig } from '../src/endpoint-config.ts';
import { uniformIndices } from '../src/frame-encoding.ts';
import { completion, startFakeLlmServer, type FakeLlmServer } from './helpers/fake-llm-server.ts';
import { syntheticFrames } from './helpers/synthetic-frames.ts';

let server: FakeLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { backoffMs: 20, backoffMaxMs: 200, timeoutMs: 5_000 };

describe('EndpointClient', () => {
  it('sends uniformly sampled frames as base64 image parts with the prompt, model, settings and API key (200)', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('  The brows rise from frame 2 to frame 5.  ') }));
    const frames = syntheticFrames(20, 640, 480);
    const client = new EndpointClient(
      { url: server.url, model: 'llava-test', temperature: 0.1, maxTokens: 64, apiKeyEnv: 'VISAGE_TEST_KEY', maxImageSide: 320 },
      { VISAGE_TEST_KEY: 'sk-test-123' },
    );
    const out = await client.describe(frames);

    expect(out).toMatchObject({ text: 'The brows rise from frame 2 to frame 5.', attempts: 1, frameIndices: [0, 2, 5, 7, 10, 12, 15, 17] });
    expect(out.usage).toEqual({ promptTokens: 100, completionTokens: 20 });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test-123');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toMatchObject({ model: 'llava-test', temperature: 0.1, max_tokens: 64, stream: false });
    const [message] = req.body.messages;
    expect(message.role).toBe('user');
    expect(message.content[0]).toEqual({ type: 'text', text: DEFAULT_PROMPT });
    const images = message.content.slice(1);
    expect(images).toHaveLength(8);
    for (const part of images) {
      expect(part.type).toBe('image_url');
      const m = /^data:image\/jpeg;base64,(.+)$/.exec(part.image_url.url);
      expect(m).not.toBeNull();
      const meta = await sharp(Buffer.from(m![1], 'base64')).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
    }
    // The images are the sampled frames, in order: frame 5's red channel at x=0 is 5*10.
    const third = await sharp(Buffer.from(images[2].image_url.url.split(',')[1], 'base64')).png().raw().toBuffer();
    expect(Math.abs(third[0] - 50)).toBeLessThan(12);
  });

  it('retries a 429 after backoff and then succeeds', async () => {
    server = await startFakeLlmServer((n) => (n === 0
      ? { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '0.15' } }
      : { status: 200, body: completion('The lips part.') }));
    const out = await describeWithEndpoint(syntheticFrames(4), { url: server.url, ...fast });
    expect(out.text).toBe('The lips part.');
    expect(out.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    // Retry-After (150 ms) is longer than the first backoff (20 ms), so it wins.
    expect(server.requests[1].receivedAt - server.requests[0].receivedAt).toBeGreaterThanOrEqual(140);
    expect(server.requests[1].body).toEqual(server.requests[0].body);
  });

  it('gives up on a persistent 500 after the configured retries, backing off exponentially', async () => {
    server = await startFakeLlmServer(() => ({ status: 500, body: 'internal error' }));
    const err = await describeWithEndpoint(syntheticFrames(3), { url: server.url, ...fast, retries: 3, backoffMs: 40 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MLLM_GAVE_UP', exitCode: 1 });
    expect(err.message).toContain('after 4 attempts');
    expect(err.message).toContain('HTTP 500');
    expect(server.requests).toHaveLength(4);
    const gaps = server.requests.slice(1).map((r, i) => r.receivedAt - server!.requests[i].receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
  });

  it('times out a server that never answers, retrying each attempt', async () => {
    server = await startFakeLlmServer(() => ({ hang: true }));
    const started = Date.now();
    const err = await describeWithEndpoint(syntheticFrames(2), { url: server.url, ...fast, timeoutMs: 150, retries: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MLLM_TIMEOUT' });
    expect(err.message).toContain('150 ms (2 attempts)');
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('rejects malformed bodies at once, without retrying', async () => {
    const bodies = ['<html>not json</html>', { choices: [] }, { choices: [{ message: { content: 42 } }] }, { choices: [{ message: { content: '   ' } }] }];
    for (const body of bodies) {
      server = await startFakeLlmServer(() => ({ status: 200, body }));
      const err = await describeWithEndpoint(syntheticFrames(2), { url: server.url, ...fast }).catch((e) => e);
      expect(err).toMatchObject({ code: 'MLLM_MALFORMED_REPLY' });
      expect(server.requests).toHaveLength(1);
      await server.close();
      server = undefined;
    }
  });

  it('accepts content given as an array of text parts', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: { choices: [{ message: { content: [{ type: 'text', text: 'The jaw ' }, { type: 'text', text: 'drops.' }] } }] } }));
    expect((await describeWithEndpoint(syntheticFrames(2), { url: server.url })).text).toBe('The jaw drops.');
  });

  it('fails at once on other 4xx with the server message and a hint', async () => {
    server = await startFakeLlmServer((n) => ({ status: n === 0 ? 400 : 401, body: { error: { message: 'image too small' } } }));
    const bad = await describeWithEndpoint(syntheticFrames(2), { url: server.url, ...fast }).catch((e) => e);
    expect(bad).toMatchObject({ code: 'MLLM_HTTP_ERROR' });
    expect(bad.message).toContain('400: image too small');
    const auth = await describeWithEndpoint(syntheticFrames(2), { url: server.url, ...fast }).catch((e) => e);
    expect(auth.hint).toContain('API key');
    expect(server.requests).toHaveLength(2);
  });

  it('reports an unreachable server after retrying', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('x') }));
    const url = server.url;
    await server.close();
    server = undefined;
    const err = await describeWithEndpoint(syntheticFrames(2), { url, ...fast, retries: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MLLM_UNREACHABLE' });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('keeps at most `concurrency` requests in flight across clips', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('The cheeks rise.'), delayMs: 80 }));
    const client = new EndpointClient({ url: server.url, concurrency: 2 });
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => client.describe(syntheticFrames(3, 32, 32, i))));
    expect(outs.every((o) => o.text === 'The cheeks rise.')).toBe(true);
    expect(server.requests).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
  });

  it('stops when the caller aborts', async () => {
    server = await startFakeLlmServer(() => ({ hang: true }));
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Error('cancelled by test')), 100);
    const err = await new EndpointClient({ url: server.url }).describe(syntheticFrames(2), ctrl.signal).catch((e) => e);
    expect(err.message).toBe('cancelled by test');
  });

  it('validates its configuration and the API key variable', () => {
    expect(() => new EndpointClient({ url: 'http://x', apiKeyEnv: 'VISAGE_MISSING_KEY' }, {})).toThrow(expect.objectContaining({ code: 'MLLM_API_KEY_MISSING', exitCode: 2 }));
    expect(() => resolveEndpointConfig({ url: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'MLLM_CONFIG_INVALID', pointer: '/mllm/url' }));
    expect(() => resolveEndpointConfig({})).toThrow(expect.objectContaining({ code: 'MLLM_CONFIG_INVALID' }));
    expect(() => resolveEndpointConfig({ url: 'http://x', frames: 0 })).toThrow(expect.objectContaining({ pointer: '/mllm/frames' }));
    expect(() => resolveEndpointConfig({ url: 'http://x', temperature: -1 })).toThrow(expect.objectContaining({ pointer: '/mllm/temperature' }));
    expect(resolveEndpointConfig({ url: 'http://x', frames: undefined }).frames).toBe(8);
  });

  it('builds the chat-completions URL from a base URL', () => {
    expect(chatCompletionsUrl('http://h:8080')).toBe('http://h:8080/v1/chat/completions');
    expect(chatCompletionsUrl('http://h:8080/v1/')).toBe('http://h:8080/v1/chat/completions');
    expect(chatCompletionsUrl('https://h/api/v1/chat/completions')).toBe('https://h/api/v1/chat/completions');
  });

  it('samples frame indices as floor(k n / K), all frames for short clips', () => {
    expect(uniformIndices(16, 8)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(uniformIndices(10, 8)).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(uniformIndices(5, 8)).toEqual([0, 1, 2, 3, 4]);
  });
});
