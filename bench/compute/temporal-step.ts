/**
 * The benchmark's training step: DFER-CLIP's temporal transformer (method.md B.1) on a batch of
 * per-frame features: prepend CLS, add 17 learned positions, one pre-LN encoder layer
 * (d 512, 8 heads, MLP 1024, GELU tanh), classify the CLS output; SGD with momentum.
 * torch-step.py builds the same model in PyTorch.
 */
import {
  Linear, ParameterRegistry, Rng, SGD, TransformerEncoderLayer, add, concat, crossEntropy, gatherStrided, normalTensor, reshape, slice, tensor,
  type Backend, type Tensor,
} from '../../core/compute/index.ts';

export const STEP = { batch: 48, frames: 16, dim: 512, heads: 8, mlp: 1024, classes: 7 };

/**
 * `denseGradients`: read the CLS rows through gatherStrided, whose backward is dense, instead of
 * slice, whose gradient the engine carries as its non-zero rows (core/compute/row-grad.ts): the
 * same step with the work PyTorch's autograd does.
 */
export function buildTemporalStep(backend: Backend, seed = 1, { denseGradients = false } = {}): { step: () => Promise<number> } {
  const { batch, frames, dim, heads, mlp, classes } = STEP;
  const rng = new Rng(seed);
  const opts = { backend };
  const layer = new TransformerEncoderLayer(dim, heads, mlp, { rng, backend });
  const head = new Linear(dim, classes, { rng, backend });
  const cls = normalTensor([1, 1, dim], 0.02, rng, opts);
  const pos = normalTensor([1, frames + 1, dim], 0.02, rng, opts);
  const reg = new ParameterRegistry();
  reg.registerAll(layer.namedParameters(), 'layer');
  reg.registerAll(head.namedParameters(), 'head');
  reg.register('cls', cls);
  reg.register('pos', pos);
  const opt = new SGD(reg.trainable(), { lr: 1e-2, momentum: 0.9, weightDecay: 1e-4 });
  const x = tensor(Float32Array.from({ length: batch * frames * dim }, () => rng.normal()), [batch, frames, dim], opts);
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  // CLS broadcast over the batch, as a concat input of shape [batch, 1, dim].
  const ones = tensor(new Float32Array(batch).fill(1), [batch, 1, 1], opts);
  return {
    async step() {
      opt.zeroGrad();
      const tokens = add(concat([add(ones as Tensor, cls), x], 1), pos);
      const out = layer.forward(tokens);
      const clsRows = denseGradients ? gatherStrided(out, [batch, 1, dim], [(frames + 1) * dim, dim, 1]) : slice(out, 1, 0, 1);
      const clsOut = reshape(clsRows, [batch, dim]);
      const loss = crossEntropy(head.forward(clsOut), labels);
      loss.backward({ freeGraph: true });
      opt.step();
      return loss.item();
    },
  };
}
