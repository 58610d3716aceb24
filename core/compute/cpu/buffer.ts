/**
 * The cpu backend's device buffer: a typed array in this process. `d`/`f` unwrap a
 * `DeviceBuffer` for a kernel and refuse the wrong backend, a disposed buffer or the wrong dtype;
 * `written` unwraps the output of a kernel that overwrites a prefix of it.
 */
import { errors } from '../../errors/index.ts';
import type { DType, DeviceBuffer } from '../backend.ts';

export const UNKNOWN = 0, CLEAN = 1, STALE = 2;
type Zeros = typeof UNKNOWN | typeof CLEAN | typeof STALE;

export class CpuBuffer implements DeviceBuffer {
  readonly backend = 'cpu';
  /** Set by dispose: the array went back to the pool. */
  released = false;
  /**
   * What is known of the contents without reading them: UNKNOWN; CLEAN (all zeros); STALE (reads
   * as zeros, but the array still holds old values: an array from the pool, or a zero fill, is
   * zeroed only when a kernel first reads it). A kernel that accumulates into a buffer that reads
   * as zeros writes instead: training steps accumulate every gradient into a fresh or zeroed
   * buffer, so this saves a zero pass and an add pass per gradient.
   */
  zeros: Zeros = UNKNOWN;
  constructor(readonly data: Float32Array | Int32Array, readonly dtype: DType) {}
  get size(): number {
    return this.data.length;
  }
}

function checked(buf: DeviceBuffer): CpuBuffer {
  if (!(buf instanceof CpuBuffer)) throw errors.backendMismatch('cpu', buf.backend);
  // Its array may already serve another buffer from the pool.
  if (buf.released) throw errors.invalidComputeArgument('cpu kernel', 'a disposed buffer was used');
  return buf;
}

/** The array, with its values as they read (a pending zero fill done); for reading and writing. */
export function d(buf: DeviceBuffer): Float32Array | Int32Array {
  const b = checked(buf);
  if (b.zeros === STALE) b.data.fill(0);
  b.zeros = UNKNOWN;
  return b.data;
}

/**
 * The f32 array of a kernel's output when the kernel writes elements [0, n) without reading
 * them, and whether they read as zeros before (then "accumulate" may write instead). Unwrap the
 * kernel's inputs first: an input that is also the output must be read as it reads.
 */
export function written(buf: DeviceBuffer, n: number): [Float32Array, boolean] {
  const b = checked(buf);
  const zero = b.zeros !== UNKNOWN;
  if (b.zeros === STALE && n < b.data.length) b.data.fill(0, n);
  b.zeros = UNKNOWN;
  if (!(b.data instanceof Float32Array)) throw errors.shapeMismatch('cpu kernel', 'expected an f32 buffer, got i32');
  return [b.data, zero];
}

export function f(buf: DeviceBuffer): Float32Array {
  const data = d(buf);
  if (!(data instanceof Float32Array)) throw errors.shapeMismatch('cpu kernel', 'expected an f32 buffer, got i32');
  return data;
}
