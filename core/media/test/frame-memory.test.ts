/**
 * Decoded frame memory that batches hand back (core/media/frame-memory.ts): what is lent, taken
 * back and reused, the bounds on what is kept, and a real decode into reused memory giving the
 * bytes a fresh decode gives.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrameMemory, frameMemory } from '../frame-memory.ts';
import { readClip } from '../read-clip.ts';
import type { Frame } from '../../types.ts';
import { REPO_ROOT } from '../../../test/helpers/shared-data.ts';

/** Frames as a decode makes them: views into one lent buffer. */
function framesIn(buffer: Buffer, count: number, size: number): Frame[] {
  return Array.from({ length: count }, (_, k) => ({ width: size / 3, height: 1, rgb: new Uint8Array(buffer.buffer, buffer.byteOffset + k * size, size), sourceIndex: k }));
}

describe('FrameMemory', () => {
  it('lends new memory, takes it back once per buffer, and lends it again', () => {
    const m = new FrameMemory();
    const a = m.take(3000);
    expect(a.length).toBe(3000);
    expect(m.stats).toEqual({ lent: 1, reused: 0, givenBack: 0 });
    // Three frames share the buffer: it comes back once.
    expect(m.giveBack(framesIn(a, 3, 900))).toBe(3000);
    expect(m.giveBack(framesIn(a, 3, 900))).toBe(0);
    expect(m.freeBytes()).toBe(3000);
    const b = m.take(2900);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(2900);
    expect(m.stats).toEqual({ lent: 2, reused: 1, givenBack: 1 });
    expect(m.freeBytes()).toBe(0);
  });

  it('leaves alone memory it did not lend', () => {
    const m = new FrameMemory();
    expect(m.giveBack(framesIn(Buffer.alloc(900), 1, 900))).toBe(0);
    expect(m.giveBack(framesIn(Buffer.allocUnsafe(900), 1, 900))).toBe(0); // a slice of Node's shared pool
    expect(m.freeBytes()).toBe(0);
  });

  it('does not lend a buffer much larger than asked, nor one too small', () => {
    const m = new FrameMemory();
    const big = m.take(10_000);
    m.giveBack(framesIn(big, 1, 10_000));
    expect(m.take(7000).buffer).not.toBe(big.buffer); // 10000 > 1.25 x 7000
    expect(m.take(12_000).buffer).not.toBe(big.buffer);
    expect(m.take(8000).buffer).toBe(big.buffer);
  });

  it('keeps at most maxFree buffers and maxFreeBytes bytes, dropping the oldest', () => {
    const m = new FrameMemory(2, 5000);
    const bufs = [m.take(1000), m.take(1000), m.take(1000)];
    for (const b of bufs) m.giveBack(framesIn(b, 1, 1000));
    expect(m.freeBytes()).toBe(2000);
    expect(m.take(1000).buffer).toBe(bufs[1].buffer);
    const huge = m.take(6000);
    expect(m.giveBack(framesIn(huge, 1, 6000))).toBe(6000);
    expect(m.freeBytes()).toBe(1000); // over maxFreeBytes: not kept
  });

  it('keeps nothing with VISAGE_REUSE_FRAMES=0', () => {
    const m = new FrameMemory();
    const a = m.take(900);
    process.env.VISAGE_REUSE_FRAMES = '0';
    try {
      expect(m.giveBack(framesIn(a, 1, 900))).toBe(0);
    } finally {
      delete process.env.VISAGE_REUSE_FRAMES;
    }
    expect(m.freeBytes()).toBe(0);
    expect(m.giveBack(framesIn(a, 1, 900))).toBe(900); // still lent: it can come back later
  });
});

describe('decoding into reused frame memory', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-frame-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the bytes of a fresh decode when the memory held another video', async () => {
    const sample = path.join(REPO_ROOT, 'samples/astronaut.mp4');
    // The same size and frame count, other pixels: the mirror image.
    const mirrored = path.join(dir, 'mirrored.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-vf', 'hflip', '-c:v', 'libx264', '-crf', '30', '-an', mirrored]);
    const fresh = await readClip(mirrored, { frames: 8 });
    const first = await readClip(sample, { frames: 8 });
    const memory = first.frames[0].rgb.buffer;
    expect(frameMemory.giveBack(first.frames)).toBeGreaterThan(0);
    const reused = await readClip(mirrored, { frames: 8 });
    expect(reused.frames[0].rgb.buffer).toBe(memory);
    expect(reused.frames.map((f) => f.sourceIndex)).toEqual(fresh.frames.map((f) => f.sourceIndex));
    reused.frames.forEach((f, t) => expect(Buffer.from(f.rgb).equals(Buffer.from(fresh.frames[t].rgb)), `frame ${t}`).toBe(true));
  });
});
