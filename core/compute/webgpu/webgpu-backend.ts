/**
 * The webgpu backend: implements backend.ts's kernel interface with WGSL compute shaders on
 * Dawn (the `webgpu` npm package).
 *
 * Every kernel call builds its shader (cached by source) and params here, in the caller's
 * process, and appends a command to a stream; the stream goes to the device host in batches
 * (at a read or flush, every 256 commands, or on the next macrotask), so ops return at once
 * and the device works while JavaScript keeps enqueuing. By default the device lives in a
 * child process (device-host.ts): a crash or hang of dawn.node or the Vulkan driver becomes a
 * BACKEND_UNAVAILABLE error instead of ending the run.
 */
import { errors } from '../../errors/index.ts';
import type {
  AdamWOptions, Backend, BinaryOp, BinaryOptions, CopyOptions, DType, DeviceBuffer, MatmulOptions, ReduceOp,
  ReduceOptions, SgdOptions, UnaryOp,
} from '../backend.ts';
import { ChildProcessHost, InProcessHost, type DeviceHost } from './device-host.ts';
import { findVulkanDriver, type DriverChoice } from './driver.ts';
import { coalesce } from '../coalesce-dims.ts';
import type { Kernel } from './kernels/common.ts';
import {
  MAX_RANK, affineKernel, binaryKernel, copyKernel, dropoutKernel, fillKernel, unaryBackwardKernel, unaryKernel,
} from './kernels/elementwise.ts';
import { gatherKernel, scatterAddKernel } from './kernels/indexing.ts';
import { matmulKernel, type GemmVariant } from './kernels/matmul.ts';
import { adamwKernel, sgdKernel } from './kernels/optim.ts';
import {
  layerNormBackwardKernel, layerNormKernel, layerNormParamGradKernel, reduceKernel, reduceMaxBackwardKernel,
  softmaxBackwardKernel, softmaxKernel, type Lanes,
} from './kernels/rows.ts';
import type { AdapterSummary, Command } from './protocol.ts';

export interface WebGpuBackendOptions {
  /** Vulkan driver: 'auto' (default), 'system', 'swiftshader', 'lavapipe' or an ICD json path. */
  driver?: DriverChoice;
  /** 'process' (default): the device runs in a child process; 'none': in this process. */
  isolate?: 'process' | 'none';
  /** Longest wait for one read or flush before the device is declared hung (default 120 s). */
  timeoutMs?: number;
  /** Longest wait for the device to start (default 60 s). */
  startTimeoutMs?: number;
  /** GEMM kernel; 'auto' picks 'register' on CPU adapters and 'tiled' on GPUs. */
  gemm?: 'auto' | GemmVariant;
  /** Refuse software adapters (SwiftShader, lavapipe), for `--device auto`: there cpu is faster. */
  requireHardware?: boolean;
  /** Threads per row in row kernels (softmax, layer norm, row sums); 'auto': 1 on CPU adapters, 64 on GPUs. */
  rowLanes?: 'auto' | Lanes;
}

export class WebGpuBuffer implements DeviceBuffer {
  readonly backend = 'webgpu';
  disposed = false;
  constructor(readonly id: number, readonly size: number, readonly dtype: DType) {}
}

/** Commands sent in one IPC message at most; also bounds the memory a long enqueue holds. */
const BATCH = 256;

/** Starts the device (in a child process unless `isolate: 'none'`) and returns the backend. */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const driver = findVulkanDriver(options.driver ?? 'auto');
  if (!driver) {
    throw errors.backendUnavailable('webgpu', `the ${options.driver} Vulkan driver is not installed (run scripts/vulkan/install-swiftshader.sh${options.driver === 'lavapipe' ? ' --lavapipe' : ''})`);
  }
  const host = options.isolate === 'none'
    ? await InProcessHost.start(driver)
    : await ChildProcessHost.start(driver, { timeoutMs: options.timeoutMs ?? 120_000, startTimeoutMs: options.startTimeoutMs ?? 60_000 });
  if (options.requireHardware && host.info.software) {
    await host.close();
    throw errors.backendUnavailable('webgpu', `only a software adapter is present (${host.info.description || host.info.architecture}), slower than the cpu backend`);
  }
  return new WebGpuBackend(host, options, driver.name);
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly gemmVariant: GemmVariant;
  readonly rowLanes: Lanes;
  private cmds: Command[] = [];
  private readonly shaders = new Map<string, number>();
  private nextId = 1;
  private postScheduled = false;

  constructor(private readonly host: DeviceHost, options: WebGpuBackendOptions = {}, readonly driverName = 'system') {
    const software = host.info.software;
    this.gemmVariant = !options.gemm || options.gemm === 'auto' ? (software ? 'register' : 'tiled') : options.gemm;
    this.rowLanes = !options.rowLanes || options.rowLanes === 'auto' ? (software ? 1 : 64) : options.rowLanes;
  }

  /** Process id of the device process (undefined when the device runs in this process). */
  get devicePid(): number | undefined {
    return this.host.pid;
  }

  /** The adapter the device runs on (name, software or not, limits). */
  get adapter(): AdapterSummary {
    return this.host.info;
  }

  // ---- storage ------------------------------------------------------------------------------
  alloc(size: number, dtype: DType = 'f32'): WebGpuBuffer {
    if (!Number.isInteger(size) || size < 0) throw errors.invalidComputeArgument('alloc', `size must be a whole number >= 0, got ${size}`);
    const bytes = size * 4;
    if (bytes > this.host.info.maxStorageBufferBindingSize) {
      throw errors.invalidComputeArgument('alloc', `${size} elements exceed this adapter's ${this.host.info.maxStorageBufferBindingSize}-byte buffer limit`);
    }
    const buf = new WebGpuBuffer(this.nextId++, size, dtype);
    this.enqueue({ k: 'alloc', id: buf.id, bytes });
    return buf;
  }

  upload(data: Float32Array | Int32Array): WebGpuBuffer {
    const buf = this.alloc(data.length, data instanceof Int32Array ? 'i32' : 'f32');
    this.write(buf, data);
    return buf;
  }

  write(buf: DeviceBuffer, data: Float32Array | Int32Array, offset = 0): void {
    const b = this.ref(buf);
    if (offset + data.length > b.size) throw errors.shapeMismatch('write', `${data.length} elements at offset ${offset} do not fit a buffer of ${b.size}`);
    if (data.length === 0) return;
    // Copied now: the caller may reuse its array before the command is sent.
    this.enqueue({ k: 'write', id: b.id, data: data.slice(), offset });
  }

  async read(buf: DeviceBuffer): Promise<Float32Array | Int32Array> {
    const b = this.ref(buf);
    const data = await this.host.request({ cmds: this.take(), request: { rid: 0, k: 'read', id: b.id, bytes: b.size * 4 } });
    const bytes = data ?? new ArrayBuffer(0);
    return b.dtype === 'i32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  dispose(buf: DeviceBuffer): void {
    const b = buf as WebGpuBuffer;
    if (!(b instanceof WebGpuBuffer) || b.disposed) return;
    b.disposed = true;
    this.enqueue({ k: 'free', id: b.id });
  }

  async flush(): Promise<void> {
    await this.host.request({ cmds: this.take(), request: { rid: 0, k: 'flush' } });
  }

  /** Waits for enqueued work and stops the device (and its process). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch {
      // A dead device has nothing left to finish.
    }
    await this.host.close();
  }

  // ---- kernels --------------------------------------------------------------------------------
  fill(out: DeviceBuffer, value: number, n = out.size): void {
    this.run(fillKernel(this.ref(out), value, n));
  }

  unary(op: UnaryOp, x: DeviceBuffer, out: DeviceBuffer, n: number, accumulate?: boolean): void {
    this.run(unaryKernel(op, this.ref(x), this.ref(out), n, accumulate));
  }

  unaryBackward(op: UnaryOp, x: DeviceBuffer, y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, n: number, accumulate?: boolean): void {
    this.run(unaryBackwardKernel(op, this.ref(x), this.ref(y), this.ref(dy), this.ref(dx), n, accumulate));
  }

  affine(x: DeviceBuffer, out: DeviceBuffer, n: number, alpha: number, beta: number, accumulate?: boolean): void {
    this.run(affineKernel(this.ref(x), this.ref(out), n, alpha, beta, accumulate));
  }

  binary(op: BinaryOp, a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, opts: BinaryOptions): void {
    const [shape, as, bs] = coalesce(opts.shape, opts.aStrides, opts.bStrides);
    if (shape.length > MAX_RANK) throw errors.invalidComputeArgument('binary', `rank ${shape.length} after merging dims is over ${MAX_RANK}`);
    this.run(binaryKernel(op, this.ref(a), this.ref(b), this.ref(out), shape, as, bs, opts.accumulate));
  }

  matmul(a: DeviceBuffer, b: DeviceBuffer, out: DeviceBuffer, opts: MatmulOptions): void {
    const { batch, m, k, n } = opts;
    if (batch * m * n === 0) return;
    if (k === 0) {
      if (!opts.accumulate) this.fill(out, 0, batch * m * n);
      return;
    }
    this.run(matmulKernel(this.ref(a), this.ref(b), this.ref(out), opts, this.gemmVariant));
  }

  reduce(op: ReduceOp, x: DeviceBuffer, out: DeviceBuffer, { outer, axis, inner }: ReduceOptions, accumulate?: boolean): void {
    this.run(reduceKernel(op, this.ref(x), this.ref(out), outer, axis, inner, accumulate, this.rowLanes));
  }

  reduceMaxBackward(x: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, { outer, axis, inner }: ReduceOptions, accumulate?: boolean): void {
    this.run(reduceMaxBackwardKernel(this.ref(x), this.ref(dy), this.ref(dx), outer, axis, inner, accumulate));
  }

  softmax(x: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number, log: boolean): void {
    this.run(softmaxKernel(this.ref(x), this.ref(out), rows, cols, log, this.rowLanes));
  }

  softmaxBackward(y: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer, rows: number, cols: number, log: boolean, accumulate?: boolean): void {
    this.run(softmaxBackwardKernel(this.ref(y), this.ref(dy), this.ref(dx), rows, cols, log, accumulate, this.rowLanes));
  }

  layerNorm(x: DeviceBuffer, gamma: DeviceBuffer | null, beta: DeviceBuffer | null, out: DeviceBuffer,
    mean: DeviceBuffer, rstd: DeviceBuffer, rows: number, cols: number, eps: number): void {
    this.run(layerNormKernel(this.ref(x), gamma && this.ref(gamma), beta && this.ref(beta), this.ref(out),
      this.ref(mean), this.ref(rstd), rows, cols, eps, this.rowLanes));
  }

  layerNormBackward(x: DeviceBuffer, gamma: DeviceBuffer | null, mean: DeviceBuffer, rstd: DeviceBuffer,
    dy: DeviceBuffer, dx: DeviceBuffer, dgamma: DeviceBuffer | null, dbeta: DeviceBuffer | null,
    rows: number, cols: number, accumulate?: boolean): void {
    this.run(layerNormBackwardKernel(this.ref(x), gamma && this.ref(gamma), this.ref(mean), this.ref(rstd), this.ref(dy),
      this.ref(dx), rows, cols, accumulate, this.rowLanes));
    if (dgamma || dbeta) {
      this.run(layerNormParamGradKernel(this.ref(x), this.ref(mean), this.ref(rstd), this.ref(dy),
        dgamma && this.ref(dgamma), dbeta && this.ref(dbeta), rows, cols));
    }
  }

  gather(table: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void {
    this.run(gatherKernel(this.ref(table), this.ref(indices), this.ref(out), rows, cols));
  }

  scatterAdd(src: DeviceBuffer, indices: DeviceBuffer, out: DeviceBuffer, rows: number, cols: number): void {
    this.run(scatterAddKernel(this.ref(src), this.ref(indices), this.ref(out), rows, cols));
  }

  copy(x: DeviceBuffer, out: DeviceBuffer, opts: CopyOptions): void {
    const [shape, ss, ds] = coalesce(opts.shape, opts.srcStrides, opts.dstStrides);
    if (shape.length > MAX_RANK) throw errors.invalidComputeArgument('copy', `rank ${shape.length} after merging dims is over ${MAX_RANK}`);
    this.run(copyKernel(this.ref(x), this.ref(out), shape, ss, opts.srcOffset ?? 0, ds, opts.dstOffset ?? 0, opts.accumulate));
  }

  dropoutMask(out: DeviceBuffer, n: number, p: number, seed: number, offset = 0): void {
    this.run(dropoutKernel(this.ref(out), n, p, seed, offset));
  }

  sgdUpdate(param: DeviceBuffer, grad: DeviceBuffer, momentumBuf: DeviceBuffer | null, n: number, opts: SgdOptions): void {
    this.run(sgdKernel(this.ref(param), this.ref(grad), momentumBuf && this.ref(momentumBuf), n, opts));
  }

  adamwUpdate(param: DeviceBuffer, grad: DeviceBuffer, m: DeviceBuffer, v: DeviceBuffer, n: number, opts: AdamWOptions): void {
    this.run(adamwKernel(this.ref(param), this.ref(grad), this.ref(m), this.ref(v), n, opts));
  }

  // ---- command stream -------------------------------------------------------------------------
  private ref(buf: DeviceBuffer): WebGpuBuffer {
    if (!(buf instanceof WebGpuBuffer)) throw errors.backendMismatch('webgpu', buf.backend);
    if (buf.disposed) throw errors.invalidComputeArgument('webgpu', 'a buffer was used after dispose()');
    return buf;
  }

  private run(k: Kernel): void {
    if (k.groups[0] * k.groups[1] * k.groups[2] === 0) return;
    let sid = this.shaders.get(k.code);
    if (sid === undefined) {
      sid = this.shaders.size + 1;
      this.shaders.set(k.code, sid);
      this.enqueue({ k: 'shader', sid, code: k.code });
    }
    this.enqueue({ k: 'dispatch', sid, buffers: k.buffers, params: k.params, groups: k.groups });
  }

  private enqueue(cmd: Command): void {
    this.cmds.push(cmd);
    if (this.cmds.length >= BATCH) {
      this.host.post({ cmds: this.take() });
    } else if (!this.postScheduled) {
      // Let the device start on what is queued while the caller keeps going.
      this.postScheduled = true;
      setImmediate(() => {
        this.postScheduled = false;
        if (this.cmds.length > 0) {
          try {
            this.host.post({ cmds: this.take() });
          } catch {
            // The host is dead; the next read or flush reports why.
          }
        }
      });
    }
  }

  private take(): Command[] {
    const cmds = this.cmds;
    this.cmds = [];
    return cmds;
  }
}

