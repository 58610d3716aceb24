/**
 * Assembles kernels.wat into kernels-wasm.ts (the module's bytes, base64), so that the cpu
 * backend loads its SIMD kernels synchronously and without wabt at run time.
 *
 *   npx tsx core/compute/cpu/wasm/build.ts     (after editing kernels.wat)
 *
 * core/compute/test/wasm-kernels.test.ts fails when the committed bytes are stale.
 *
 * One rewrite before assembly: every `(f32x4.splat (f32.const C))` becomes a load from a table
 * of constants after the pages the module declares. V8 11 rebuilds a splat on each use
 * inside a loop, and a load is one instruction: GELU went from 3.4 to about 1 ns per element.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** The bytes of kernels.wat, as wat2wasm (wabt) assembles them. */
export async function assembleKernels(): Promise<Uint8Array> {
  const w = await wabt();
  const mod = w.parseWat('kernels.wat', withConstantTable(readFileSync(here('./kernels.wat'), 'utf8')), { simd: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}


const MEMORY = /\(memory \(export "memory"\) (\d+)\)/;

/** Byte offset of the constant table: right after the module's declared pages (operand slots). */
function constantsAt(wat: string): number {
  const m = MEMORY.exec(wat);
  if (!m) throw new Error('kernels.wat declares no exported memory');
  return Number(m[1]) * 65536;
}

/** The module text with splatted f32 constants loaded from a table in a data segment. */
export function withConstantTable(wat: string): string {
  const values: number[] = [];
  const at = constantsAt(wat);
  const body = wat.replace(/\(f32x4\.splat \(f32\.const ([^)]+)\)\)/g, (_all, text: string) => {
    const value = parseWatFloat(text);
    let i = values.findIndex((v) => Object.is(v, value));
    if (i < 0) i = values.push(value) - 1;
    return `(v128.load offset=${at + 16 * i} (i32.const 0))`;
  });
  const table = new Float32Array(values.flatMap((v) => [v, v, v, v]));
  const escaped = [...new Uint8Array(table.buffer)].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  return body.replace(MEMORY, (_all, pages: string) =>
    `(memory (export "memory") ${Number(pages) + 1})\n  (data (i32.const ${constantsAt(wat)}) "${escaped}")`);
}

/** An f32 literal as WAT writes it: decimal, inf, or hexadecimal float (0x1.fffffep+127). */
function parseWatFloat(text: string): number {
  const t = text.trim();
  const sign = t.startsWith('-') ? -1 : 1;
  const u = t.replace(/^[-+]/, '');
  if (u === 'inf') return sign * Infinity;
  const hex = /^0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([-+]?\d+)$/i.exec(u);
  if (!hex) return sign * Number(u);
  const frac = hex[2] ?? '';
  return sign * parseInt(hex[1] + frac, 16) * 2 ** (Number(hex[3]) - 4 * frac.length);
}

/** The text of kernels-wasm.ts for these bytes. */
export function kernelsModuleSource(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  return `// Generated from kernels.wat by build.ts (npx tsx core/compute/cpu/wasm/build.ts); do not edit.\n` +
    `export const KERNELS_WASM_BASE64 =\n${lines.map((l) => `  '${l}'`).join(' +\n')};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assembleKernels();
  writeFileSync(here('./kernels-wasm.ts'), kernelsModuleSource(bytes));
  console.log(`kernels-wasm.ts: ${bytes.length} bytes`);
}
