/**
 * Where the cpu training step spends its time: wall time per backend kernel, summed over
 * steps and averaged (a profile, not a benchmark; see bench.ts for the figures).
 *
 *   npx tsx bench/compute/profile-step.ts [--steps 10]
 */
import { CpuBackend } from '../../core/compute/index.ts';
import { buildTemporalStep } from './temporal-step.ts';

const i = process.argv.indexOf('--steps');
const steps = i >= 0 ? Number(process.argv[i + 1]) : 10;
const backend = new CpuBackend();
const stats = new Map<string, { calls: number; ms: number }>();
const record = backend as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of Object.getOwnPropertyNames(CpuBackend.prototype)) {
  const original = record[name];
  if (name === 'constructor' || typeof original !== 'function') continue;
  record[name] = function (this: unknown, ...args: unknown[]) {
    // Split the generic kernels by op so the table says which elementwise op costs.
    const key = ['unary', 'binary', 'reduce'].includes(name) ? `${name}:${String(args[0])}` : name;
    const t0 = performance.now();
    const result = original.apply(this, args);
    const s = stats.get(key) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += performance.now() - t0;
    stats.set(key, s);
    return result;
  };
}
const { step } = buildTemporalStep(backend);
await step();
await step();
stats.clear();
const t0 = performance.now();
for (let s = 0; s < steps; s++) await step();
const total = (performance.now() - t0) / steps;
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms);
console.log(`mean step ${total.toFixed(1)} ms over ${steps} steps\n| kernel | calls/step | ms/step | share |\n|---|---|---|---|`);
for (const [k, v] of rows) {
  if (v.ms / steps < 0.05) continue;
  console.log(`| ${k} | ${v.calls / steps} | ${(v.ms / steps).toFixed(2)} | ${((100 * v.ms) / steps / total).toFixed(0)}% |`);
}
