/**
 * A frontal 468-point mesh for unit tests, built from the MediaPipe canonical face model's UV layout
 * (`UV468` in @vladmandic/human src/face/facemeshcoords.ts, read as text so the test does not
 * depend on that file being importable). The UV map is close to a frontal orthographic view.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '@visage/core/testing';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

let uv: [number, number][] | undefined;

function uv468(): [number, number][] {
  if (uv) return uv;
  const src = readFileSync(join(repoRoot, 'node_modules/@vladmandic/human/src/face/facemeshcoords.ts'), 'utf8');
  const block = src.match(/export const UV468[^=]*=\s*\[([\s\S]*?)\n\];/);
  if (!block) throw new Error('UV468 not found in @vladmandic/human sources');
  uv = [...block[1].matchAll(/\[\s*([-\d.e]+)\s*,\s*([-\d.e]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (uv.length !== 468) throw new Error(`UV468 has ${uv.length} points`);
  return uv;
}

/** The template mesh: face `size` pixels wide with its top-left at (x0, y0); z = 0. */
export function templateMesh(size = 300, x0 = 100, y0 = 80): Float32Array {
  const mesh = new Float32Array(468 * 3);
  uv468().forEach(([u, v], i) => {
    mesh[i * 3] = x0 + u * size;
    mesh[i * 3 + 1] = y0 + v * size;
  });
  return mesh;
}

/** Inter-ocular distance (outer eye corners 33 and 263) of a mesh, pixels. */
export function iod(mesh: Float32Array): number {
  return Math.hypot(mesh[263 * 3] - mesh[33 * 3], mesh[263 * 3 + 1] - mesh[33 * 3 + 1]);
}

/** Moves the listed points by (dx, dy), in pixels, in a copy of `mesh`. */
export function movePoints(mesh: Float32Array, moves: [index: number, dx: number, dy: number][]): Float32Array {
  const out = new Float32Array(mesh);
  for (const [i, dx, dy] of moves) {
    out[i * 3] += dx;
    out[i * 3 + 1] += dy;
  }
  return out;
}

/** Applies x' = s R (x - c) + c + t to every point (R rotates by `deg`, clockwise on screen for y down). */
export function transformMesh(mesh: Float32Array, deg: number, scale: number, tx: number, ty: number, cx = 250, cy = 250): Float32Array {
  const out = new Float32Array(mesh);
  const a = (deg * Math.PI) / 180, c = Math.cos(a) * scale, s = Math.sin(a) * scale;
  for (let i = 0; i < 468; i++) {
    const x = mesh[i * 3] - cx, y = mesh[i * 3 + 1] - cy;
    out[i * 3] = c * x - s * y + cx + tx;
    out[i * 3 + 1] = s * x + c * y + cy + ty;
  }
  return out;
}

/** Deterministic uniform noise in [-1, 1) (mulberry32). */
export function seededNoise(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => uniform() * 2 - 1;
}
