/**
 * The command stream between the webgpu backend (which builds kernels) and the device executor
 * (which owns the Dawn device). Commands are plain data so the executor can live in a child
 * process and receive them over IPC; the executor knows nothing about tensors or ops, it only
 * allocates buffers, compiles shaders and dispatches them in order.
 */

export type BufferId = number;
export type ShaderId = number;

export type Command =
  /** A zero-filled storage buffer of `bytes` (rounded up to 4). */
  | { k: 'alloc'; id: BufferId; bytes: number }
  /** Write `data` at element `offset`, ordered after every earlier command. */
  | { k: 'write'; id: BufferId; data: Float32Array | Int32Array; offset: number }
  | { k: 'free'; id: BufferId }
  | { k: 'shader'; sid: ShaderId; code: string }
  /**
   * One compute dispatch: binding i of group 0 is buffers[i]; the uniform params (u32 words)
   * go to the binding after the last buffer.
   */
  | { k: 'dispatch'; sid: ShaderId; buffers: BufferId[]; params: Uint32Array; groups: [number, number, number] };

/** A batch of commands, optionally ending with a request that expects a reply. */
export interface Batch {
  cmds: Command[];
  request?: { rid: number; k: 'read'; id: BufferId; bytes: number } | { rid: number; k: 'flush' };
}

export type Reply =
  | { k: 'ready'; info: AdapterSummary }
  | { k: 'result'; rid: number; data?: ArrayBuffer }
  | { k: 'error'; rid?: number; message: string };

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU implementations (SwiftShader, lavapipe): kernels then avoid workgroup barriers. */
  software: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
  minUniformBufferOffsetAlignment: number;
}
