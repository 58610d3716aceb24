/**
 * Owns one Dawn device and runs the command stream of protocol.ts on it.
 *
 * Lifetime rule that makes dawn.node dependable (the cause of the "N >= 384" crash, see
 * README.md here): the object returned by `create()` owns the Dawn instance, and adapters and
 * devices do NOT keep it alive. If it is garbage-collected while a device is in use, the
 * instance is destroyed under the device and the next event processing
 * (`AsyncRunner::ScheduleProcessEvents` -> `InstanceBase::ProcessEvents`) touches freed memory:
 * std::system_error "Invalid argument", futex errors, glibc mutex assertions or SIGSEGV. A
 * program keeps working until its first GC after device creation, which is why the crash
 * appeared with larger N (more garbage). The executor therefore holds `gpu` for as long as the
 * device lives, and drops both in `destroy()` (a live `gpu` also keeps node from exiting).
 *
 * Submission pattern: dispatches are recorded into one compute pass (WebGPU orders dispatches
 * within a pass, each is its own usage scope) and submitted when a write, a read or a flush
 * needs the queue, or after `maxDispatchesPerSubmit`. Uniform parameters of a submission share
 * one buffer, at aligned offsets.
 */
import { create } from 'webgpu';
import type { AdapterSummary, Batch, BufferId, Command, ShaderId } from './protocol.ts';

// WebGPU's constants (spec values), so this module needs no globals installed.
const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
const MAP_MODE_READ = 1;

export interface ExecutorOptions {
  /** Dawn toggles/options passed to `create()`, e.g. 'backend=vulkan'. */
  dawnOptions?: string[];
  maxDispatchesPerSubmit?: number;
}

export class DeviceExecutor {
  private readonly buffers = new Map<BufferId, GPUBuffer>();
  private readonly pipelines = new Map<ShaderId, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  /** Params of the dispatches recorded in the open pass; bound after it closes. */
  private pending: { pipeline: GPUComputePipeline; buffers: GPUBuffer[]; params: Uint32Array; groups: [number, number, number] }[] = [];
  private readonly errors: string[] = [];
  private readonly maxDispatches: number;

  private constructor(
    /** Held on purpose: see the lifetime rule above. */
    private gpu: GPU | null,
    readonly device: GPUDevice,
    readonly info: AdapterSummary,
    options: ExecutorOptions,
  ) {
    this.maxDispatches = options.maxDispatchesPerSubmit ?? 512;
    device.addEventListener('uncapturederror', (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Creates the Dawn instance and device; null when no adapter is available. */
  static async create(options: ExecutorOptions = {}): Promise<DeviceExecutor | null> {
    const gpu = create(options.dawnOptions ?? []);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxBufferSize: limits.maxBufferSize,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 8),
      },
    });
    const info = adapter.info;
    const arch = `${info.architecture} ${info.description} ${info.device}`.toLowerCase();
    const software = /swiftshader|llvmpipe|lavapipe/.test(arch) || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
    const summary: AdapterSummary = {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      software,
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      minUniformBufferOffsetAlignment: device.limits.minUniformBufferOffsetAlignment,
    };
    return new DeviceExecutor(gpu, device, summary, options);
  }

  /** Runs a batch; resolves with the read data (or nothing) once its request is answered. */
  async run(batch: Batch): Promise<ArrayBuffer | undefined> {
    for (const cmd of batch.cmds) this.apply(cmd);
    const request = batch.request;
    if (!request) return undefined;
    if (request.k === 'flush') {
      this.submit();
      await this.device.queue.onSubmittedWorkDone();
      this.throwErrors();
      return undefined;
    }
    const source = this.buffer(request.id);
    const bytes = align4(request.bytes);
    const staging = this.device.createBuffer({ size: Math.max(bytes, 4), usage: USAGE.MAP_READ | USAGE.COPY_DST });
    this.closePass();
    if (bytes > 0) this.encoderOpen().copyBufferToBuffer(source, 0, staging, 0, bytes);
    this.submit();
    try {
      await staging.mapAsync(MAP_MODE_READ);
      const data = staging.getMappedRange(0, Math.max(bytes, 4)).slice(0, request.bytes);
      staging.unmap();
      this.throwErrors();
      return data;
    } finally {
      staging.destroy();
    }
  }

  private apply(cmd: Command): void {
    switch (cmd.k) {
      case 'alloc': {
        const size = Math.max(align4(cmd.bytes), 4);
        if (size > this.info.maxStorageBufferBindingSize) {
          throw new Error(`a buffer of ${cmd.bytes} bytes is over this adapter's binding limit of ${this.info.maxStorageBufferBindingSize}`);
        }
        // New buffers are zero-filled by WebGPU.
        this.buffers.set(cmd.id, this.device.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST }));
        return;
      }
      case 'write': {
        // queue.writeBuffer is ordered against submissions, so recorded work goes first.
        this.submit();
        const bytes = cmd.data.byteLength;
        if (bytes % 4 !== 0) throw new Error('write of a non-4-byte-multiple');
        this.device.queue.writeBuffer(this.buffer(cmd.id), cmd.offset * 4, cmd.data.buffer, cmd.data.byteOffset, bytes);
        return;
      }
      case 'free': {
        const buffer = this.buffers.get(cmd.id);
        if (!buffer) return;
        this.buffers.delete(cmd.id);
        // Recorded dispatches may still use it: destroy after they are submitted.
        if (this.encoder || this.pending.length > 0) this.deferredDestroy.push(buffer);
        else buffer.destroy();
        return;
      }
      case 'shader': {
        const module = this.device.createShaderModule({ code: cmd.code });
        this.pipelines.set(cmd.sid, this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } }));
        return;
      }
      case 'dispatch': {
        const pipeline = this.pipelines.get(cmd.sid);
        if (!pipeline) throw new Error(`unknown shader ${cmd.sid}`);
        this.pending.push({ pipeline, buffers: cmd.buffers.map((id) => this.buffer(id)), params: cmd.params, groups: cmd.groups });
        if (this.pending.length >= this.maxDispatches) this.submit();
        return;
      }
    }
  }

  private readonly deferredDestroy: GPUBuffer[] = [];

  private buffer(id: BufferId): GPUBuffer {
    const buffer = this.buffers.get(id);
    if (!buffer) throw new Error(`unknown or freed buffer ${id}`);
    return buffer;
  }

  private encoderOpen(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Records the pending dispatches into a compute pass, with their params in one uniform buffer. */
  private closePass(): void {
    if (this.pending.length === 0) return;
    const align = this.info.minUniformBufferOffsetAlignment;
    const offsets: number[] = [];
    let size = 0;
    for (const d of this.pending) {
      offsets.push(size);
      size += Math.ceil(Math.max(d.params.byteLength, 16) / align) * align;
    }
    const uniforms = this.device.createBuffer({ size, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    const packed = new Uint32Array(size / 4);
    this.pending.forEach((d, i) => packed.set(d.params, offsets[i] / 4));
    this.device.queue.writeBuffer(uniforms, 0, packed);
    const pass = this.encoderOpen().beginComputePass();
    this.pending.forEach((d, i) => {
      const entries: GPUBindGroupEntry[] = d.buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      entries.push({ binding: d.buffers.length, resource: { buffer: uniforms, offset: offsets[i], size: Math.max(d.params.byteLength, 16) } });
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, this.device.createBindGroup({ layout: d.pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    });
    pass.end();
    this.pending = [];
    this.deferredDestroy.push(uniforms);
  }

  private submit(): void {
    this.closePass();
    if (!this.encoder) return;
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    // Destroying after submit is safe: WebGPU defers the release until the GPU is done.
    for (const buffer of this.deferredDestroy.splice(0)) buffer.destroy();
  }

  private throwErrors(): void {
    if (this.errors.length === 0) return;
    const messages = this.errors.splice(0);
    throw new Error(`WebGPU validation: ${messages.join('; ')}`);
  }

  /** Releases the device and the Dawn instance, so the process can exit. */
  destroy(): void {
    for (const buffer of this.buffers.values()) buffer.destroy();
    this.buffers.clear();
    this.device.destroy();
    this.gpu = null;
  }
}

function align4(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}
