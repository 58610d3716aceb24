/**
 * Reusable Float32Array inputs for model calls. A clip's model inputs come to about 20 MB
 * (BlazeFace alone 1.5 MB a call, 8 calls a clip); allocated afresh, that memory lives outside the
 * JS heap and makes V8 run a full garbage collection every clip or two. A pool keeps the few buffers
 * in use at once (one per clip in flight and input size) and hands them out again.
 */
export class InputBuffers {
  private readonly free = new Map<number, Float32Array<ArrayBuffer>[]>();

  /** Runs `use` with a buffer of `length` floats (contents undefined: `use` must write all it reads), then takes it back. */
  async with<R>(length: number, use: (buffer: Float32Array<ArrayBuffer>) => Promise<R>): Promise<R> {
    const buffer = this.free.get(length)?.pop() ?? new Float32Array(length);
    try {
      return await use(buffer);
    } finally {
      const list = this.free.get(length) ?? [];
      // Bounded: a few clips in flight each hold one buffer of a size; more than that is not reused.
      if (list.length < 4) list.push(buffer);
      this.free.set(length, list);
    }
  }
}
