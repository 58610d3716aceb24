/**
 * CLIP's pre-LayerNorm transformer block as ONNX nodes (opset 17): x + attn(ln_1(x)), then
 * x + mlp(ln_2(x)) with QuickGELU. Shared by the tiny vision and text encoders.
 * Linear weights are stored [in, out] so every projection is one MatMul (+ Add for the bias).
 */
import { attr, type OnnxGraphBuilder } from '@visage/core/models';

export interface LayerNormWeights { scale: Float32Array; bias: Float32Array }
export interface LinearWeights { weight: Float32Array; bias: Float32Array }

export interface BlockWeights {
  ln1: LayerNormWeights;
  q: LinearWeights;
  k: LinearWeights;
  v: LinearWeights;
  out: LinearWeights;
  ln2: LayerNormWeights;
  fc1: LinearWeights;
  fc2: LinearWeights;
}

/** LayerNormalization over the last axis (epsilon 1e-5, as in CLIP). */
export function addLayerNorm(g: OnnxGraphBuilder, x: string, name: string, w: LayerNormWeights): string {
  const width = w.scale.length;
  const scale = g.addInitializer(`${name}.weight`, w.scale, [width]);
  const bias = g.addInitializer(`${name}.bias`, w.bias, [width]);
  return g.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: attr.float(1e-5) });
}

/** x @ W + b with W stored [inFeatures, outFeatures]. */
export function addLinear(g: OnnxGraphBuilder, x: string, name: string, w: LinearWeights): string {
  const outFeatures = w.bias.length;
  const inFeatures = w.weight.length / outFeatures;
  const weight = g.addInitializer(`${name}.weight`, w.weight, [inFeatures, outFeatures]);
  const bias = g.addInitializer(`${name}.bias`, w.bias, [outFeatures]);
  return g.op('Add', [g.op('MatMul', [x, weight]), bias]);
}

/** CLIP's QuickGELU: x * sigmoid(1.702 x). */
export function addQuickGelu(g: OnnxGraphBuilder, x: string): string {
  const k = g.has('quick_gelu.k') ? 'quick_gelu.k' : g.addInitializer('quick_gelu.k', new Float32Array([1.702]), []);
  return g.op('Mul', [x, g.op('Sigmoid', [g.op('Mul', [x, k])])]);
}

/**
 * Multi-head self-attention on x [B, T, D].
 * @param mask additive mask broadcastable to [B, heads, T, T] (causal and/or padding), or undefined.
 */
export function addSelfAttention(
  g: OnnxGraphBuilder, x: string, name: string, w: BlockWeights, heads: number, mask?: string,
): string {
  const width = w.q.bias.length;
  if (width % heads !== 0) throw new RangeError(`${name}: width ${width} is not divisible by ${heads} heads`);
  const headDim = width / heads;
  const split = g.addInt64(`${name}.split_shape`, [0, 0, heads, headDim]);
  const merge = g.addInt64(`${name}.merge_shape`, [0, 0, width]);
  const heads4 = (y: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [y, split])], { perm });
  const q = heads4(addLinear(g, x, `${name}.q_proj`, w.q), [0, 2, 1, 3]); // [B,H,T,dh]
  const kT = heads4(addLinear(g, x, `${name}.k_proj`, w.k), [0, 2, 3, 1]); // [B,H,dh,T]
  const v = heads4(addLinear(g, x, `${name}.v_proj`, w.v), [0, 2, 1, 3]); // [B,H,T,dh]
  const scale = g.addInitializer(`${name}.scale`, new Float32Array([1 / Math.sqrt(headDim)]), []);
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), scale]);
  if (mask) scores = g.op('Add', [scores, mask]);
  const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), merge]);
  return addLinear(g, merged, `${name}.out_proj`, w.out);
}

/** One residual block; returns the new residual stream. */
export function addTransformerBlock(
  g: OnnxGraphBuilder, x: string, name: string, w: BlockWeights, heads: number, mask?: string,
): string {
  const attended = g.op('Add', [x, addSelfAttention(g, addLayerNorm(g, x, `${name}.ln_1`, w.ln1), `${name}.attn`, w, heads, mask)]);
  const hidden = addQuickGelu(g, addLinear(g, addLayerNorm(g, attended, `${name}.ln_2`, w.ln2), `${name}.mlp.fc1`, w.fc1));
  return g.op('Add', [attended, addLinear(g, hidden, `${name}.mlp.fc2`, w.fc2)]);
}
