/**
 * Compute benchmark: GEMM throughput per engine, and one training step of the temporal
 * transformer per backend (and in PyTorch where importable).
 *
 *   npx tsx bench/compute/bench.ts [--reps N] [--sizes 128,256,512,1024] [--no-webgpu] [--no-naive]
 *
 * Engines: visage cpu and webgpu through the Backend interface (webgpu timings include the
 * readback), onnxruntime-node's public InferenceSession running one MatMul node, and a naive
 * JavaScript triple loop. All timings are medians.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { CpuBackend, createBackend, Rng, type Backend } from '../../core/compute/index.ts';
import { cpuThreads } from '../../core/compute/cpu/ort-gemm.ts';
import { jsMatmul } from '../../core/compute/cpu/js-gemm.ts';
import { buildTemporalStep, STEP } from './temporal-step.ts';
import { median, timeRuns } from '../lib/table.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REPS = Number(opt('reps', '15'));
const SIZES = opt('sizes', '128,256,512,1024').split(',').map(Number);
const THREADS = cpuThreads();

const timeIt = async (fn: () => unknown, reps: number, warmup = 2) => median(await timeRuns(fn, reps, warmup));

/**
 * Medians of two functions timed alternately (A B A B ...), so a load spike from other
 * processes on a shared machine hits both sides alike rather than whichever ran then.
 */
async function timeInterleaved(a: () => unknown, b: () => unknown | Promise<unknown>, reps: number): Promise<[number, number]> {
  for (let i = 0; i < 2; i++) {
    await a();
    await b();
  }
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    await a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    await b();
    tb.push(performance.now() - t0);
  }
  return [median(ta), median(tb)];
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

async function gemmTable(webgpu: Backend | null, naive: boolean): Promise<{ ratio512: { plain: number; spin: number } | null }> {
  const cpu = new CpuBackend();
  // Spinning pool threads win isolated GEMMs but slow the training step ~1.5-2x (they take the
  // core the JS kernels need between GEMMs), so the default backend does not spin; both are shown.
  const cpuSpin = new CpuBackend({ spinThreads: true });
  const session = await ort.InferenceSession.create(matMulModel(), { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const rng = new Rng(1);
  const rows: string[][] = [];
  let ratio512: { plain: number; spin: number } | null = null;
  for (const n of SIZES) {
    const a = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
    const b = Float32Array.from({ length: n * n }, () => rng.range(-1, 1));
    const flop = 2 * n ** 3;
    const gflops = (ms: number) => flop / ms / 1e6;
    const reps = n >= 1024 ? Math.max(5, Math.floor(REPS / 2)) : REPS;

    const [ca, cb, cc] = [cpu.upload(a), cpu.upload(b), cpu.alloc(n * n)];
    const opts = { batch: 1, m: n, k: n, n };
    const A = new ort.Tensor('float32', a, [n, n]), B = new ort.Tensor('float32', b, [n, n]);
    const [tCpu, tOrt] = await timeInterleaved(() => cpu.matmul(ca, cb, cc, opts), () => session.run({ A, B }), reps);
    const [sa, sb, sc] = [cpuSpin.upload(a), cpuSpin.upload(b), cpuSpin.alloc(n * n)];
    const [tSpin, tOrt2] = await timeInterleaved(() => cpuSpin.matmul(sa, sb, sc, opts), () => session.run({ A, B }), reps);

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
    if (naive) {
      const out = new Float32Array(n * n);
      tNaive = await timeIt(() => jsMatmul(a, b, out.fill(0), 1, n, n, n, false, false, false, false, 1), n >= 512 ? 1 : 3, n >= 512 ? 0 : 1);
    }
    if (n === 512) ratio512 = { plain: tOrt / tCpu, spin: tOrt2 / tSpin };
    const fmt = (ms: number | null) => (ms === null ? 'skipped' : `${gflops(ms).toFixed(1)} (${ms.toFixed(2)} ms)`);
    rows.push([String(n), fmt(tCpu), fmt(tSpin), webgpu ? fmt(tGpu) : 'unavailable', fmt(tOrt), fmt(tNaive), (tOrt / tCpu).toFixed(2), (tOrt2 / tSpin).toFixed(2)]);
  }
  printTable(`GEMM f32 n×n×n, GFLOP/s (median ms); ${THREADS} onnxruntime threads`,
    ['n', 'visage cpu (default)', 'visage cpu (spinning pool)', 'visage webgpu', 'onnxruntime MatMul', 'naive JS', 'default / ort', 'spinning / ort'], rows);
  cpu.close();
  cpuSpin.close();
  return { ratio512 };
}

function torchStep(reps: number): { ms: number; version: string; blas: string } | { skipped: string } {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return { skipped: 'no /usr/bin/python3' };
  try {
    execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return { skipped: 'torch is not importable by /usr/bin/python3 (apt-get install -y python3-torch)' };
  }
  const script = fileURLToPath(new URL('./torch_step.py', import.meta.url));
  const out = execFileSync(py, [script, String(THREADS), String(reps)], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  return { ms: r.median_ms, version: r.torch, blas: r.blas };
}

async function stepTable(webgpu: Backend | null): Promise<void> {
  const reps = Math.max(5, Math.floor(REPS / 2));
  const rows: string[][] = [];
  const cpuStep = buildTemporalStep(new CpuBackend());
  const tCpu = await timeIt(() => cpuStep.step(), reps);
  const torch = torchStep(reps);
  const torchMs = 'ms' in torch ? torch.ms : null;
  const ratio = (ms: number) => (torchMs ? `${(ms / torchMs).toFixed(2)}x` : '-');
  rows.push(['visage cpu', tCpu.toFixed(1), ratio(tCpu)]);
  if (webgpu) {
    const gpuStep = buildTemporalStep(webgpu);
    const tGpu = await timeIt(() => gpuStep.step(), Math.min(reps, 5), 1);
    rows.push(['visage webgpu', tGpu.toFixed(1), ratio(tGpu)]);
  } else {
    rows.push(['visage webgpu', 'unavailable', '-']);
  }
  rows.push('ms' in torch ? [`pytorch ${torch.version} cpu`, torch.ms.toFixed(1), '1.00x'] : ['pytorch cpu', `skipped: ${torch.skipped}`, '-']);
  const { batch, frames, dim, heads, mlp } = STEP;
  printTable(`Training step (forward, backward, SGD): temporal transformer d=${dim}, ${heads} heads, MLP ${mlp}, ${frames + 1} tokens, batch ${batch}; median ms`,
    ['engine', 'ms / step', 'vs pytorch'], rows);
  if ('ms' in torch) {
    // A distribution build of PyTorch may link a reference BLAS: say so next to the ratio.
    console.log(`pytorch: ${THREADS} threads, BLAS_INFO=${torch.blas}${torch.blas === 'generic' ? ' (reference BLAS: far slower GEMMs than an MKL/OpenBLAS build)' : ''}`);
  }
}

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
}

let webgpu: Backend | null = null;
if (!args.includes('--no-webgpu')) {
  try {
    webgpu = await createBackend('webgpu');
  } catch (e) {
    console.log(`webgpu: unavailable (${(e as Error).message})`);
  }
}
const { ratio512 } = await gemmTable(webgpu, !args.includes('--no-naive'));
if (ratio512 !== null) {
  const verdict = (r: number) => `${(r * 100).toFixed(0)}% (${r >= 0.8 ? 'meets' : 'below'} the 80% target)`;
  console.log(`\n512³ GEMM vs onnxruntime MatMul in the same run: default ${verdict(ratio512.plain)}, spinning pool ${verdict(ratio512.spin)}`);
}
await stepTable(webgpu);
process.exit(0);
