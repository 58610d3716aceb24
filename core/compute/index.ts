/**
 * Visage compute engine: f32 tensors with reverse-mode autodiff, optimizers, schedules,
 * checkpoints and nn building blocks, over a cpu or webgpu backend (see backend.ts).
 */
export * from './backend.ts';
export {
  Tensor, IndexTensor, noGrad, isGradEnabled, getDefaultBackend, setDefaultBackend, withDefaultBackend,
  tensor, zeros, ones, full, indices, makeResult, type CreateOptions, type GradNode, type GradAccess, type BackwardOptions,
} from './tensor.ts';
export { CpuBackend, type CpuBackendOptions } from './cpu/cpu-backend.ts';
export { createBackend, type Device, type CreateBackendOptions } from './create-backend.ts';
export * from './ops/elementwise.ts';
export { matmul, type MatmulFlags } from './ops/matmul.ts';
export { sum, mean, max, type ReduceFlags } from './ops/reduce.ts';
export { reshape, transpose, slice, concat, gatherStrided } from './ops/shape.ts';
export {
  softmax, logSoftmax, layerNorm, l2Normalize, cosineSimilarityMatrix, scaledDotProductAttention,
  embedding, crossEntropy, binaryCrossEntropyWithLogits, dropout, type CrossEntropyOptions,
} from './ops/nn.ts';
export { Rng } from './rng.ts';
export { uniformTensor, normalTensor } from './init.ts';
export { ParameterRegistry } from './parameters.ts';
export { SGD, AdamW, type SgdSettings, type AdamWSettings, type ParamGroup } from './optim.ts';
export { LrSchedule, multiStepFactor, cosineWarmupFactor } from './schedules.ts';
export {
  saveCheckpoint, loadCheckpoint, loadParameters, sidecarPath, storedValueCount,
  type CheckpointSidecar, type LoadedCheckpoint, type LoadParametersOptions,
} from './checkpoint.ts';
export { Module, type ModuleOptions } from './nn/module.ts';
export { Linear, type LinearOptions } from './nn/linear.ts';
export { LayerNorm } from './nn/layer-norm.ts';
export { MultiHeadAttention, type MultiHeadAttentionOptions } from './nn/attention.ts';
export { TransformerEncoderLayer, type TransformerEncoderLayerOptions } from './nn/transformer.ts';
export { Adapter, type AdapterOptions } from './nn/adapter.ts';
