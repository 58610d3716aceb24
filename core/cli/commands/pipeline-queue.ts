/** The `--queue` branch of `visage pipeline run`: its flags, and the run through workers. */
import type { Command } from 'commander';
import type { ResolvedPreset } from '../../config/resolve-preset.ts';
import type { Host } from '../../host/host.ts';
import type { OutputRow } from '../../output/row.ts';
import { RowWriter, type OutputFormat } from '../../output/row-writer.ts';
import type { SourceRef } from '../../pipeline/stage-types.ts';
import { runOnQueue } from '../../queue/run-on-queue.ts';
import { parseRootMaps } from '../../queue/root-map.ts';
import { redactUrl } from '../../queue/redact-url.ts';
import { queueOptionUnsupported } from '../../errors/messages.ts';
import type { CliIO } from '../cli-io.ts';
import { parsePositiveInt } from '../option-parsers.ts';

export interface QueueFlags {
  queue?: string;
  rootMap: string[];
  attempts: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addQueueFlags(cmd: Command): Command {
  return cmd
    .option('--queue <url>', 'run on `visage worker`s through this Redis queue instead of here (their --concurrency replaces --jobs): redis://[USER:PASSWORD@]HOST:PORT/DB')
    .option('--root-map <from=to>', 'with --queue: send paths under FROM as under TO, where the workers mount the media (repeatable)', collect, [])
    .option('--attempts <n>', 'with --queue: tries per clip before its error row is final', parsePositiveInt('--attempts', 100), 3);
}

export async function runQueued(
  host: Host, preset: ResolvedPreset, sources: SourceRef[], invalid: OutputRow[],
  flags: QueueFlags & { out?: string; format: OutputFormat; failFast?: boolean; profile?: boolean; trace?: string; saveRenders?: string },
  io: CliIO,
): Promise<number> {
  const local = flags.profile ? '--profile' : flags.trace ? '--trace' : flags.saveRenders ? '--save-renders' : undefined;
  if (local) throw queueOptionUnsupported(local);
  const rootMaps = parseRootMaps(flags.rootMap);
  const writer = new RowWriter(flags.format, flags.out, preset.classes ?? []);
  // Rows are formatted and written one by one as they are collected; a write failure is reported once.
  let writeFailed = false;
  const sink = {
    write: (row: OutputRow) => {
      writer.writeRow(row).catch((e: Error) => {
        if (!writeFailed) io.err(`visage: ${e.message}\n`);
        writeFailed = true;
      });
    },
  };
  for (const row of invalid) sink.write(row);
  io.err(`submitting ${sources.length} clips to ${redactUrl(flags.queue!)}\n`);
  let failed = invalid.length;
  try {
    failed += await runOnQueue(preset, sources, sink, {
      url: flags.queue!,
      rootMaps,
      attempts: flags.attempts,
      failFast: flags.failFast,
      modelsDir: host.settings.modelsDir,
      log: (line) => io.err(`${line}\n`),
    });
  } finally {
    writer.close();
    await host.dispose();
  }
  const total = sources.length + invalid.length;
  io.err(`${total - failed} of ${total} clips ok${failed ? `, ${failed} failed (see their rows' "error")` : ''}\n`);
  return failed || writeFailed ? 1 : 0;
}
