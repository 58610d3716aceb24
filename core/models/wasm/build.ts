/**
 * Assembles warp.wat into warp-wasm.ts (the module's bytes, base64), so that the warps load their
 * SIMD kernel synchronously and without wabt at run time.
 *
 *   npx tsx core/models/wasm/build.ts     (after editing warp.wat)
 *
 * core/models/test/warp-simd.test.ts fails when the committed bytes are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** The bytes of warp.wat, as wat2wasm (wabt) assembles them. */
export async function assembleWarp(): Promise<Uint8Array> {
  const w = await wabt();
  const mod = w.parseWat('warp.wat', readFileSync(here('./warp.wat'), 'utf8'), { simd: true });
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The text of warp-wasm.ts for these bytes. */
export function warpModuleSource(bytes: Uint8Array): string {
  const base64 = Buffer.from(bytes).toString('base64');
  const lines = base64.match(/.{1,96}/g) ?? [];
  return `// Generated from warp.wat by build.ts (npx tsx core/models/wasm/build.ts); do not edit.\n` +
    `export const WARP_WASM_BASE64 =\n${lines.map((l) => `  '${l}'`).join(' +\n')};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assembleWarp();
  writeFileSync(here('./warp-wasm.ts'), warpModuleSource(bytes));
  console.log(`warp-wasm.ts: ${bytes.length} bytes`);
}
