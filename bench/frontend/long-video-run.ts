/**
 * One length of the long-video benchmark, in a process of its own so its peak RSS is its own:
 * `pipeline run --window` over VIDEO through the real host, after a warm-up clip (model loading is
 * not part of the per-minute cost). Prints one JSON line: seconds of wall time for the windowed
 * run and CPU seconds (with ffmpeg's), windows, rows that failed, peak RSS of the process, and the highest RSS sampled during the run.
 *
 *   tsx bench/frontend/long-video-run.ts VIDEO WINDOW STRIDE FRAMES
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHost } from '../../core/index.ts';
import { parseVideoLength } from '../../core/cli/option-parsers.ts';
import { windowRows } from '../../core/pipeline/run-windows.ts';

const [video, window, stride, frames] = process.argv.slice(2);
const host = createHost({ logLevel: 'error' });
const pipeline = await host.pipeline({ set: [`frames=${Number(frames)}`] });
await pipeline.run({ path: path.resolve(import.meta.dirname, '../../samples/astronaut.mp4'), id: 'warmup' });

/**
 * CPU seconds of this process and its reaped children (ffmpeg, ffprobe) from /proc/self/stat:
 * utime, stime, cutime, cstime in USER_HZ ticks (100 per second on Linux). On a shared machine
 * CPU time holds steadier than wall time.
 */
const cpuSeconds = (): number => {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return fields.slice(11, 15).reduce((a, t) => a + Number(t), 0) / 100;
};

let sampledRss = 0;
const sampler = setInterval(() => (sampledRss = Math.max(sampledRss, process.memoryUsage().rss)), 200);
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const cpu0 = cpuSeconds();
let windows = 0;
let failed = 0;
for await (const row of windowRows(pipeline, { path: video }, { window: parseVideoLength('--window')(window), stride: parseVideoLength('--stride')(stride), jobs: 2 })) {
  if (row.window === 'summary') continue;
  windows++;
  if (row.error) failed++;
}
const wallS = (performance.now() - t0) / 1000;
const cpuS = cpuSeconds() - cpu0;
clearInterval(sampler);
console.log(JSON.stringify({
  wallS, cpuS, windows, failed,
  rssBeforeMiB: rssBefore / 2 ** 20,
  runPeakRssMiB: sampledRss / 2 ** 20,
  processPeakRssMiB: process.resourceUsage().maxRSS / 1024,
}));
await pipeline.dispose();
await host.dispose();
