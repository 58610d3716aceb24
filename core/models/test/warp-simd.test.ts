import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '../../types.ts';
import { type Affine, rectToAffine, setWarpPath, warpToFloat, warpToFrame } from '../image-warp.ts';
import { assembleWarp } from '../wasm/build.ts';
import { WARP_WASM_BASE64 } from '../wasm/warp-wasm.ts';
import { warpF32Model } from './warp-f32-model.ts';

afterEach(() => { setWarpPath('simd'); });

let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const noise = (width: number, height: number): Frame =>
  ({ width, height, rgb: Uint8Array.from({ length: width * height * 3 }, () => Math.floor(rand() * 256)), sourceIndex: 0 });

/** Letterboxes, crops, the edge clamp, rotations and shears inside and across every border, a map wholly outside. */
function maps(): Affine[] {
  const list: Affine[] = [
    rectToAffine([-12, -7.5, 53, 36.5], 23, 17), // letterbox: bands of rows and columns outside
    rectToAffine([3.3, 2.1, 30.9, 27.4], 19, 21),
    rectToAffine([0, 0, 41, 29], 64, 48), // upscaling the whole frame: the edge clamp
    rectToAffine([-30, -20, -2, -1], 16, 16), // all outside, up and left
    [1, 0, 100, 0, 1, 100], // all outside, down and right
    rectToAffine([39.7, 27.6, 41.2, 29.3], 9, 9), // the bottom-right corner, half pixels
  ];
  for (let k = 0; k < 16; k++) {
    const a = (rand() - 0.5) * 2.4, s = 0.3 + rand() * 1.8, shear = k % 3 === 0 ? rand() * 0.4 : 0;
    list.push([Math.cos(a) * s, -Math.sin(a) * s + shear, rand() * 60 - 20, Math.sin(a) * s, Math.cos(a) * s, rand() * 50 - 15]);
  }
  return list;
}

function both<T>(run: () => T): { exact: T; simd: T } {
  setWarpPath('exact');
  const exact = run();
  setWarpPath('simd');
  return { exact, simd: run() };
}

describe('WASM SIMD warps', () => {
  it('warp-wasm.ts is what warp.wat assembles to (rerun build.ts after editing the .wat)', async () => {
    expect(Buffer.from(WARP_WASM_BASE64, 'base64').equals(Buffer.from(await assembleWarp()))).toBe(true);
  });

  /**
   * The kernels read the same taps at the same f64 fractions as the exact loops and blend in f32:
   * within 1e-4 of a pixel value (0-255) times the scale, plus the f32 rounding of the output.
   */
  it('match the exact f64 loops on floats: RGB and gray, every border, fill values, offsets', () => {
    const f = noise(41, 29);
    for (const m of maps()) {
      for (const [gray, scale, bias, fill] of [[false, 1 / 127.5, -1, 0], [true, 2 / 255, -1, 0], [true, 2 / 255, -1, 3],
        [false, 1, 0, 5], [false, 1 / 255, 0, 255], [false, 1, 0.5, 0]] as const) {
        const n = 31 * 27 * (gray ? 1 : 3), offset = 5;
        const { exact, simd } = both(() => {
          const out = new Float32Array(n + 2 * offset).fill(-7);
          warpToFloat(f, m, 31, 27, out, offset, { scale, bias, channels: gray ? 1 : 3, fill });
          return out;
        });
        let worst = 0;
        for (let i = 0; i < exact.length; i++) {
          const tolerance = 1e-4 * Math.abs(scale) + 2 ** -23 * (Math.abs(exact[i]) + Math.abs(bias));
          worst = Math.max(worst, Math.abs(simd[i] - exact[i]) / tolerance);
        }
        expect(worst, `map ${m.join(',')} gray ${gray} fill ${fill}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('match the exact bytes of warpToFrame, but where the value is within 1e-4 of a rounding boundary', () => {
    const f = noise(41, 29);
    let differ = 0;
    for (const m of maps()) {
      for (const fill of [0, 9]) {
        const { exact, simd } = both(() => warpToFrame(f, m, 33, 25, fill).rgb);
        setWarpPath('exact');
        const value = new Float32Array(33 * 25 * 3);
        warpToFloat(f, m, 33, 25, value, 0, { bias: 0.5, fill });
        for (let i = 0; i < exact.length; i++) {
          if (simd[i] === exact[i]) continue;
          differ++;
          expect(Math.abs(simd[i] - exact[i]), `byte ${i} of map ${m.join(',')}`).toBe(1);
          expect(Math.abs(value[i] - Math.round(value[i])), `byte ${i} of map ${m.join(',')}`).toBeLessThan(1e-4);
        }
      }
    }
    expect(differ).toBeLessThan(10);
  });

  /** A rotation by `angle` and a scale, centred on (cx, cy) of the frame and on the output's centre. */
  const turned = (angle: number, s: number, cx: number, cy: number, outW: number, outH: number): Affine => {
    const c = Math.cos(angle) * s, n = Math.sin(angle) * s;
    return [c, -n, cx - c * outW / 2 + n * outH / 2, n, c, cy - n * outW / 2 - c * outH / 2];
  };

  /**
   * Bit for bit, not within a tolerance: the kernels' f32 blend is their numerical contract (the
   * exact loops are the reference above), so a change of staging or of loop order must keep every
   * byte. Covers both stagings: the frame's rows read in place (whole-width axis-aligned maps with
   * every column inside, rotated crops with their margin inside the frame) and the ring of `fill`.
   */
  it('write the bytes of a scalar f32 model of their arithmetic: every output, staging, edge, fill, odd widths, 1-pixel frames', () => {
    const cases: [Frame, Affine, number, number][] = [];
    const f = noise(41, 29);
    for (const m of maps()) cases.push([f, m, 31, 27], [f, m, 33, 25]);
    const side = 41;
    cases.push(
      [f, rectToAffine([0, -6, side, side - 6], 16, 16), 16, 16], // letterbox over the whole width: rows in place, bands
      [f, rectToAffine([0, 0, 41, 29], 13, 11), 13, 11], // the whole frame, downscaled: in place
      [f, rectToAffine([0, 0, 41, 29], 64, 48), 64, 48], // upscaled: in place with the edge clamp
      [f, rectToAffine([0, 3, 41, 20], 41, 17), 41, 17], // a band of rows, whole width
      [f, rectToAffine([1, 0, 40, 29], 19, 9), 19, 9], // all but the side columns: ring
      [f, turned(0.3, 0.5, 20, 14, 15, 13), 15, 13], // rotated, inside: in place
      [f, turned(-2.1, 0.7, 20.5, 14.5, 17, 17), 17, 17],
      [f, turned(0.2, 0.9, 3, 14, 11, 11), 11, 11], // across the left edge: ring
      [f, turned(-0.4, 0.9, 38, 14, 11, 11), 11, 11], // right
      [f, turned(0.5, 0.9, 20, 2, 11, 11), 11, 11], // top
      [f, turned(1.2, 0.9, 20, 27, 11, 11), 11, 11], // bottom
      [f, turned(0.1, 1.3, 0, 0, 9, 9), 9, 9], [f, turned(-0.1, 1.3, 41, 29, 9, 9), 9, 9], // corners
      [f, turned(0.3, 0.45, 20, 14, 1, 1), 1, 1], [f, turned(0.3, 0.45, 20, 14, 1, 7), 1, 7], // one pixel wide
    );
    for (const [w, h] of [[1, 1], [1, 3], [3, 1], [2, 2]]) {
      const tiny = noise(w, h);
      for (const m of [rectToAffine([0, 0, w, h], 5, 3), rectToAffine([-1, -1, w + 1, h + 1], 4, 4), turned(0.7, 0.4, w / 2, h / 2, 6, 5)]) cases.push([tiny, m, 5, 4]);
    }
    const video = noise(720, 528);
    cases.push([video, rectToAffine([0, -96, 720, 624], 256, 256), 256, 256], [video, turned(0.15, 1.1, 350, 240, 192, 192), 192, 192]);
    let checked = 0;
    for (const [frame, m, outW, outH] of cases) {
      for (const [gray, scale, bias, fill] of [[false, 1 / 127.5, -1, 0], [true, 2 / 255, -1, 0], [false, 1 / 255, 0, 9], [true, 1, 0, 255]] as const) {
        if (frame === video && fill !== 0) continue;
        const out = new Float32Array(outW * outH * 3 + 10).fill(-7);
        warpToFloat(frame, m, outW, outH, out, 5, { scale, bias, channels: gray ? 1 : 3, fill });
        const model = warpF32Model(frame, m, outW, outH, fill, gray, scale, bias, false), n = model.length;
        expect(Buffer.from(out.buffer, 20, 4 * n).equals(Buffer.from(model.buffer)), `map ${m.join(',')} ${outW}x${outH} gray ${gray} fill ${fill}`).toBe(true);
        expect([...out.subarray(0, 5), ...out.subarray(5 + n)].every((x) => x === -7), 'writes outside its rows').toBe(true);
        checked++;
      }
      for (const fill of [0, 9]) {
        const model = warpF32Model(frame, m, outW, outH, fill, false, 1, 0.5, true);
        expect(Buffer.from(warpToFrame(frame, m, outW, outH, fill).rgb).equals(Buffer.from(model.buffer)), `bytes, map ${m.join(',')} fill ${fill}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('take a frame larger than the module memory at start, and a video-sized letterbox', () => {
    const f = noise(1100, 700);
    const side = 1100, S = 512;
    for (const m of [rectToAffine([0, -200, side, side - 200], S, S), [0.9, -0.5, 600, 0.5, 0.9, 100] as Affine]) {
      const { exact, simd } = both(() => {
        const out = new Float32Array(S * S * 3);
        warpToFloat(f, m, S, S, out, 0, { scale: 1 / 127.5, bias: -1 });
        return out;
      });
      let worst = 0;
      for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(simd[i] - exact[i]));
      expect(worst).toBeLessThan(1e-4 / 127.5 + 2e-7);
    }
  });

  it('leave a fill the ring cannot hold (not a byte) and a map that is not finite to the exact loops', () => {
    const f = noise(41, 29);
    for (const [m, fill] of [[maps()[6], 0.5], [maps()[6], -1], [[1, 0.1, NaN, 0, 1, 0], 0], [[1, 0, NaN, 0, 1, 0], 0], [[Infinity, 0, 0, 0, 1, 0], 0]] as [Affine, number][]) {
      const { exact, simd } = both(() => {
        const out = new Float32Array(31 * 27 * 3);
        warpToFloat(f, m, 31, 27, out, 0, { fill });
        return out;
      });
      expect(Buffer.from(simd.buffer).equals(Buffer.from(exact.buffer)), `map ${m.join(',')} fill ${fill}`).toBe(true);
    }
  });
});

describe('VISAGE_WARP', () => {
  /** README (Face models and plumbing per clip): the same labels, probabilities within 1e-4 of the exact warps. */
  it('=exact runs the f64 loops; the default SIMD warps give the same label and probabilities within 1e-4', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url)), dir = mkdtempSync(path.join(os.tmpdir(), 'visage-warp-'));
    const rows = (warp: string) => {
      const out = path.join(dir, `${warp || 'default'}.jsonl`);
      const r = spawnSync(process.execPath, ['bin/visage.js', 'pipeline', 'run', 'samples/astronaut.mp4', '--out', out],
        { cwd: root, env: { ...process.env, VISAGE_WARP: warp }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8').trim()) as { label: string; probabilities: Record<string, number> };
    };
    const exact = rows('exact'), simd = rows('');
    const pathIn = (warp: string) => spawnSync(process.execPath, ['--import', 'tsx', '-e',
      "import('./core/models/image-warp.ts').then((m) => console.log(m.setWarpPath('simd')))"],
    { cwd: root, env: { ...process.env, VISAGE_WARP: warp }, encoding: 'utf8' }).stdout.trim();
    expect([pathIn('exact'), pathIn('')]).toEqual(['exact', 'simd']);
    expect(simd.label).toBe(exact.label);
    for (const [name, p] of Object.entries(exact.probabilities)) expect(Math.abs(simd.probabilities[name] - p), name).toBeLessThanOrEqual(1e-4);
  }, 60_000);
});
