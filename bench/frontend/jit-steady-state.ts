/**
 * What V8 still compiles and deoptimizes once a `pipeline run` batch is warm (issue 14): `--warm`
 * clips of Megamind.avi through the host (embedded preset, jobs 2, the next clip prefetched, the
 * CLI's heap growth), then `--trace-opt --trace-deopt` switched on for `--clips` more, and the
 * TurboFan compiles and deopts counted per function. V8 prints its trace on the process's stdout
 * from C, so the batch runs in a child process whose stdout is a file, and this one counts. The
 * worker threads' isolates (onnxruntime sessions) print into the same trace and count with the rest.
 *
 *   npx tsx bench/frontend/jit-steady-state.ts [--warm 10] [--clips 40] [--video PATH]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const WARM = Number(arg('warm', '10'));
const CLIPS = Number(arg('clips', '40'));
const VIDEO = path.resolve(arg('video', path.resolve(import.meta.dirname, '../../../shared/data/faces/Megamind.avi')));
const MARK = '@@traced clips start';
const TRACE_FLAGS = ['--trace-opt', '--trace-deopt', '--print-opt-source'];

if (args.includes('--child')) await runBatch();
else report(traceOfChild());

/** The child: the warm-up clips, then the traced ones. */
async function runBatch(): Promise<void> {
  const { applyHeapGrowth } = await import('../../core/cli/heap-growth.ts');
  const { createHost } = await import('../../core/index.ts');
  applyHeapGrowth();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-jit-bench-'));
  const clipPath = (i: number) => {
    const p = path.join(dir, `clip-${i}${path.extname(VIDEO)}`);
    if (!existsSync(p)) symlinkSync(VIDEO, p);
    return p;
  };
  const host = createHost({ logLevel: 'error' });
  const pipeline = await host.pipeline({});
  const batch = async (from: number, to: number) => {
    let next = from;
    await Promise.all([0, 1].map(async () => {
      while (next < to) {
        const i = next++;
        if (next < to) pipeline.prefetch({ path: clipPath(next), id: `clip-${next}` });
        await pipeline.run({ path: clipPath(i), id: `clip-${i}` });
      }
    }));
  };
  await batch(0, WARM);
  process.stdout.write(`${MARK}\n`);
  v8.setFlagsFromString(TRACE_FLAGS.join(' '));
  await batch(WARM, WARM + CLIPS);
  v8.setFlagsFromString(TRACE_FLAGS.map((f) => f.replace('--', '--no-')).join(' '));
  await pipeline.dispose();
  await host.dispose();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The child's trace from the mark on, through a file: Node makes a piped stdout non-blocking, and
 * C's stdio then drops what does not fit in the pipe (half of the trace was lost that way).
 */
function traceOfChild(): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-jit-trace-'));
  const file = path.join(dir, 'trace.txt');
  const out = openSync(file, 'w');
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', ...args], { stdio: ['ignore', out, 'inherit'] });
    if (child.status !== 0) throw new Error(`the traced batch failed (exit ${child.status})`);
    const lines = readFileSync(file, 'utf8').split('\n');
    return lines.slice(lines.indexOf(MARK) + 1);
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts compiles and deopts per function, named by file, name and source position. */
function report(lines: string[]): void {
  const where = new Map<string, string>(); // function (sfi address) or optimization id -> where its source is
  let compiling: string | undefined;
  const compiles = new Map<string, number>();
  const deopts = new Map<string, number>();
  const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  for (const [i, line] of lines.entries()) {
    let m = /^\[compiling method \S+ <JSFunction ?(.*?) \(sfi = (\w+)\)/.exec(line);
    if (m) compiling = m[2];
    m = /^--- FUNCTION SOURCE \((.*):(.*?)\) id\{(\d+),-1\} start\{(\d+)\} ---$/.exec(line);
    if (m) {
      // The source follows the header: its start names an anonymous function.
      const file = m[1].replace(/^file:\/\//, '').replace(path.resolve(import.meta.dirname, '../..') + '/', '');
      const at = `${file}:${m[2] || `<anonymous> ${lines[i + 1]?.slice(0, 48)}`}`;
      where.set(`opt ${m[3]}`, at);
      if (compiling) where.set(compiling, at);
      compiling = undefined;
    }
    m = /^\[completed optimizing \S+ <JSFunction ?(.*?) \(sfi = (\w+)\)/.exec(line);
    if (m) count(compiles, where.get(m[2]) ?? (m[1] || '<anonymous>'));
    m = /reason: (.*?)\): begin\. deoptimizing \S+ <JSFunction ?(.*?) \(sfi = (\w+)\)/.exec(line);
    if (m) count(deopts, `${where.get(m[3]) ?? m[2]} (${m[1]})`);
    m = /^\[marking dependent code \S+ <Code TURBOFAN> \(\S+ <SharedFunctionInfo ?(.*?)>\) \(opt id (\d+)\) for deoptimization, reason: (.*)\]$/.exec(line);
    if (m) count(deopts, `${where.get(`opt ${m[2]}`) ?? m[1]} (dependent code: ${m[3]})`);
  }
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(`${path.basename(VIDEO)}, embedded preset, jobs 2, after ${WARM} warm-up clips, ${CLIPS} clips traced: ${total(compiles)} TurboFan compiles, ${total(deopts)} deopts (main thread and worker threads together)`);
  for (const [label, m] of [['compiles', compiles], ['deopts', deopts]] as const) {
    console.log(`${label} per function:`);
    for (const [fn, n] of [...m].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)}  ${fn}`);
  }
}
