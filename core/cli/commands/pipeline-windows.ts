/** The `--window` branch of `visage pipeline run`: its flags, and the run over each video's windows. */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { ResolvedPreset } from '../../config/resolve-preset.ts';
import { optionNeeds, windowOptionUnsupported } from '../../errors/messages.ts';
import type { Host } from '../../host/host.ts';
import { DEFAULT_SCENE_THRESHOLD } from '../../media/stream-windows.ts';
import type { OutputRow } from '../../output/row.ts';
import { RowWriter, type OutputFormat } from '../../output/row-writer.ts';
import type { Pipeline } from '../../pipeline/pipeline.ts';
import { windowRows, type FacesMode } from '../../pipeline/run-windows.ts';
import type { SourceRef } from '../../pipeline/stage-types.ts';
import type { VideoLength } from '../../pipeline/windows.ts';
import { StageProfiler } from '../../pipeline/stage-profiler.ts';
import { Interrupts } from '../../batch/interrupts.ts';
import { guardProcess } from '../../batch/process-guards.ts';
import type { CliIO } from '../cli-io.ts';
import { parseNumberIn, parseVideoLength } from '../option-parsers.ts';

export interface WindowFlags {
  window?: VideoLength;
  stride?: VideoLength;
  sceneThreshold?: number;
  faces?: FacesMode;
}

export function addWindowFlags(cmd: Command): Command {
  return cmd
    .option('--window <length>', 'one row per window of this length over each video, streamed in one pass, then a clip-level summary row: seconds (2s) or frames (48f)', parseVideoLength('--window'))
    .option('--stride <length>', 'with --window: how far each window starts after the one before (default: the window length)', parseVideoLength('--stride'))
    .option('--scene-threshold <score>', `with --window: ffmpeg scene score (0..1) from which a frame starts a new shot; windows never span a cut (default ${DEFAULT_SCENE_THRESHOLD}; 1 turns cuts off)`, parseNumberIn('--scene-threshold', 0, 1))
    .addOption(new Option('--faces <which>', 'with --window: follow the largest face track (default), or give one row per face track (a `face` column)').choices(['largest', 'all']));
}

type RunFlags = WindowFlags & {
  out?: string; format: OutputFormat; jobs: number; profile?: boolean; trace?: string;
  saveRenders?: string; resume?: boolean; report?: string; queue?: string; failFast?: boolean;
};

/** Options that need --window, and options --window cannot honour, are refused before anything loads. */
export function checkWindowFlags(flags: RunFlags): void {
  if (!flags.window) {
    const stray = flags.stride ? '--stride' : flags.sceneThreshold !== undefined ? '--scene-threshold' : flags.faces ? '--faces' : undefined;
    if (stray) throw optionNeeds(stray, '--window LENGTH', 'it shapes the windows of a windowed run, e.g. --window 2s --stride 1s');
    return;
  }
  const why: Record<string, string> = {
    '--queue': 'a queued job is one clip; run long videos on one machine',
    '--resume': 'a video\'s windows are one unit: rerun the video',
    '--save-renders': 'renders are per clip; run a short excerpt without --window to see them',
    '--report': 'the HTML report scores one row per clip; score the summary rows with visage eval',
  };
  const set: Record<string, unknown> = { '--queue': flags.queue, '--resume': flags.resume, '--save-renders': flags.saveRenders, '--report': flags.report };
  for (const [flag, value] of Object.entries(set)) if (value) throw windowOptionUnsupported(flag, why[flag]);
}

/** Each video in turn, its windows `--jobs` at a time; rows written as they finish, in window order. */
export async function runWindowed(host: Host, preset: ResolvedPreset, sources: SourceRef[], invalid: OutputRow[], flags: RunFlags, io: CliIO): Promise<number> {
  let rows = 0;
  let failed = 0;
  const summary = () => `${sources.length + invalid.length} video(s), ${rows} row(s): ${rows - failed} ok${failed ? `, ${failed} failed (see their rows' "error")` : ''}`;
  const interrupts = new Interrupts(summary).install();
  const guard = guardProcess((line) => io.err(line + '\n'));
  const profiler = flags.profile || flags.trace ? new StageProfiler() : undefined;
  const writer = new RowWriter(flags.format, flags.out, preset.classes ?? [], { levelSlots: preset.levels.map((l) => l.slot), windows: true });
  const write = async (row: OutputRow) => {
    rows++;
    if (row.error) failed++;
    await writer.writeRow(row);
  };
  let pl: Pipeline | undefined;
  try {
    pl = await host.pipeline(preset, { profiler, signal: interrupts.signal });
    await pl.prepare();
    for (const row of invalid) await write({ ...row, window: 'summary' });
    for (const source of sources) {
      for await (const row of windowRows(pl, source, { window: flags.window!, stride: flags.stride, sceneThreshold: flags.sceneThreshold, faces: flags.faces, jobs: flags.jobs, signal: interrupts.signal })) {
        await write(row);
      }
      if (interrupts.signal.aborted || (flags.failFast && failed)) break;
    }
    if (profiler && flags.profile) io.err(profiler.formatTable() + '\n');
    if (profiler && flags.trace) writeFileSync(flags.trace, JSON.stringify(profiler.chromeTrace()));
  } finally {
    await pl?.dispose();
    writer.close();
    guard.release();
    interrupts.uninstall();
    await host.dispose();
    io.err(summary() + '\n');
  }
  return failed ? 1 : 0;
}
