/**
 * Set-up of the decoder tests: a temp folder for the clips they encode with ffmpeg, the located
 * ffmpeg tools, and the PyAV pool closed afterwards. Call inside a describe block.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { locateFfmpeg, type FfmpegTools } from '../ffmpeg-locate.ts';
import { closePyavDecoders } from '../pyav-decoder.ts';

export const run = promisify(execFile);

export interface DecoderFixture {
  dir: string;
  tools: FfmpegTools;
  /** Runs ffmpeg with `args` into `name` in the temp folder; returns the file's path. */
  encode(name: string, ...args: string[]): Promise<string>;
}

export function decoderFixture(prefix: string): DecoderFixture {
  const f: DecoderFixture = {
    dir: '',
    tools: undefined as unknown as FfmpegTools,
    async encode(name, ...args) {
      const out = join(f.dir, name);
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
      return out;
    },
  };
  beforeAll(async () => {
    f.dir = await mkdtemp(join(tmpdir(), prefix));
    f.tools = await locateFfmpeg();
  });
  afterAll(async () => {
    closePyavDecoders();
    await rm(f.dir, { recursive: true, force: true });
  });
  return f;
}

/** ffmpeg input args of a lavfi test pattern. */
export const testsrc = (size: string, seconds = 2) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`];
