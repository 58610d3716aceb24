/**
 * The warp of image-warp.ts through the WASM SIMD kernel of warp.wat: the source rectangle the
 * warp reads goes into the module's memory inside a ring of `fill` pixels, or, when no tap can
 * read the ring, as the frame's whole rows with one copy; the kernel writes the output there, and it
 * is copied out to the caller's array.
 */
import type { Frame } from '../../types.ts';
import { WARP_WASM_BASE64 } from './warp-wasm.ts';

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  copy_rows(from: number, to: number, span: number, fromStride: number, toStride: number, rows: number, fill: number): void;
  warp_axes(cols: number, rows: number, outW: number, v0: number, v1: number, out: number, mode: number, scale: number, bias: number): void;
  warp(xu: number, yu: number, outW: number, v0: number, v1: number, m1: number, m2: number, m4: number, m5: number,
    W: number, H: number, xlo: number, xhi: number, ylo: number, yhi: number,
    base: number, stride: number, out: number, mode: number, scale: number, bias: number): void;
}

/** Node's WebAssembly global; the project's lib (ES2023, no DOM) does not declare it. */
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } };
};
const wasm = new Wasm.Instance(new Wasm.Module(Buffer.from(WARP_WASM_BASE64, 'base64'))).exports as Exports;

/** Views of the memory, rebuilt after it grows. */
let bytes = new Uint8Array(wasm.memory.buffer);
let doubles = new Float64Array(wasm.memory.buffer);
let floats = new Float32Array(wasm.memory.buffer);
let ints = new Int32Array(wasm.memory.buffer);

function reserve(size: number): void {
  if (size <= bytes.length) return;
  wasm.memory.grow(Math.ceil((size - bytes.length) / 65536));
  bytes = new Uint8Array(wasm.memory.buffer);
  doubles = new Float64Array(wasm.memory.buffer);
  floats = new Float32Array(wasm.memory.buffer);
  ints = new Int32Array(wasm.memory.buffer);
}

const align16 = (n: number) => (n + 15) & ~15;

/** Whether the kernels take this fill value: the ring holds it as a byte. */
export const simdFill = (fill: number) => Number.isInteger(fill) && fill >= 0 && fill <= 255;

/** 1-D taps as image-warp.ts's taps() gives them: source indices (-1 = outside) and fractions. */
export interface Taps { i0: Int32Array; i1: Int32Array; w1: Float32Array }

const outputMode = (out: Float32Array | Uint8Array, gray: boolean) => (out instanceof Uint8Array ? 2 : gray ? 1 : 0);
const valuesPerPixel = (out: Float32Array | Uint8Array, gray: boolean) => (out instanceof Uint8Array || !gray ? 3 : 1);
/** Bytes the kernels write per pixel (a pixel's store reaches up to 4 bytes further). */
const bytesPerPixel = [12, 4, 3];

/**
 * Writes what image-warp.ts's warpInto writes (`value * scale + bias`, RGB or gray, into a
 * Float32Array or bytes) for output rows v0 <= v < v1 of any affine map, with the blend in f32.
 * `fill` must pass simdFill.
 */
export function warpSimd(
  frame: Frame, m: readonly number[], outW: number, v0: number, v1: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  if (v1 <= v0 || outW <= 0) return;
  const { width: W, height: H } = frame;
  const [m0, m1, m2, m3, m4, m5] = m;
  // The frame's pixels the warp can read: the corners' source points (up to column outW, the one
  // more an odd width computes), two pixels of margin. Written out, not as closures made per call:
  // V8 drops a dead closure's optimized code at a full GC, so those were compiled again every few clips.
  const ua = 0.5, ub = outW + 0.5, va = v0 + 0.5, vb = v1 - 0.5;
  const xs = [m0 * ua + m1 * va + m2 - 0.5, m0 * ua + m1 * vb + m2 - 0.5, m0 * ub + m1 * va + m2 - 0.5, m0 * ub + m1 * vb + m2 - 0.5];
  const ys = [m3 * ua + m4 * va + m5 - 0.5, m3 * ua + m4 * vb + m5 - 0.5, m3 * ub + m4 * va + m5 - 0.5, m3 * ub + m4 * vb + m5 - 0.5];
  const left = Math.floor(Math.min(...xs)) - 2, right = Math.floor(Math.max(...xs)) + 2;
  const top = Math.floor(Math.min(...ys)) - 2, bottom = Math.floor(Math.max(...ys)) + 2;
  const xa = Math.max(0, left), xb = Math.min(W - 1, right), ya = Math.max(0, top), yb = Math.min(H - 1, bottom);
  // Layout: the xu and yu tables (outW + 1 entries: the kernel takes two columns at a time), the source, the output.
  const yuAt = align16(8 * (outW + 1)), srcAt = align16(yuAt + 8 * (outW + 1));
  const mode = outputMode(out, gray), outBytes = bytesPerPixel[mode] * (outW + 1) * (v1 - v0);
  // With its margin inside the frame (a face crop away from the edges), every source point lies two
  // pixels inside the rectangle: the kernel's clamps change nothing and no tap reads the ring.
  const src = left === xa && right === xb && top === ya && bottom === yb
    ? stageRows(frame, ya, yb, fill, srcAt, outBytes) : stage(frame, xa, xb, ya, yb, fill, srcAt, outBytes);
  for (let u = 0, yu = yuAt >> 3; u <= outW; u++) {
    doubles[u] = m0 * (u + 0.5);
    doubles[yu + u] = m3 * (u + 0.5);
  }
  // Byte of frame pixel (x, y); wraps modulo 2^32 as the kernel's sums do.
  const base = (src.origin - src.ya * src.stride - src.xa * 3) | 0;
  wasm.warp(0, yuAt, outW, v0, v1, m1, m2, m4, m5, W, H, src.xa - 1, src.xb + 1, src.ya - 1, src.yb + 1,
    base, src.stride, src.outAt, mode, scale, bias);
  collect(out, offset, gray, outW, v0, v1, src.outAt);
}

/** warpSimd for an axis-aligned map, from its column and row taps (image-warp.ts's taps()). */
export function warpSimdAxes(
  frame: Frame, cx: Taps, cy: Taps, outW: number, v0: number, v1: number, fill: number,
  out: Float32Array | Uint8Array, offset: number, gray: boolean, scale: number, bias: number,
): void {
  if (v1 <= v0 || outW <= 0) return;
  const [xa, xb] = insideRange(cx, 0, outW), [ya, yb] = insideRange(cy, v0, v1);
  const rowsAt = align16(12 * outW), srcAt = align16(rowsAt + 12 * (v1 - v0));
  const mode = outputMode(out, gray), outBytes = bytesPerPixel[mode] * outW * (v1 - v0);
  // Every column tap inside the frame and the columns its whole width (the detector's letterbox, the
  // downscales of the aligned crops): no tap reads a ring column, so the rows need none.
  const src = xa === 0 && xb === frame.width - 1 && columnsInside(cx, outW)
    ? stageRows(frame, ya, yb, fill, srcAt, outBytes) : stage(frame, xa, xb, ya, yb, fill, srcAt, outBytes);
  // Module-level tapColumn/tapRow, not closures made per call (see warpSimd).
  for (let u = 0; u < outW; u++) {
    ints[3 * u] = tapColumn(cx.i0[u], src.xa);
    ints[3 * u + 1] = tapColumn(cx.i1[u], src.xa);
    floats[3 * u + 2] = cx.w1[u];
  }
  for (let v = v0, e = rowsAt >> 2; v < v1; v++, e += 3) {
    ints[e] = tapRow(cy.i0[v], src);
    ints[e + 1] = tapRow(cy.i1[v], src);
    floats[e + 2] = cy.w1[v];
  }
  wasm.warp_axes(0, rowsAt - 12 * v0, outW, v0, v1, src.outAt, mode, scale, bias);
  collect(out, offset, gray, outW, v0, v1, src.outAt);
}

/**
 * Where stage() or stageRows() put the frame: pixel (x, y) of the rectangle xa..xb, ya..yb at byte
 * origin + stride (y - ya) + 3 (x - xa); `fillRow` is a row of `fill` at the same column offsets.
 */
interface Staged { xa: number; xb: number; ya: number; yb: number; origin: number; stride: number; fillRow: number; outAt: number }

// A tap outside the frame reads the ring: the pixel before column xa, or the fill row.
/** Byte offset in a staged row of source column i. */
const tapColumn = (i: number, xa: number) => (i < 0 ? -3 : 3 * (i - xa));
/** Byte address of source row i. */
const tapRow = (i: number, src: Staged) => (i < 0 ? src.fillRow : src.origin + src.stride * (i - src.ya));

/** Whether both taps of every column u < outW are inside the frame. */
function columnsInside(t: Taps, outW: number): boolean {
  for (let u = 0; u < outW; u++) if (t.i0[u] < 0 || t.i1[u] < 0) return false;
  return true;
}

/** The smallest and largest source index inside the frame among taps j0 <= j < j1 ([0, 0] if none). */
function insideRange(t: Taps, j0: number, j1: number): [number, number] {
  let lo = Infinity, hi = -1;
  for (let j = j0; j < j1; j++) {
    const a = t.i0[j], b = t.i1[j];
    if (a >= 0) { lo = Math.min(lo, a); hi = Math.max(hi, a); }
    if (b >= 0) { lo = Math.min(lo, b); hi = Math.max(hi, b); }
  }
  return hi < 0 ? [0, 0] : [lo, hi];
}

/**
 * Copies frame columns xa..xb of rows ya..yb to srcAt inside a ring of `fill` pixels (one before,
 * two after, in each direction) and reserves outBytes after it; returns the layout. The rectangle is
 * one pixel when it holds no pixel the warp reads (every tap then lands on the ring).
 */
function stage(frame: Frame, xa: number, xb: number, ya: number, yb: number, fill: number, srcAt: number, outBytes: number): Staged {
  if (xa > xb || ya > yb) xa = xb = ya = yb = 0;
  const { width: W, rgb } = frame;
  const rowBytes = 3 * (xb - xa + 4), rows = yb - ya + 4;
  const outAt = align16(srcAt + rowBytes * rows + 16);
  // The frame's rows ya..yb whole, after the output; copy_rows lays them out inside the ring.
  const blockAt = align16(outAt + outBytes + 32), block = rgb.subarray(ya * W * 3, (yb + 1) * W * 3);
  reserve(blockAt + block.length);
  bytes.fill(fill, srcAt, srcAt + rowBytes); // ring row ya - 1
  bytes.fill(fill, srcAt + rowBytes * (rows - 2), srcAt + rowBytes * rows + 16); // rows yb + 1, yb + 2, the slack read past them
  bytes.set(block, blockAt);
  wasm.copy_rows(blockAt + 3 * xa, srcAt + rowBytes + 3, 3 * (xb - xa + 1), 3 * W, rowBytes, yb - ya + 1, fill);
  return { xa, xb, ya, yb, origin: srcAt + rowBytes + 3, stride: rowBytes, fillRow: srcAt + 3, outAt };
}

/**
 * Copies the frame's rows ya..yb whole to srcAt with one copy, after a row of `fill` (what a row
 * tap outside the frame reads), for warps whose taps read no ring column and no ring row below;
 * reserves outBytes after it. Half the bytes stage() moves, and no copy_rows.
 */
function stageRows(frame: Frame, ya: number, yb: number, fill: number, srcAt: number, outBytes: number): Staged {
  const { width: W, rgb } = frame, stride = 3 * W;
  const rowsAt = align16(srcAt + stride + 16), block = rgb.subarray(ya * stride, (yb + 1) * stride);
  const outAt = align16(rowsAt + block.length + 16); // the kernels' loads reach past the last pixel
  reserve(outAt + outBytes + 32);
  bytes.fill(fill, srcAt, rowsAt);
  bytes.set(block, rowsAt);
  return { xa: 0, xb: W - 1, ya, yb, origin: rowsAt, stride, fillRow: srcAt, outAt };
}

/** Copies rows v0 <= v < v1 of the kernel's output at outAt into `out`. */
function collect(out: Float32Array | Uint8Array, offset: number, gray: boolean, outW: number, v0: number, v1: number, outAt: number): void {
  const per = valuesPerPixel(out, gray) * outW;
  const count = per * (v1 - v0), start = offset + per * v0;
  if (out instanceof Uint8Array) out.set(bytes.subarray(outAt, outAt + count), start);
  else out.set(floats.subarray(outAt >> 2, (outAt >> 2) + count), start);
}
