import { CpuBackend, type MatmulOptions } from './core/compute/index.ts';
const cases: Array<[string, MatmulOptions]> = [
  ['qkv fwd', { batch: 1, m: 816, k: 512, n: 1536, transB: true }],
  ['qkv dX', { batch: 1, m: 816, k: 1536, n: 512 }],
  ['qkv dW', { batch: 1, m: 1536, k: 816, n: 512, transA: true }],
  ['fc1 fwd', { batch: 1, m: 816, k: 512, n: 1024, transB: true }],
  ['fc2 fwd', { batch: 1, m: 816, k: 1024, n: 512, transB: true }],
  ['fc2 dW', { batch: 1, m: 512, k: 816, n: 1024, transA: true }],
  ['attn qk', { batch: 384, m: 17, k: 64, n: 17, transB: true, alpha: 0.125 }],
  ['attn pv', { batch: 384, m: 17, k: 17, n: 64 }],
];
for (const spin of [false, true]) {
  const be = new CpuBackend({ spinThreads: spin });
  for (const [name, o] of cases) {
    const a = be.alloc(o.batch * o.m * o.k), b = be.alloc(o.batch * o.k * o.n), c = be.alloc(o.batch * o.m * o.n);
    be.fill(a, 0.5); be.fill(b, 0.25);
    for (let i = 0; i < 3; i++) be.matmul(a, b, c, o);
    const ts: number[] = [];
    for (let i = 0; i < 15; i++) { const t0 = performance.now(); be.matmul(a, b, c, o); ts.push(performance.now() - t0); }
    ts.sort((x, y) => x - y);
    const ms = ts[7];
    console.log(spin ? 'spin  ' : 'nospin', name.padEnd(8), ms.toFixed(3), 'ms', (2 * o.batch * o.m * o.k * o.n / ms / 1e6).toFixed(1), 'GFLOP/s');
  }
}
