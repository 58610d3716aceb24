/**
 * Reproduces the dawn.node crash that environment.md section 7 saw "at N >= 384", and shows
 * the fix. Run with `node --expose-gc --import tsx scripts/vulkan/repro-instance-gc.ts [--drop]`
 * and a Vulkan driver in the environment (the lines install-swiftshader.sh prints).
 *
 * --drop: keep only the device, as the crashing benchmark did; the object from create() (it
 *         owns the Dawn instance) becomes garbage, the next GC destroys the instance under the
 *         live device and the process dies in InstanceBase::ProcessEvents (SIGSEGV, abort with
 *         std::system_error "Invalid argument", or a futex/mutex assertion).
 * default: the same work through DeviceExecutor, which holds the instance; survives.
 * Each round runs an N x N GEMM and then forces a GC, so the outcome does not depend on N.
 */
import { create } from 'webgpu';
import { DeviceExecutor } from '../../core/compute/webgpu/executor.ts';
import { matmulKernel } from '../../core/compute/webgpu/kernels/matmul.ts';

const drop = process.argv.includes('--drop');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function droppedInstanceDevice(): Promise<GPUDevice> {
  const adapter = await create([]).requestAdapter(); // the GPU object is garbage after this line
  if (!adapter) throw new Error('no adapter');
  return adapter.requestDevice();
}

if (drop) {
  const device = await droppedInstanceDevice();
  for (const n of [64, 128, 256, 384, 512]) {
    gc();
    const buf = device.createBuffer({ size: n * n * 4, usage: 1 | 8 }); // MAP_READ | COPY_DST
    const enc = device.createCommandEncoder();
    device.queue.submit([enc.finish()]);
    await buf.mapAsync(1);
    buf.unmap();
    console.log(`round n=${n} ok`);
  }
} else {
  const ex = await DeviceExecutor.create();
  if (!ex) throw new Error('no adapter');
  const [a, b, c] = [1, 2, 3];
  for (const n of [64, 128, 256, 384, 512]) {
    const k = matmulKernel({ id: a, dtype: 'f32' }, { id: b, dtype: 'f32' }, { id: c, dtype: 'f32' }, { batch: 1, m: n, k: n, n }, 'register');
    const ones = new Float32Array(n * n).fill(1);
    const out = await ex.run({
      cmds: [
        { k: 'alloc', id: a, bytes: n * n * 4 }, { k: 'alloc', id: b, bytes: n * n * 4 }, { k: 'alloc', id: c, bytes: n * n * 4 },
        { k: 'write', id: a, data: ones, offset: 0 }, { k: 'write', id: b, data: ones, offset: 0 },
        { k: 'shader', sid: n, code: k.code }, { k: 'dispatch', sid: n, buffers: k.buffers, params: k.params, groups: k.groups },
      ],
      request: { rid: 1, k: 'read', id: c, bytes: 4 },
    });
    const first = new Float32Array(out!)[0];
    if (first !== n) throw new Error(`wrong GEMM result ${first}, want ${n}`);
    await ex.run({ cmds: [{ k: 'free', id: a }, { k: 'free', id: b }, { k: 'free', id: c }] });
    gc();
    console.log(`round n=${n} ok`);
  }
  ex.destroy();
}
console.log('survived');
