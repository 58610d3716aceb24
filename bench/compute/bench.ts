/**
 * Compute benchmark: GEMM throughput of the default cpu backend against onnxruntime's own
 * MatMul, and one training step of the temporal transformer against the same step in PyTorch.
 *
 *   npm run bench:compute -- [--reps N] [--sizes 128,256,512,1024] [--step-reps N] [--no-webgpu] [--no-naive] [--spin]
 *
 * The machine may be shared: every comparison alternates the two sides rep by rep (ours, theirs,
 * theirs, ours, ...), so a load spike from other processes hits both alike, and prints medians
 * with the load average. PyTorch runs in one long-lived Python process (torch_step.py) that
 * takes a step whenever asked, so its steps interleave with ours too.
 *
 * Engines: visage cpu through the Backend interface (default options), onnxruntime-node's public
 * InferenceSession running one MatMul node (its default options), the webgpu backend (timings
 * include the readback), a naive JavaScript triple loop, and with --spin the cpu backend with a
 * spinning onnxruntime pool.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { CpuBackend, createBackend, Rng, type Backend } from '../../core/compute/index.ts';
import { cpuThreads } from '../../core/compute/cpu/ort-gemm.ts';
import { jsMatmul } from '../../core/compute/cpu/js-gemm.ts';
import { buildTemporalStep, STEP } from './temporal-step.ts';
import { TorchStep, torchUnavailable } from './torch-runner.ts';
import { median, timeRuns } from '../lib/table.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REPS = Number(opt('reps', '21'));
const STEP_REPS = Number(opt('step-reps', '15'));
const SIZES = opt('sizes', '128,256,512,1024').split(',').map(Number);
const THREADS = cpuThreads();
const GEMM_TARGET = 0.8;
const STEP_TARGET = 1.0;

const timeIt = async (fn: () => unknown, reps: number, warmup = 2) => median(await timeRuns(fn, reps, warmup));
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');

interface Paired {
  /** Medians of each side. */
  a: number;
  b: number;
  /**
   * Median over reps of b / a within the rep: the two calls of a rep run back to back, under
   * about the same load, so this ratio drifts less than the ratio of the medians.
   */
  bOverA: number;
  /** The 10th and 90th percentiles of the per-rep b / a: how far single reps stray from the median. */
  bOverAP10: number;
  bOverAP90: number;
}

/**
 * Times a and b alternately, swapping which goes first every rep (a b, b a, a b, ...). Before
 * every call it waits until the threads of the given processes have stopped running: pool
 * threads that spin-wait after a call (onnxruntime's default pool spins 2^20 pause instructions,
 * which takes tens of ms, far longer when the machine is loaded; OpenBLAS's and OpenMP's threads
 * spin too) would otherwise take a core from whatever runs next and charge it to the other side.
 */
async function interleaved(a: () => Promise<number>, b: () => Promise<number>, reps: number, pids: number[], warmup = 2): Promise<Paired> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    const [first, second, tFirst, tSecond] = i % 2 === 0 ? [a, b, ta, tb] : [b, a, tb, ta];
    await untilIdle(pids);
    tFirst.push(await first());
    await untilIdle(pids);
    tSecond.push(await second());
  }
  const ratios = tb.map((t, i) => t / ta[i]);
  return { a: median(ta), b: median(tb), bOverA: median(ratios), bOverAP10: percentile(ratios, 0.1), bOverAP90: percentile(ratios, 0.9) };
}

/** The q-quantile (0..1) of values, by linear interpolation between the nearest ranks. */
function percentile(values: number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const i = q * (s.length - 1);
  const lo = Math.floor(i);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (i - lo) : s[lo];
}

/** Waits (at most `maxMs`) until no thread of these processes is running, except this one. */
async function untilIdle(pids: number[], maxMs = 3000): Promise<void> {
  const t0 = performance.now();
  const running = () => pids.some((pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`).some((tid) => {
        if (Number(tid) === process.pid) return false;
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'R';
      });
    } catch {
      return false; // no /proc (not Linux), or the process or thread has just ended
    }
  });
  while (running() && performance.now() - t0 < maxMs) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Wall time of one call, in ms. */
async function wall(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function matMulModel(): Uint8Array {
  const { onnx } = onnxProto;
  const vi = (name: string, dims: string[]) => ({
    name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((dimParam) => ({ dimParam })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'mm', node: [{ opType: 'MatMul', input: ['A', 'B'], output: ['C'] }], input: [vi('A', ['m', 'k']), vi('B', ['k', 'n'])], output: [vi('C', ['m', 'n'])] },
  }).finish();
}

/** Returns default-cpu speed as a fraction of onnxruntime's, per size. */
async function gemmTable(webgpu: Backend | null): Promise<Map<number, number>> {
  const cpu = new CpuBackend();
  // A spinning pool wins isolated GEMMs but slows the training step (its threads take the core
  // the JS kernels need between GEMMs), so the default backend does not spin.
  const cpuSpin = args.includes('--spin') ? new CpuBackend({ spinThreads: true }) : null;
  const session = await ort.InferenceSession.create(matMulModel(), { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const rng = new Rng(1);
  const rows: string[][] = [];
  const ratios = new Map<number, number>();
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
    const b = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
    const flop = 2 * n ** 3;
    const gflops = (ms: number) => flop / ms / 1e6;
    const reps = REPS;

    const [ca, cb, cc] = [cpu.upload(a), cpu.upload(b), cpu.alloc(n * n)];
    const opts = { batch: 1, m: n, k: n, n };
    const A = new ort.Tensor('float32', a, [n, n]), B = new ort.Tensor('float32', b, [n, n]);
    // Each side runs a burst of 3 back-to-back GEMMs per turn, timed as the burst's median: a
    // spinning pool (onnxruntime's default) is then as warm as in a loop of GEMMs.
    const burst = (fn: () => unknown) => async () => median([await wall(fn), await wall(fn), await wall(fn)]);
    const ortRun = burst(() => session.run({ A, B }));
    const t = await interleaved(burst(() => cpu.matmul(ca, cb, cc, opts)), ortRun, reps, [process.pid]);
    let spin: Paired | null = null;
    if (cpuSpin) {
      const [sa, sb, sc] = [cpuSpin.upload(a), cpuSpin.upload(b), cpuSpin.alloc(n * n)];
      spin = await interleaved(burst(() => cpuSpin.matmul(sa, sb, sc, opts)), ortRun, reps, [process.pid]);
    }

    let tGpu: number | null = null;
    if (webgpu) {
      const [ga, gb, gc] = [webgpu.upload(a), webgpu.upload(b), webgpu.alloc(n * n)];
      tGpu = await timeIt(async () => {
        webgpu.matmul(ga, gb, gc, opts);
        await webgpu.read(gc);
      }, Math.min(reps, 5), 1);
      for (const x of [ga, gb, gc]) webgpu.dispose(x);
    }

    let tNaive: number | null = null;
    if (!args.includes('--no-naive')) {
      const out = new Float32Array(n * n);
      tNaive = await timeIt(() => jsMatmul(a, b, out.fill(0), 1, n, n, n, false, false, false, false, 1), n >= 512 ? 1 : 3, n >= 512 ? 0 : 1);
    }
    ratios.set(n, t.bOverA);
    const fmt = (ms: number | null) => (ms === null ? '-' : `${gflops(ms).toFixed(1)} (${ms.toFixed(2)} ms)`);
    const pct = (r: number) => `${(100 * r).toFixed(0)}%`;
    rows.push([String(n), fmt(t.a), fmt(t.b), `${pct(t.bOverA)} (${pct(t.bOverAP10)}-${pct(t.bOverAP90)})`,
      spin ? `${fmt(spin.a)}, ${(100 * spin.bOverA).toFixed(0)}%` : '-', webgpu ? fmt(tGpu) : 'unavailable', fmt(tNaive)]);
  }
  printTable(`GEMM f32 n×n×n, GFLOP/s (median ms), ${REPS} turns of 3 back-to-back GEMMs, ours and onnxruntime's alternating; ${THREADS} onnxruntime threads; ratio: median of per-rep ratios (10th-90th percentile)`,
    ['n', 'visage cpu (default)', 'onnxruntime MatMul', 'visage / onnxruntime', 'spinning pool (--spin)', 'visage webgpu', 'naive JS'], rows);
  cpu.close();
  cpuSpin?.close();
  return ratios;
}

/**
 * Ours against PyTorch with `threads` threads each, alternating; ours / PyTorch. Both sides' CPU
 * time too: it holds on a loaded machine where wall time does not (and shows spinning threads).
 */
async function stepPair(threads: number, rows: string[][], denseGradients = false): Promise<number> {
  const cpuStep = buildTemporalStep(new CpuBackend({ threads }), 1, { denseGradients });
  const torch = await TorchStep.start(threads);
  const { info } = torch;
  const blas = info.blas_libs.length ? info.blas_libs.join(', ') : 'none mapped';
  console.log(`\npytorch ${info.torch}: ${info.threads} threads; BLAS loaded: ${blas}` +
    (info.blas_threads !== null ? `, ${info.blas_threads} BLAS threads` : ''));
  const ourCpu: number[] = [], torchCpu: number[] = [];
  const ours = async () => {
    const c0 = process.cpuUsage();
    const ms = await wall(() => cpuStep.step());
    const c = process.cpuUsage(c0);
    ourCpu.push((c.user + c.system) / 1000);
    return ms;
  };
  const theirs = async () => {
    const r = await torch.step();
    torchCpu.push(r.cpu_ms);
    return r.ms;
  };
  const t = await interleaved(ours, theirs, STEP_REPS, [process.pid, torch.pid]);
  torch.close();
  const ratio = 1 / t.bOverA;
  rows.push([`visage cpu, ${threads} thread(s)${denseGradients ? ', dense gradients' : ''}`, t.a.toFixed(1), median(ourCpu).toFixed(1), `${ratio.toFixed(2)}x`],
    [`pytorch ${info.torch} cpu, ${threads} thread(s)`, t.b.toFixed(1), median(torchCpu).toFixed(1), '1.00x']);
  return ratio;
}

/**
 * Ours / PyTorch with THREADS threads each and with 1 thread each (null when PyTorch is
 * unavailable). One thread each is shown too because on a loaded machine PyTorch's 2-thread step
 * collapses (its OpenMP and OpenBLAS threads wait on each other while descheduled), which makes
 * the default comparison flatter us.
 */
let denseRatio = null as number | null;

async function stepTable(webgpu: Backend | null): Promise<Map<number, number> | null> {
  const { batch, frames, dim, heads, mlp } = STEP;
  const title = `Training step (forward, backward, SGD): temporal transformer d=${dim}, ${heads} heads, MLP ${mlp}, ${frames + 1} tokens, batch ${batch}`;
  const rows: string[][] = [];
  let ratios: Map<number, number> | null = null;
  const why = torchUnavailable();
  if (why) {
    const cpuStep = buildTemporalStep(new CpuBackend());
    const ms = await timeIt(() => cpuStep.step(), STEP_REPS);
    rows.push(['visage cpu', ms.toFixed(1), '-', '-'], ['pytorch cpu', `skipped: ${why}`, '-', '-']);
  } else {
    ratios = new Map();
    for (const threads of new Set([THREADS, 1])) ratios.set(threads, await stepPair(threads, rows));
    // The same step without row-sparse gradients: the work PyTorch's autograd does.
    denseRatio = await stepPair(1, rows, true);
  }
  if (webgpu) {
    const gpuStep = buildTemporalStep(webgpu);
    const ms = await timeIt(() => gpuStep.step(), Math.min(STEP_REPS, 5), 1);
    rows.push(['visage webgpu', ms.toFixed(1), '-', '-']);
  }
  printTable(`${title}; median of ${STEP_REPS} steps each, alternating; ratio: median of per-rep ratios`, ['engine', 'wall ms / step', 'CPU ms / step', 'vs pytorch'], rows);
  return ratios;
}

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
}

console.log(`load average at start: ${load()} (${THREADS} threads)`);
let webgpu: Backend | null = null;
if (!args.includes('--no-webgpu')) {
  try {
    webgpu = await createBackend('webgpu');
  } catch (e) {
    console.log(`webgpu: unavailable (${(e as Error).message})`);
  }
}
const ratios = await gemmTable(webgpu);
const stepRatios = await stepTable(webgpu);
console.log(`\nSummary (load average at end: ${load()})`);
for (const n of [512, 1024]) {
  const r = ratios.get(n);
  if (r !== undefined) {
    console.log(`- ${n}³ GEMM, default cpu vs onnxruntime MatMul: ${(r * 100).toFixed(0)}% (${r >= GEMM_TARGET ? 'meets' : 'below'} the ${GEMM_TARGET * 100}% target)`);
  }
}
if (stepRatios === null) console.log('- training step vs PyTorch: not measured (PyTorch unavailable)');
for (const [threads, r] of stepRatios ?? []) {
  console.log(`- training step vs PyTorch, ${threads} thread(s) each: ${r.toFixed(2)}x (${r <= STEP_TARGET ? 'meets' : 'above'} the ${STEP_TARGET.toFixed(1)}x target)`);
}
if (denseRatio !== null) console.log(`- the same step with dense gradients (no row-sparse CLS gradient, PyTorch's work), 1 thread each: ${denseRatio.toFixed(2)}x`);
process.exit(0);
