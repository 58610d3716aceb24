/**
 * Class 8: work that comes from outside is bounded. Frame counts up to the schema's 512 decode, a
 * frame set too big for memory says so, an endpoint's huge reply is cut off mid-stream, a dead
 * endpoint stops being asked after a few clips, and numbers on the command line are checked.
 */
import { copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePositiveInt } from '../../core/cli/option-parsers.ts';
import { readClip } from '../../core/media/read-clip.ts';
import { EndpointClient } from '../../plugins/mllm/src/endpoint-client.ts';
import { completion, startFakeLlmServer, type FakeLlmServer } from '../../plugins/mllm/test/helpers/fake-llm-server.ts';
import { syntheticFrames } from '../../plugins/mllm/test/helpers/synthetic-frames.ts';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';
import { makeVideo, mediaConfig, runVisage, tmpDir } from './support/files.ts';

const SAMPLE = path.join(REPO_ROOT, 'samples/astronaut.mp4');
const rows = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l));

describe('frame selection and decoded size', () => {
  const dir = tmpDir('frames');
  const long = makeVideo(path.join(dir, 'long.mp4'), 700);

  it('decodes all 512 frames the schema allows from a 700-frame video (the select filter used to stop at 100)', async () => {
    const clip = await readClip(long, { frames: 512 });
    expect(clip.frames).toHaveLength(512);
    expect(new Set(clip.frames.map((f) => f.sourceIndex)).size).toBe(512);
    expect(clip.frames.map((f) => f.sourceIndex)).toEqual(clip.indices);
    const r = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(dir, { frames: 512 }), long]);
    expect(r.code).toBe(0);
    expect(rows(r.out)[0].error).toBeNull();
  });

  it('a frame set over the memory limit is MEDIA_FRAMES_TOO_LARGE before decoding, and maxSide makes it fit', async () => {
    const big = path.join(dir, 'big.mp4');
    makeVideo(big, 520, '1216x1216');
    const r = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(dir, { frames: 512 }), big]);
    expect(r.code).toBe(1);
    expect(rows(r.out)[0].error).toMatchObject({ code: 'MEDIA_FRAMES_TOO_LARGE', file: big, message: expect.stringMatching(/512 decoded frames of 1216x1216 px need up to 2\.1 GiB/) });
    const fits = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(dir, { frames: 512 }), '--set', 'stages.ingest.options.maxSide=64', big]);
    expect(fits.code).toBe(0);
  });
});

describe('description endpoint limits', () => {
  let server: FakeLlmServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('a 100 MB reply is aborted mid-stream with MLLM_REPLY_TOO_LARGE', async () => {
    let sent = 0;
    const hostile = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: the size is only found by reading
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (sent < 100e6 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const client = new EndpointClient({ url: `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`, retries: 0 });
      const err = await client.describe(syntheticFrames(2)).catch((e) => e);
      expect(err.code).toBe('MLLM_REPLY_TOO_LARGE');
      expect(err.message).toContain('over 1000000 bytes');
      await new Promise((r) => setTimeout(r, 200));
      expect(sent).toBeLessThan(20e6); // the client hung up; the server did not get to send 100 MB
    } finally {
      hostile.closeAllConnections();
      await new Promise((r) => hostile.close(r));
    }
  });

  it('a declared oversize reply is refused without reading it', async () => {
    server = await startFakeLlmServer(() => ({ status: 200, body: completion('x'.repeat(3000)), headers: {} }));
    const err = await new EndpointClient({ url: server.url, retries: 0, maxReplyBytes: 2048 }).describe(syntheticFrames(2)).catch((e) => e);
    expect(err.code).toBe('MLLM_REPLY_TOO_LARGE');
  });

  it('a long answer is cut to maxDescriptionChars at a sentence end', async () => {
    const sentence = 'The left brow rises slowly and then falls back. ';
    server = await startFakeLlmServer(() => ({ status: 200, body: completion(sentence.repeat(200)) }));
    const out = await new EndpointClient({ url: server.url, retries: 0 }).describe(syntheticFrames(2));
    expect(out.truncated).toBe(true);
    expect(out.text.length).toBeLessThanOrEqual(2000);
    expect(out.text.endsWith('falls back.')).toBe(true);
  });

  it('after 3 clips in a row fail at the endpoint, the rest of the batch fails fast with MLLM_CIRCUIT_OPEN', async () => {
    server = await startFakeLlmServer(() => ({ status: 503, body: { error: { message: 'overloaded' } } }));
    const dir = tmpDir('breaker');
    const clips = Array.from({ length: 5 }, (_, i) => {
      const file = path.join(dir, `clip${i}.mp4`);
      copyFileSync(SAMPLE, file);
      return file;
    });
    const started = Date.now();
    const r = await runVisage(['pipeline', 'run', ...clips, '--jobs', '1', '--cache-dir', dir,
      '--set', `stages.levels.description.options={"endpoint":{"url":"${server.url}","retries":1,"backoffMs":10},"cache":${JSON.stringify(path.join(dir, 'd.jsonl'))}}`], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const codes = rows(r.out).map((row) => row.error?.code);
    expect(codes).toEqual(['MLLM_GAVE_UP', 'MLLM_GAVE_UP', 'MLLM_GAVE_UP', 'MLLM_CIRCUIT_OPEN', 'MLLM_CIRCUIT_OPEN']);
    expect(server.requests).toHaveLength(3 * 2); // 3 clips x (1 try + 1 retry); none for the last 2
    expect(rows(r.out)[4].error.message).toMatch(/failed for 3 clips in a row \(last: MLLM_GAVE_UP/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe('numbers on the command line', () => {
  const program = () => {
    let jobs: number | undefined;
    const cmd = new Command().exitOverride().option('--jobs <n>', 'clips at once', parsePositiveInt('--jobs', 64), 2).action((o) => { jobs = o.jobs; });
    return { parse: (v: string) => { cmd.parse(['--jobs', v], { from: 'user' }); return jobs; } };
  };

  it.each(['0', 'abc', '1.5', '1000', '-3', '', '1e3', '0x10'])('parsePositiveInt refuses --jobs %j with CLI_OPTION_INVALID (exit 2)', (v) => {
    expect(() => program().parse(v)).toThrow(expect.objectContaining({ code: 'CLI_OPTION_INVALID', exitCode: 2, message: `--jobs ${JSON.stringify(v)} is not a whole number from 1 to 64` }));
  });

  it.each([['1', 1], ['64', 64], [' 8 ', 8]])('parsePositiveInt accepts --jobs %j', (v, n) => {
    expect(program().parse(v)).toBe(n);
  });

  it.each([
    [['open-set', 'splits', '--draws', '0'], /--draws: must be an integer from 1 to 1000, got "0"/],
    [['open-set', 'splits', '--draws', '1e9'], /--draws: must be an integer from 1 to 1000/],
    [['open-set', 'splits', '--seed', '1.5'], /--seed: must be an integer/],
    [['train', '--dataset', 'csv', '--root', '/nonexistent', '--epochs', '0'], /--epochs: must be a whole number from 1 to 100000, got "0"/],
    [['train', '--dataset', 'csv', '--root', '/nonexistent', '--batch-size', 'abc'], /--batch-size: "abc" is not a number/],
    [['train', '--dataset', 'csv', '--root', '/nonexistent', '--val-fraction', '1'], /--val-fraction: must be a number from 0 to 0\.9/],
    [['extract', '--dataset', 'csv', '--root', '/nonexistent', '--fold', '1.5'], /--fold: must be a whole number from 1 to 5/],
  ])('visage %j exits 2 before doing any work', async (args, message) => {
    const r = await runCli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
