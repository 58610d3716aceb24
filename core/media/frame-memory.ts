/**
 * Memory for decoded frames that a batch hands back and the next clips reuse. A clip's frames are
 * views into one buffer (the decoder's frame file, read back whole: about 18 MB for 16 frames of
 * 720x528). Every new buffer is new external memory to V8, which runs a full garbage collection
 * each time some 64 MB of it has been allocated since the last one: once every three clips in
 * bench:frontend, 8-15 CPU-ms per clip (main thread and V8's helper threads) for memory that is
 * garbage the moment a clip's row is written. And a fresh buffer's pages fault in as the file is
 * read into it.
 *
 * Only code that knows nobody reads the frames any more hands them back: `Pipeline.release`, which
 * `visage pipeline run` calls once a clip's row is written (and takes only clips it ingested itself,
 * from no cache). Frames nobody hands back are garbage-collected as before. VISAGE_REUSE_FRAMES=0
 * turns reuse off (for a plugin that keeps frames past its clip, against the plugin API's rule).
 */
import type { Frame } from '../types.ts';

/** Buffers at least this much larger than asked are not lent for it (a few small clips after a big one). */
const MAX_SLACK = 1.25;

export class FrameMemory {
  private readonly free: Buffer[] = [];
  /** Buffers lent by take() and not given back yet (only these are taken back). */
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /** Buffers lent, of which reused (not newly allocated), and buffers given back, since start. */
  readonly stats = { lent: 0, reused: 0, givenBack: 0 };

  /**
   * @param maxFree buffers kept for reuse (clips in flight and prefetched hold the others)
   * @param maxFreeBytes bytes kept for reuse at most (a few long clips must not pin hundreds of MB)
   */
  constructor(
    private readonly maxFree = 4,
    private readonly maxFreeBytes = 128 * 2 ** 20,
  ) {}

  /** A buffer of `bytes` (contents undefined) on memory of its own: a free one that fits, else a new one. */
  take(bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.length >= bytes && b.length <= bytes * MAX_SLACK && (best < 0 || b.length < this.free[best].length)) best = i;
    }
    // allocUnsafeSlow: never a slice of Node's shared small-buffer pool, so the whole ArrayBuffer is this lease's.
    const buffer = best >= 0 ? this.free.splice(best, 1)[0] : Buffer.allocUnsafeSlow(bytes);
    this.lent.add(buffer.buffer);
    this.stats.lent++;
    if (best >= 0) this.stats.reused++;
    return buffer.subarray(0, bytes);
  }

  /**
   * Takes back the buffers behind `frames` that take() lent (any other frame is left alone, and a
   * buffer comes back once however many frames share it). The frames must not be read afterwards.
   * Returns the bytes taken back.
   */
  giveBack(frames: readonly Frame[]): number {
    if (process.env.VISAGE_REUSE_FRAMES === '0') return 0;
    let bytes = 0;
    for (const f of frames) {
      const memory = f.rgb.buffer;
      if (!this.lent.delete(memory)) continue;
      this.stats.givenBack++;
      const whole = Buffer.from(memory as ArrayBuffer);
      bytes += whole.length;
      if (whole.length <= this.maxFreeBytes) this.free.push(whole);
    }
    // Oldest first out, so the free list keeps the sizes of the latest clips.
    while (this.free.length > this.maxFree || this.freeBytes() > this.maxFreeBytes) this.free.shift();
    return bytes;
  }

  /** Bytes held for reuse now. */
  freeBytes(): number {
    return this.free.reduce((sum, b) => sum + b.length, 0);
  }
}

/** The process's frame memory: every decoder reads its frame file into it. */
export const frameMemory = new FrameMemory();
