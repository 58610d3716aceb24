/**
 * FineCLIPER checkpoints: the head's parameters as safetensors, its configuration (classes, levels,
 * formulation, sizes) and the descriptor templates in the JSON sidecar, so a checkpoint alone
 * rebuilds the model.
 */
import { loadCheckpoint, loadParameters, saveCheckpoint, storedValueCount, type CheckpointSidecar, type LoadedCheckpoint } from '@visage/core/compute';
import { fineCliperCheckpointMismatch } from '../errors.ts';
import { FineCliperModel, type FineCliperConfig } from './fineclipper-model.ts';
import type { DescriptorTemplates } from './descriptors.ts';

export interface FineCliperCheckpoint {
  model: FineCliperModel;
  templates?: DescriptorTemplates;
  sidecar: CheckpointSidecar;
}

/** Writes `path` (.safetensors) and its sidecar (.json) atomically. */
export async function saveFineCliper(path: string, model: FineCliperModel, extra: { templates: DescriptorTemplates; metrics?: Record<string, number>; [k: string]: unknown }): Promise<void> {
  await saveCheckpoint(path, model.namedParameters(), {
    ...extra,
    kind: 'fineclipper',
    config: model.config as unknown as Record<string, unknown>,
    classNames: model.config.classes,
  });
}

/** Rebuilds the model of a checkpoint written by `saveFineCliper`. */
export async function loadFineCliper(path: string): Promise<FineCliperCheckpoint> {
  const ckpt = await loadCheckpoint(path);
  const sidecar = ckpt.sidecar;
  if (sidecar.kind !== 'fineclipper' || !sidecar.config) throw fineCliperCheckpointMismatch(path, 'its sidecar JSON is missing or was not written by `visage train` (kind "fineclipper")');
  checkSizesFitTensors(path, sidecar.config as unknown as FineCliperConfig, ckpt);
  const model = new FineCliperModel(sidecar.config as unknown as FineCliperConfig);
  loadParameters(model.namedParameters(), ckpt, path);
  model.eval();
  return { model, templates: sidecar.templates as DescriptorTemplates | undefined, sidecar };
}

/**
 * The model is allocated from the sidecar before its parameters are compared with the file, so a forged
 * size (`embedDim: 1e8`) would allocate gigabytes first. Every size the model multiplies must fit in the
 * values the file actually stores.
 */
function checkSizesFitTensors(path: string, config: FineCliperConfig, ckpt: LoadedCheckpoint): void {
  const stored = storedValueCount(ckpt);
  const sizes = { embedDim: config.embedDim, frames: config.frames, temporalMlp: config.temporalMlp, temporalHeads: config.temporalHeads };
  for (const [name, v] of Object.entries(sizes)) {
    if (!(Number.isSafeInteger(v) && v >= 1)) throw fineCliperCheckpointMismatch(path, `sidecar config.${name} is ${JSON.stringify(v)}, not a positive integer`);
  }
  if (!Array.isArray(config.classes) || !config.classes.every((c) => typeof c === 'string')) throw fineCliperCheckpointMismatch(path, 'sidecar config.classes is not a list of class names');
  if (!Array.isArray(config.levels) || config.levels.length === 0 || !config.levels.every((l) => typeof l?.name === 'string')) throw fineCliperCheckpointMismatch(path, 'sidecar config.levels is not a non-empty list');
  const d = config.embedDim;
  const hidden = Math.max(1, Math.round(d * (Number(config.adapterRatio) || 0.25)));
  // Each allocation below is made only when the file must also store a tensor at least that big.
  const hasTransformer = config.levels.some((l) => l.kind !== 'text' && (l.temporal ?? (l.name === 'frames' ? 'transformer' : 'mean')) === 'transformer');
  const largest = Math.max(d * hidden, hasTransformer ? Math.max(d * (config.frames + 1), d * config.temporalMlp) : 0);
  if (largest > stored) throw fineCliperCheckpointMismatch(path, `its sidecar sizes (embedDim ${d}, frames ${config.frames}, temporalMlp ${config.temporalMlp}, adapterRatio ${config.adapterRatio}) need more than the ${stored} values the file stores`);
}
