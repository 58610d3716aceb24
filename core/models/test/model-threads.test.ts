/**
 * `--model-threads`: onnxruntime's own default unless asked, a number, or the cores divided among
 * the clips in flight (auto), and the choice reaches the sessions the host creates.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { modelThreadsFor } from '../model-threads.ts';
import { createHost } from '../../host/host.ts';
import { runCli } from '../../../test/helpers/cli.ts';
import { REPO_ROOT } from '../../../test/helpers/shared-data.ts';

describe('model threads', () => {
  it('auto divides the cores among the clips in flight, at least one each, and keeps onnxruntime\'s default for one clip', () => {
    expect(modelThreadsFor('auto', 2, 2)).toBe(1);
    expect(modelThreadsFor('auto', 4, 2)).toBe(1);
    expect(modelThreadsFor('auto', 2, 16)).toBe(8);
    expect(modelThreadsFor('auto', 3, 16)).toBe(5);
    expect(modelThreadsFor('auto', 1, 16)).toBeUndefined();
    expect(modelThreadsFor(3, 2, 2)).toBe(3);
    expect(modelThreadsFor(0, 2, 2)).toBeUndefined();
  });

  it('reaches the host settings', () => {
    expect(createHost({ modelThreads: 1 }).settings.modelThreads).toBe(1);
    expect(createHost({ modelThreads: 0 }).settings.modelThreads).toBeUndefined();
    expect(createHost().settings.modelThreads).toBeUndefined();
  });

  it('pipeline run sessions get the threads asked for; by default the worker threads share the cores (onnxruntime\'s default without workers)', async () => {
    const clip = path.join(REPO_ROOT, 'samples/astronaut.mp4');
    // The real CLI: debug lines go to the process's stderr.
    const threads = async (flags: string[], env: NodeJS.ProcessEnv = {}) => {
      const { stderr } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'bin/visage.js'), 'pipeline', 'run', clip, '--set', 'frames=2', '--log-level', 'debug', ...flags], { env: { ...process.env, ...env } });
      return /intra-op threads per session: ([^\n]+)/.exec(stderr)?.[1];
    };
    // The default, 0: the sessions run in 2 worker threads that share the cores.
    const perWorker = `${Math.max(1, Math.floor(os.availableParallelism() / 2))} (cores ÷ 2 worker threads)`;
    expect(await threads(['--jobs', '2'])).toBe(perWorker);
    expect(await threads(['--jobs', '2'], { VISAGE_ORT_WORKERS: '0' })).toBe("onnxruntime's default");
    expect(await threads(['--jobs', '2', '--model-threads', '3'])).toBe('3');
    expect(await threads(['--jobs', '64', '--model-threads', 'auto'])).toBe('1'); // at least one
    expect(await threads(['--jobs', '1', '--model-threads', 'auto'])).toBe(perWorker);
  }, 120_000);

  it('refuses a thread count that is not auto or a whole number', async () => {
    const r = await runCli('pipeline', 'run', 'x.mp4', '--model-threads', 'many');
    expect(r.code).toBe(2);
    expect(r.err).toContain('CLI_OPTION_INVALID');
    expect(r.err).toContain('--model-threads');
  });
});
