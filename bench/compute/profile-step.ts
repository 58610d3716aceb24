/**
 * Where the cpu training step spends its time: wall and CPU time per backend kernel, summed
 * over steps and averaged (a profile, not a benchmark; see bench.ts for the figures). CPU time
 * (this process, all threads) holds on a loaded machine where wall time does not: a JS kernel
 * runs on one thread, so its CPU time is its wall time on a quiet machine; a GEMM's counts both
 * onnxruntime threads.
 *
 *   npx tsx bench/compute/profile-step.ts [--steps 10] [--shapes]   (--shapes: one row per GEMM shape)
 *
 * The same split on the PyTorch side (its ops' self CPU time, GEMMs against the rest):
 *   VISAGE_CPU_THREADS=1 npx tsx bench/compute/profile-step.ts; /usr/bin/python3 bench/compute/torch_step.py 1 --profile 10
 */
import { CpuBackend, type MatmulOptions } from '../../core/compute/index.ts';
import { buildTemporalStep } from './temporal-step.ts';

const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : 10;
const backend = new CpuBackend();
const stats = new Map<string, { calls: number; ms: number; cpuMs: number }>();
const record = backend as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of Object.getOwnPropertyNames(CpuBackend.prototype)) {
  const original = record[name];
  if (name === 'constructor' || typeof original !== 'function') continue;
  record[name] = function (this: unknown, ...args: unknown[]) {
    // Split the generic kernels by op so the table says which elementwise op costs.
    const key = ['unary', 'binary', 'reduce'].includes(name) ? `${name}:${String(args[0])}`
      : name === 'matmul' && process.argv.includes('--shapes') ? `matmul ${matmulShape(args[3] as MatmulOptions)}` : name;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const result = original.apply(this, args);
    const s = stats.get(key) ?? { calls: 0, ms: 0, cpuMs: 0 };
    s.calls++;
    s.ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    s.cpuMs += (c.user + c.system) / 1000;
    stats.set(key, s);
    return result;
  };
}
const { step } = buildTemporalStep(backend);
await step();
await step();
stats.clear();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let s = 0; s < steps; s++) await step();
const total = (performance.now() - t0) / steps;
const c = process.cpuUsage(c0);
const totalCpu = (c.user + c.system) / 1000 / steps;
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms);
const kernelsMs = rows.reduce((s, [, v]) => s + v.ms, 0) / steps;
console.log(`mean step ${total.toFixed(1)} ms wall, ${totalCpu.toFixed(1)} ms CPU over ${steps} steps; outside kernels (autodiff, JS): ${(total - kernelsMs).toFixed(1)} ms wall`);
const gemmCpu = rows.filter(([k]) => k.startsWith('matmul')).reduce((s, [, v]) => s + v.cpuMs, 0) / steps;
const kernelsCpu = rows.reduce((s, [, v]) => s + v.cpuMs, 0) / steps;
console.log(`kernels' CPU time per step: GEMMs ${gemmCpu.toFixed(1)} ms, everything else ${(kernelsCpu - gemmCpu).toFixed(1)} ms`);
console.log('| kernel | calls/step | wall ms/step | share | CPU ms/step |\n|---|---|---|---|---|');
for (const [k, v] of rows) {
  if (v.ms / steps < 0.05) continue;
  console.log(`| ${k} | ${v.calls / steps} | ${(v.ms / steps).toFixed(2)} | ${((100 * v.ms) / steps / total).toFixed(0)}% | ${(v.cpuMs / steps).toFixed(2)} |`);
}

function matmulShape(o: MatmulOptions): string {
  return `${o.batch}x${o.m}x${o.k}x${o.n}${o.transA ? ' tA' : ''}${o.transB ? ' tB' : ''}${o.accumulate ? ' acc' : ''}`;
}
