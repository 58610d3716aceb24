/**
 * FineCLIPER checkpoints: the head's parameters as safetensors, its configuration (classes, levels,
 * formulation, sizes) and the descriptor templates in the JSON sidecar, so a checkpoint alone
 * rebuilds the model.
 */
import { loadCheckpoint, loadParameters, saveCheckpoint, type CheckpointSidecar } from '../../../../core/compute/index.ts';
import { fineCliperCheckpointMismatch } from '../../../../core/errors/messages.ts';
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
  const model = new FineCliperModel(sidecar.config as unknown as FineCliperConfig);
  loadParameters(model.namedParameters(), ckpt, path);
  model.eval();
  return { model, templates: sidecar.templates as DescriptorTemplates | undefined, sidecar };
}
