/** Hostile files for the reliability tests: temp folders, copies of the synthetic fixture plugin, raw JSON. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_PLUGINS } from '../../helpers/cli.ts';

export const tmpDir = (tag = 'rel') => mkdtempSync(path.join(os.tmpdir(), `visage-${tag}-`));

/** Writes text as is (JSON.stringify would drop an own `__proto__` key; hostile files keep it). */
export function writeRaw(file: string, text: string): string {
  writeFileSync(file, text);
  return file;
}

/** A copy of the synthetic fixture plugin in `dir/synthetic`; `edit` rewrites its manifest. */
export function copySyntheticPlugin(dir: string, edit?: (manifest: Record<string, any>) => void): string {
  const folder = path.join(dir, 'synthetic');
  cpSync(path.join(FIXTURE_PLUGINS, 'synthetic'), folder, { recursive: true });
  if (edit) {
    const file = path.join(folder, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    edit(manifest);
    writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
  return folder;
}

/** Host flags that run the synthetic fixture: no media, no models. */
export const SYNTHETIC = ['--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic'];

/** A safetensors file with a hand-written header (a string is written verbatim), for forged offsets and entries. */
export function writeSafetensors(file: string, header: unknown, data: Buffer | Float32Array): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const bytes = data instanceof Float32Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data;
  const out = Buffer.alloc(8 + json.length + bytes.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  bytes.copy(out, 8 + json.length);
  writeFileSync(file, out);
  return file;
}
