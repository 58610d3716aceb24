/**
 * The WASM SIMD kernels (kernels.wat) on the cpu backend's Float32Arrays.
 *
 * The arrays live in the JS heap (onnxruntime reads and writes them in place), so each call
 * copies its operands through this module's memory in chunks of CHUNK elements: a chunk of
 * every operand fits in L2 together, and a copy costs a small fraction of the kernel it feeds.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';

interface Exports {
  memory: { buffer: ArrayBuffer };
  gelu_tanh(x: number, out: number, n: number, acc: number): void;
  gelu_tanh_grad(x: number, dy: number, dx: number, n: number, acc: number): void;
}

/** Elements per operand per chunk; the module's 4 pages hold 4 operands of this size. */
const CHUNK = 16384;
const SLOT_BYTES = CHUNK * 4;

/** Node's WebAssembly global; the project's lib (ES2023, no DOM) does not declare it. */
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } };
};
const wasm = new Wasm.Instance(new Wasm.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'))).exports as Exports;
/** Slot i of the memory, as an array of CHUNK elements (the memory never grows). */
const slots = [0, 1, 2, 3].map((i) => new Float32Array(wasm.memory.buffer, i * SLOT_BYTES, CHUNK));

/** out[i] (+)= gelu_tanh(x[i]) for i < n. */
export function geluTanh(x: Float32Array, out: Float32Array, n: number, accumulate: boolean): void {
  const [xs, os] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    xs.set(x.subarray(i, i + m));
    if (accumulate) os.set(out.subarray(i, i + m));
    wasm.gelu_tanh(0, SLOT_BYTES, m, +accumulate);
    out.set(m === CHUNK ? os : os.subarray(0, m), i);
  }
}

/** dx[i] (+)= dy[i] * gelu_tanh'(x[i]) for i < n. */
export function geluTanhGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, n: number, accumulate: boolean): void {
  const [xs, dys, dxs] = slots;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    xs.set(x.subarray(i, i + m));
    dys.set(dy.subarray(i, i + m));
    if (accumulate) dxs.set(dx.subarray(i, i + m));
    wasm.gelu_tanh_grad(0, SLOT_BYTES, 2 * SLOT_BYTES, m, +accumulate);
    dx.set(m === CHUNK ? dxs : dxs.subarray(0, m), i);
  }
}
