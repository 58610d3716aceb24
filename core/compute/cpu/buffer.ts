/**
 * The cpu backend's device buffer: a typed array in this process. `d`/`f` unwrap a
 * `DeviceBuffer` for a kernel and refuse the wrong backend, a disposed buffer or the wrong dtype.
 */
import { errors } from '../../errors/index.ts';
import type { DType, DeviceBuffer } from '../backend.ts';

export class CpuBuffer implements DeviceBuffer {
  readonly backend = 'cpu';
  /** Set by dispose: the array went back to the pool. */
  released = false;
  constructor(readonly data: Float32Array | Int32Array, readonly dtype: DType) {}
  get size(): number {
    return this.data.length;
  }
}

export function d(buf: DeviceBuffer): Float32Array | Int32Array {
  if (!(buf instanceof CpuBuffer)) throw errors.backendMismatch('cpu', buf.backend);
  // Its array may already serve another buffer from the pool.
  if (buf.released) throw errors.invalidComputeArgument('cpu kernel', 'a disposed buffer was used');
  return buf.data;
}

export function f(buf: DeviceBuffer): Float32Array {
  const data = d(buf);
  if (!(data instanceof Float32Array)) throw errors.shapeMismatch('cpu kernel', 'expected an f32 buffer, got i32');
  return data;
}
