/**
 * Neural-network ops: softmax, layer norm, normalisation, attention, embedding, cross-entropy,
 * dropout. Fused kernels where the backend has them; compositions of primitives elsewhere
 * (their gradients then come from the primitives).
 */
import { errors } from '../../errors/index.ts';
import { gatherRows, RowGrad } from '../row-grad.ts';
import { makeResult, sameBackend, tensor, Tensor, type IndexTensor } from '../tensor.ts';
import { abs, add, affine, div, exp, log, mul, relu, sqrt, sub } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { mean, sum } from './reduce.ts';

function lastAxisRows(x: Tensor): [number, number] {
  const cols = x.shape[x.rank - 1] ?? 1;
  return [x.size / cols, cols];
}

function softmaxImpl(x: Tensor, log: boolean): Tensor {
  const be = x.backend;
  const [rows, cols] = lastAxisRows(x);
  const out = be.alloc(x.size);
  be.softmax(x.buffer, out, rows, cols, log);
  return makeResult(log ? 'logSoftmax' : 'softmax', [x], out, x.shape, (dy, grads) => {
    const g = grads.of(x);
    if (g) be.softmaxBackward(out, dy, g, rows, cols, log, true);
  });
}

/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  return softmaxImpl(x, false);
}

/** Log-softmax over the last axis (stable: x - max - log(sum(exp))). */
export function logSoftmax(x: Tensor): Tensor {
  return softmaxImpl(x, true);
}

/** Layer norm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta (gamma/beta optional). */
export function layerNorm(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const [rows, cols] = lastAxisRows(x);
  for (const p of [gamma, beta]) {
    if (p && p.size !== cols) throw errors.shapeMismatch('layerNorm', `parameter of ${p.size} for ${cols} features`);
  }
  const inputs = [x, gamma, beta].filter((t): t is Tensor => t !== null);
  const be = sameBackend('layerNorm', ...inputs);
  const out = be.alloc(x.size);
  // Held as tensors so their buffers are freed with the graph.
  const meanT = new Tensor(be, be.alloc(rows), [rows]), rstdT = new Tensor(be, be.alloc(rows), [rows]);
  be.layerNorm(x.buffer, gamma?.buffer ?? null, beta?.buffer ?? null, out, meanT.buffer, rstdT.buffer, rows, cols, eps);
  return makeResult('layerNorm', inputs, out, x.shape, (dy, grads) => {
    const gx = grads.of(x), gg = gamma ? grads.of(gamma) : null, gb = beta ? grads.of(beta) : null;
    if (!gx && !gg && !gb) return;
    // The kernel always writes dx; give it a scratch buffer when x needs no gradient.
    const dx = gx ?? be.alloc(x.size);
    be.layerNormBackward(x.buffer, gamma?.buffer ?? null, meanT.buffer, rstdT.buffer, dy, dx, gg, gb, rows, cols, true);
    if (!gx) be.dispose(dx);
  }, (dy, grads) => {
    // Row by row: the non-zero rows of dy need only theirs of x, mean and rstd.
    if (dy.width !== cols) return false;
    const gg = gamma ? grads.of(gamma) : null, gb = beta ? grads.of(beta) : null;
    const n = dy.rows.count;
    const xs = gatherRows(be, x.buffer, dy.rows, cols);
    const means = gatherRows(be, meanT.buffer, dy.rows, 1), rstds = gatherRows(be, rstdT.buffer, dy.rows, 1);
    const dx = be.alloc(n * cols);
    be.layerNormBackward(xs, gamma?.buffer ?? null, means, rstds, dy.values, dx, gg, gb, n, cols);
    for (const buf of [xs, means, rstds]) be.dispose(buf);
    if (x.requiresGrad) grads.passRows(x, new RowGrad(dy.rows, cols, dx));
    else be.dispose(dx);
    return true;
  });
}

/** x / sqrt(sum(x², axis) + eps): unit L2 norm along `axis` (default last). */
export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12): Tensor {
  const norm = sqrt(affine(sum(mul(x, x), axis, { keepDims: true }), 1, eps));
  return div(x, norm);
}

/** Cosine similarity of every row of a [n, d] with every row of b [m, d]: an [n, m] matrix. */
export function cosineSimilarityMatrix(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw errors.shapeMismatch('cosineSimilarityMatrix', `needs [n, d] and [m, d], got [${a.shape}] and [${b.shape}]`);
  }
  return matmul(l2Normalize(a), l2Normalize(b), { transB: true });
}

/**
 * softmax(q kᵀ / sqrt(d) + mask) v over the last two dims. q [..., tq, d], k [..., tk, d],
 * v [..., tk, dv]; mask (optional) is additive and broadcasts to [..., tq, tk]: 0 keeps,
 * a large negative number (e.g. -1e9) removes.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor | null): Tensor {
  const d = q.shape[q.rank - 1];
  let scores = matmul(q, k, { transB: true, alpha: 1 / Math.sqrt(d) });
  if (mask) scores = add(scores, mask);
  return matmul(softmax(scores), v);
}

/** Rows of `table` [vocab, dim] picked by `ids`: out is [...shape, dim] (shape defaults to [ids.length]). */
export function embedding(table: Tensor, ids: IndexTensor, shape: readonly number[] = [ids.size]): Tensor {
  if (table.rank !== 2) throw errors.shapeMismatch('embedding', `table must be [vocab, dim], got [${table.shape}]`);
  const [vocab, dim] = table.shape;
  for (const i of ids.values) if (i < 0 || i >= vocab) throw errors.invalidComputeArgument('embedding', `index ${i} outside [0, ${vocab})`);
  const be = table.backend;
  const out = be.alloc(ids.size * dim);
  be.gather(table.buffer, ids.buffer, out, ids.size, dim);
  return makeResult('embedding', [table], out, [...shape, dim], (dy, grads) => {
    const g = grads.of(table);
    if (g) be.scatterAdd(dy, ids.buffer, g, ids.size, dim);
  });
}

export interface CrossEntropyOptions {
  /** Mass spread uniformly over all classes (PyTorch semantics): target = (1-ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/** Mean cross-entropy of logits [n, C] against class indices (0..C-1). */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>, opts: CrossEntropyOptions = {}): Tensor {
  if (logits.rank !== 2) throw errors.shapeMismatch('crossEntropy', `logits must be [n, classes], got [${logits.shape}]`);
  const [n, c] = logits.shape;
  if (targets.length !== n) throw errors.shapeMismatch('crossEntropy', `${targets.length} targets for ${n} rows`);
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps >= 1) throw errors.invalidComputeArgument('crossEntropy', `labelSmoothing ${eps} outside [0, 1)`);
  const dist = new Float32Array(n * c).fill(eps / c);
  for (let i = 0; i < n; i++) {
    const y = targets[i];
    if (!Number.isInteger(y) || y < 0 || y >= c) throw errors.invalidComputeArgument('crossEntropy', `target ${y} outside [0, ${c})`);
    dist[i * c + y] += 1 - eps;
  }
  const q = tensor(dist, [n, c], { backend: logits.backend });
  // -(1/n) Σ_i Σ_c q_ic log p_ic
  return affine(mean(sum(mul(logSoftmax(logits), q), 1)), -1, 0);
}

/**
 * Mean binary cross-entropy of logits against targets in [0, 1] (same shape), in the stable
 * form max(x, 0) - x·y + log(1 + exp(-|x|)) (torch's binary_cross_entropy_with_logits).
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor): Tensor {
  if (logits.shape.join() !== targets.shape.join()) {
    throw errors.shapeMismatch('binaryCrossEntropyWithLogits', `logits [${logits.shape}] vs targets [${targets.shape}]`);
  }
  const softplusNegAbs = log(affine(exp(affine(abs(logits), -1, 0)), 1, 1));
  return mean(add(sub(relu(logits), mul(logits, targets)), softplusNegAbs));
}

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
 * The mask is drawn from (seed, element index) by the backend's counter-based hash, so a run
 * is reproducible and cpu/webgpu agree. Identity when p is 0 or not training.
 */
export function dropout(x: Tensor, p: number, seed: number, training = true): Tensor {
  if (p < 0 || p >= 1) throw errors.invalidComputeArgument('dropout', `p = ${p} outside [0, 1)`);
  if (!training || p === 0) return x;
  const be = x.backend;
  const mask = new Tensor(be, be.alloc(x.size), x.shape);
  const maskBuf = mask.buffer;
  be.dropoutMask(maskBuf, x.size, p, seed >>> 0);
  const out = be.alloc(x.size);
  const dense = [1];
  be.binary('mul', x.buffer, maskBuf, out, { shape: [x.size], aStrides: dense, bStrides: dense });
  return makeResult('dropout', [x], out, x.shape, (dy, grads) => {
    const g = grads.of(x);
    if (g) be.binary('mul', dy, mask.buffer, g, { shape: [x.size], aStrides: dense, bStrides: dense, accumulate: true });
  });
}

