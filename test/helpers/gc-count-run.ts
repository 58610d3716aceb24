/**
 * Run as a child process by test/frontend/heap-growth.test.ts and frame-reuse.test.ts: applies the
 * `visage` command's heap growth (VISAGE_HEAP_GROWING_PERCENT from the environment), runs `clips`
 * clips of `video` through the embedded preset two at a time, as `pipeline run --jobs 2` does, and
 * prints the major garbage collections of this thread during them as JSON. With `release` (the
 * third argument) each clip's frame memory is handed back as `pipeline run` does; with `keep` it
 * is left to the garbage collector.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { applyHeapGrowth } from '../../core/cli/heap-growth.ts';
import { createHost } from '../../core/index.ts';

const [video, count, frames] = [path.resolve(process.argv[2]), Number(process.argv[3]), process.argv[4]];
if (frames !== 'release' && frames !== 'keep') throw new Error(`third argument: release or keep, not ${frames}`);
const percent = applyHeapGrowth();
const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-gc-count-'));
// Each clip under its own name, as distinct files of a batch are.
const clip = (i: number) => {
  const p = path.join(dir, `clip-${i}${path.extname(video)}`);
  symlinkSync(video, p);
  return { path: p, id: `clip-${i}` };
};
const host = createHost({ logLevel: 'error' });
const pipeline = await host.pipeline({});
await pipeline.run(clip(-1)); // warm-up: model loading is not the steady state
let major = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
});
observer.observe({ entryTypes: ['gc'] });
let next = 0;
await Promise.all([0, 1].map(async () => {
  while (next < count) {
    const result = await pipeline.run(clip(next++));
    if (frames === 'release') pipeline.release(result);
  }
}));
await new Promise((r) => setTimeout(r, 50)); // the observer's last entries
observer.disconnect();
await pipeline.dispose();
await host.dispose();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ percent, major, clips: count })}\n`);
