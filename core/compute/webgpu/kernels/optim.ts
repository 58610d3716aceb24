/**
 * In-place optimizer updates (PyTorch semantics), mirroring the cpu backend's sgdUpdate and
 * adamwUpdate line by line. Step-dependent scalars are computed on the host in f64.
 */
import type { AdamWOptions, SgdOptions } from '../../backend.ts';
import { entry1d, grid1d, kernel, type BufRef, type Kernel, type Role } from './common.ts';

export function sgdKernel(param: BufRef, grad: BufRef, momentumBuf: BufRef | null, n: number, o: SgdOptions): Kernel {
  const momentum = momentumBuf !== null && o.momentum !== 0;
  const roles: Role[] = [{ name: 'param', buf: param, write: true }, { name: 'grad', buf: grad }];
  if (momentum) roles.push({ name: 'mbuf', buf: momentumBuf, write: true });
  return kernel(roles, [['n', 'u32', n], ['lr', 'f32', o.lr], ['momentum', 'f32', o.momentum],
    ['damp', 'f32', 1 - o.dampening], ['wd', 'f32', o.weightDecay]], (v) => `${entry1d()}
  if (i >= p.n) { return; }
  var dp = ${v.grad}[i];
  ${o.weightDecay !== 0 ? `dp = dp + p.wd * ${v.param}[i];` : ''}
  ${momentum ? `
  let b = ${o.firstStep ? 'dp' : `p.momentum * ${v.mbuf}[i] + p.damp * dp`};
  ${v.mbuf}[i] = b;
  dp = ${o.nesterov ? 'dp + p.momentum * b' : 'b'};` : ''}
  ${v.param}[i] = ${v.param}[i] - p.lr * dp;
}`, grid1d(n));
}

export function adamwKernel(param: BufRef, grad: BufRef, m: BufRef, v2: BufRef, n: number, o: AdamWOptions): Kernel {
  const bc1 = 1 - Math.pow(o.beta1, o.step), bc2 = 1 - Math.pow(o.beta2, o.step);
  return kernel([{ name: 'param', buf: param, write: true }, { name: 'grad', buf: grad },
    { name: 'm', buf: m, write: true }, { name: 'v', buf: v2, write: true }],
  [['n', 'u32', n], ['decay', 'f32', 1 - o.lr * o.weightDecay], ['beta1', 'f32', o.beta1], ['beta2', 'f32', o.beta2],
    ['omb1', 'f32', 1 - o.beta1], ['omb2', 'f32', 1 - o.beta2], ['stepSize', 'f32', o.lr / bc1],
    ['sqrtBc2', 'f32', Math.sqrt(bc2)], ['eps', 'f32', o.eps]], (v) => `${entry1d()}
  if (i >= p.n) { return; }
  let g = ${v.grad}[i];
  let pd = ${v.param}[i] * p.decay;
  let mi = p.beta1 * ${v.m}[i] + p.omb1 * g;
  let vi = p.beta2 * ${v.v}[i] + p.omb2 * g * g;
  ${v.m}[i] = mi;
  ${v.v}[i] = vi;
  ${v.param}[i] = pd - p.stepSize * mi / (sqrt(vi) / p.sqrtBc2 + p.eps);
}`, grid1d(n));
}
