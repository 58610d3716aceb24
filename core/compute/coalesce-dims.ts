/**
 * Merges adjacent dims that are contiguous in every operand, and drops size-1 dims, so most
 * broadcasts run as one long inner loop. Shared by the cpu and webgpu backends, which must agree
 * on it.
 */
export function coalesce(shape: readonly number[], s1: readonly number[], s2: readonly number[]): [number[], number[], number[]] {
  const sh: number[] = [], a: number[] = [], b: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && a[last] === s1[k] * shape[k] && b[last] === s2[k] * shape[k]) {
      sh[last] *= shape[k];
      a[last] = s1[k];
      b[last] = s2[k];
    } else {
      sh.push(shape[k]);
      a.push(s1[k]);
      b.push(s2[k]);
    }
  }
  return [sh, a, b];
}
