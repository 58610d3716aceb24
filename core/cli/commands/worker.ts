/** `visage worker --queue URL`: serves clip jobs from a BullMQ queue on Redis until stopped. */
import { Command } from 'commander';
import { startWorker } from '../../queue/queue-worker.ts';
import { parseRootMaps } from '../../queue/root-map.ts';
import { addHostFlags, hostFromFlags, type HostFlagValues } from '../host-flags.ts';
import type { CliIO } from '../cli-io.ts';

interface WorkerFlags extends HostFlagValues {
  queue: string;
  concurrency: string;
  rootMap: string[];
  lockDuration: string;
  stalledInterval: string;
  maxStalled: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const positive = (v: string, fallback: number) => Math.max(1, Number.parseInt(v, 10) || fallback);

export function registerWorkerCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('worker')
    .summary('serve clip jobs from a Redis queue (pipeline run --queue, extract --queue)')
    .description('Takes clip jobs submitted by `visage pipeline run --queue URL` or `visage extract --queue URL` on any machine, runs them\n'
      + 'with this machine\'s plugins and --models, and returns the results. Refuses jobs whose plugins or models differ\n'
      + '(QUEUE_WORKER_MISMATCH). A worker that dies mid-job has its job handed to another worker. Stops on Ctrl-C or SIGTERM\n'
      + 'after finishing the jobs in hand. Prints one line per job on stderr.')
    .requiredOption('--queue <url>', 'Redis URL: redis://[USER:PASSWORD@]HOST:PORT/DB')
    .option('--concurrency <n>', 'jobs run at once by this worker', '1')
    .option('--root-map <from=to>', 'read media submitted under FROM from TO on this machine (repeatable)', collect, [])
    .option('--lock-duration <ms>', 'a job whose worker has been silent this long is handed to another worker', '30000')
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers', '15000')
    .option('--max-stalled <n>', 'times a job may lose its worker before it fails', '2');
  addHostFlags(cmd);
  cmd.addHelpText('after', '\nExamples:\n  visage worker --queue redis://127.0.0.1:6379/0 --concurrency 2\n  visage worker --queue redis://127.0.0.1:6379/0 --root-map /mnt/media=/data/media');
  cmd.action(async (flags: WorkerFlags) => {
    const host = hostFromFlags(flags, positive(flags.concurrency, 1));
    const worker = await startWorker({
      url: flags.queue,
      host,
      concurrency: positive(flags.concurrency, 1),
      rootMaps: parseRootMaps(flags.rootMap),
      lockMs: positive(flags.lockDuration, 30_000),
      stalledIntervalMs: positive(flags.stalledInterval, 15_000),
      maxStalledCount: Math.max(0, Number.parseInt(flags.maxStalled, 10) || 0),
      log: (line) => io.err(`${new Date().toISOString()} ${line}\n`),
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    io.err('worker: stopping after the jobs in hand\n');
    await worker.close();
    await host.dispose();
  });
}
