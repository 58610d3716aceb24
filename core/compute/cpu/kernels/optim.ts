/** In-place optimizer updates with PyTorch's semantics (mirrored by webgpu/kernels/optim.ts). */
import type { AdamWOptions, SgdOptions } from '../../backend.ts';
import * as simd from '../wasm/simd.ts';

export function sgdUpdate(p: Float32Array, g: Float32Array, buf: Float32Array | null, n: number, o: SgdOptions): void {
  // The common case (momentum, not Nesterov) runs as WASM SIMD; the loops below are its reference.
  if (buf && o.momentum !== 0 && !o.nesterov) simd.sgdMomentum(p, g, buf, n, o.lr, o.momentum, o.dampening, o.weightDecay, o.firstStep);
  else sgdUpdateJs(p, g, buf, n, o);
}

export function sgdUpdateJs(p: Float32Array, g: Float32Array, buf: Float32Array | null, n: number, o: SgdOptions): void {
  const { lr, momentum, dampening, weightDecay: wd } = o;
  // One tight loop per variant: branches inside the loop cost about 3x here.
  if (!buf || momentum === 0) {
    for (let i = 0; i < n; i++) p[i] = p[i] - lr * (g[i] + wd * p[i]);
    return;
  }
  const keep = 1 - dampening;
  // One pass over the four arrays (they do not fit in cache together). The update reads the
  // momentum rounded to f32, exactly what is stored and what the next step will see.
  if (o.nesterov) {
    if (o.firstStep) {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * p[i], b = Math.fround(d);
        buf[i] = b;
        p[i] = p[i] - lr * (d + momentum * b);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * p[i], b = Math.fround(momentum * buf[i] + keep * d);
        buf[i] = b;
        p[i] = p[i] - lr * (d + momentum * b);
      }
    }
  } else if (o.firstStep) {
    for (let i = 0; i < n; i++) {
      const b = Math.fround(g[i] + wd * p[i]);
      buf[i] = b;
      p[i] = p[i] - lr * b;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const b = Math.fround(momentum * buf[i] + keep * (g[i] + wd * p[i]));
      buf[i] = b;
      p[i] = p[i] - lr * b;
    }
  }
}

export function adamwUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, o: AdamWOptions): void {
  const bc1 = 1 - Math.pow(o.beta1, o.step), bc2 = 1 - Math.pow(o.beta2, o.step);
  const stepSize = o.lr / bc1, sqrtBc2 = Math.sqrt(bc2), decay = 1 - o.lr * o.weightDecay;
  for (let i = 0; i < n; i++) {
    p[i] = p[i] * decay;
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
    p[i] = p[i] - stepSize * m[i] / (Math.sqrt(v[i]) / sqrtBc2 + o.eps);
  }
}
