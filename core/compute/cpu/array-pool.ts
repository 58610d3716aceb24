/**
 * Disposed arrays kept for reuse, by exact length. Re-zeroing a warm array is much cheaper than
 * a fresh multi-megabyte allocation (page faults, GC pressure); training steps allocate the
 * same sizes every step. Bounded so an idle backend does not hoard memory.
 */
export class ArrayPool {
  private readonly free = new Map<number, Float32Array[]>();
  private held = 0;
  constructor(private readonly maxElements = 64 * 1024 * 1024) {}

  take(size: number): Float32Array | undefined {
    const list = this.free.get(size);
    const a = list?.pop();
    if (a) this.held -= size;
    return a;
  }

  give(a: Float32Array): void {
    // Small arrays are cheap to allocate; only pool the ones that cost.
    if (a.length < 4096 || this.held + a.length > this.maxElements) return;
    let list = this.free.get(a.length);
    if (!list) this.free.set(a.length, (list = []));
    list.push(a);
    this.held += a.length;
  }
}
