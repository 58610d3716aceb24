/**
 * Class 9: credentials never reach anything Visage prints, and a SIGKILLed run leaves no decoder
 * running and no frame file behind for good.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../core/errors/index.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../plugins/mllm/test/helpers/fake-llm-server.ts';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';
import { VISAGE_BIN, childrenOf, isAlive, makeVideo, mediaConfig, runVisage, tmpDir } from './support/files.ts';

const SAMPLE = path.join(REPO_ROOT, 'samples/astronaut.mp4');

describe('redactSecrets', () => {
  it.each([
    ['http://alice:hunter22@10.0.0.1:8080/v1', 'http://***@10.0.0.1:8080/v1'],
    ['Authorization: Bearer sk-live-0123456789abcdef', 'Authorization: Bearer ***'],
    ['{"authorization":"Basic YWxpY2U6aHVudGVyMjI="}', '{"authorization":"Basic ***"}'],
    ['GET /x?api_key=abc123&y=1', 'GET /x?api_key=***&y=1'],
    ['invalid key sk-proj-abcdefghijkl', 'invalid key sk-***'],
  ])('%s -> %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'mllm.apiKeyEnv: must be an environment variable name; check the API key (see http://127.0.0.1:8080/v1)';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('credentials in endpoint URLs and server replies', () => {
  let server: FakeLlmServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('pipeline explain shows the endpoint URL without its user:password', async () => {
    const r = await runCli('pipeline', 'explain', '--set', 'stages.levels.description.options={"endpoint":{"url":"http://alice:hunter22@127.0.0.1:9/v1","apiKey":"plain-secret-value"}}');
    expect(r.code).toBe(0);
    expect(r.out).toContain('stages.levels.description.options.endpoint.url = "http://***@127.0.0.1:9/v1"');
    expect(r.out).toContain('stages.levels.description.options.endpoint.apiKey = "***"');
    expect(r.out).not.toMatch(/hunter22|plain-secret-value/);
  });

  it('a server that quotes the credentials back never gets them into error rows or logs', async () => {
    // The server echoes whatever Authorization it got, the way some proxies and debug servers do.
    server = await startFakeLlmServer((_, req) => ({ status: 401, body: { error: { message: `rejected ${req.headers.authorization} for key sk-live-abcdefghijklmnop / raw=zq-Very-Own-Key-42` } } }));
    const dir = tmpDir('secret');
    const withUrl = (url: string) => `stages.levels.description.options={"endpoint":{"url":"${url}","retries":0},"cache":${JSON.stringify(path.join(dir, 'd.jsonl'))}}`;

    const basic = await runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', dir, '--set', withUrl(server.url.replace('http://', 'http://alice:hunter22@'))]);
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('alice:hunter22').toString('base64')}`); // still sent, as a header
    const row = JSON.parse(basic.out.trim());
    expect(row.error.code).toBe('MLLM_HTTP_ERROR');
    expect(row.error.message).toContain('answered 401: rejected Basic ***');
    for (const leaked of ['hunter22', Buffer.from('alice:hunter22').toString('base64'), 'sk-live-abcdefghijklmnop']) {
      expect(basic.out + basic.err).not.toContain(leaked);
    }

    const keyed = await runVisage(['pipeline', 'run', SAMPLE, '--cache-dir', dir, '--set', withUrl(server.url).replace('"retries":0', '"retries":0,"apiKeyEnv":"VISAGE_TEST_KEY"')], { env: { VISAGE_TEST_KEY: 'zq-Very-Own-Key-42' } });
    expect(server.requests[1].headers.authorization).toBe('Bearer zq-Very-Own-Key-42');
    expect(JSON.parse(keyed.out.trim()).error.message).toContain('raw=***');
    expect(keyed.out + keyed.err).not.toContain('zq-Very-Own-Key-42');
  });
});

describe('orphans after SIGKILL', () => {
  const dir = tmpDir('orphan');
  const slow = makeVideo(path.join(dir, 'slow.mp4'), 1500, '1280x720');

  /** The run's decoder process: the pooled PyAV server, or the ffmpeg command's decode pass. */
  const isDecoder = (cmdline: string) => cmdline.includes('pyav-server.py') || (cmdline.includes('ffmpeg') && cmdline.includes(' -vf '));

  /** Starts a real run, waits for its decoder, SIGKILLs the run, and reports whether the decoder outlived it. */
  async function killMidDecode(env: NodeJS.ProcessEnv): Promise<{ run: number; survived: boolean }> {
    const child = spawn(process.execPath, [VISAGE_BIN, 'pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(dir, { frames: 16 }), slow], { env: { ...process.env, ...env }, stdio: 'ignore' });
    let decoder: number | undefined;
    for (let i = 0; i < 1500 && decoder === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      // Only once setpriv has exec'd the decoder: the parent-death signal is set between fork and exec.
      decoder = childrenOf(child.pid!).find((c) => isDecoder(c.cmdline) && !c.cmdline.startsWith('/usr/bin/setpriv') && !c.cmdline.startsWith('/bin/setpriv'))?.pid;
    }
    if (decoder === undefined) throw new Error('the run never started its decoder');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    const survived = isAlive(decoder);
    if (survived) process.kill(decoder, 'SIGKILL');
    return { run: child.pid!, survived };
  }

  it('without the parent-death signal the decoder outlives a SIGKILLed run (the fault this guards against)', async () => {
    // The ffmpeg command shows it; an idle PyAV server would also leave on its own, at end of input.
    expect((await killMidDecode({ VISAGE_NO_PDEATHSIG: '1', VISAGE_DECODER: 'ffmpeg' })).survived).toBe(true);
  });

  it.each(['pyav', 'ffmpeg'])('the %s decoder dies with a SIGKILLed run, and its frame file is swept by the next run', async (decoder) => {
    const { run, survived } = await killMidDecode({ VISAGE_DECODER: decoder });
    expect(survived).toBe(false);
    const tempDirs = ['/dev/shm', os.tmpdir()].filter(existsSync);
    const framesOf = (pid: number) => tempDirs.flatMap((d) => readdirSync(d).filter((f) => f.startsWith(`visage-frames-${pid}-`)));
    // A frame file of a dead process (the killed run's may or may not have been opened yet) and one of a live process.
    const dead = spawnSync('true').pid!;
    const stale = path.join(tempDirs[0], `visage-frames-${dead}-00000000-0000-0000-0000-000000000000.ppm`);
    const live = path.join(tempDirs[0], `visage-frames-${process.pid}-11111111-1111-1111-1111-111111111111.ppm`);
    writeFileSync(stale, 'P6\n');
    writeFileSync(live, 'P6\n');
    try {
      const next = await runVisage(['pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', mediaConfig(dir, { frames: 4 }), makeVideo(path.join(dir, 'short.mp4'), 10)]);
      expect(next.code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true); // never touch the files of a process that is still running
      expect(framesOf(run)).toEqual([]);
    } finally {
      for (const f of [stale, live]) rmSync(f, { force: true });
    }
  });
});
