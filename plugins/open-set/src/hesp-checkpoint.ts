/**
 * Saving and loading a trained HESP head: its parameters plus the frozen text rows (so inference needs
 * no text encoder), the class names (row order) and the configuration, in core/compute's
 * safetensors + JSON sidecar format.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadCheckpoint, loadParameters, saveCheckpoint, sidecarPath } from '@visage/core/compute';
import { openSetCheckpointInvalid } from './errors.ts';
import { resolveHespConfig, type HespConfig } from './hesp-config.ts';
import { HespModel } from './hesp-model.ts';

/** Extra sidecar facts: the threshold chosen on validation and how it was chosen. */
export interface HespCheckpointInfo {
  threshold?: number;
  score?: string;
  accept?: number;
  bestEpoch?: number;
  metrics?: Record<string, number>;
}

export async function saveHespCheckpoint(path: string, model: HespModel, info: HespCheckpointInfo = {}): Promise<void> {
  const entries: Array<[string, typeof model.contexts]> = [
    ...model.namedParameters(),
    ['text.positive', model.textBase],
    ['text.negative', model.negativeText],
  ];
  await saveCheckpoint(path, entries, {
    config: model.config as unknown as Record<string, unknown>,
    classNames: model.classes,
    kind: 'visage.open-set/hesp',
    ...(info.metrics && { metrics: info.metrics }),
    info: { ...info, metrics: undefined },
  });
}

export interface LoadedHesp {
  model: HespModel;
  config: HespConfig;
  info: HespCheckpointInfo;
}

/** Rebuilds the model of a checkpoint written by saveHespCheckpoint. */
export async function loadHespCheckpoint(path: string): Promise<LoadedHesp> {
  if (!existsSync(path)) throw openSetCheckpointInvalid(path, 'file not found');
  const ckpt = await loadCheckpoint(path);
  const classes = ckpt.sidecar.classNames;
  if (ckpt.sidecar.kind !== 'visage.open-set/hesp' || !classes?.length) throw openSetCheckpointInvalid(path, 'not a HESP checkpoint (no class names or wrong kind in its sidecar)');
  const pos = ckpt.tensors.get('text.positive'), neg = ckpt.tensors.get('text.negative');
  if (!pos || !neg) throw openSetCheckpointInvalid(path, 'the text embeddings (text.positive, text.negative) are missing');
  // The rows are cut by class count, so the text tensors must be exactly [classes, dim].
  if (pos.shape.length !== 2 || pos.shape[0] !== classes.length || neg.shape.join() !== pos.shape.join()) {
    throw openSetCheckpointInvalid(path, `text.positive is [${pos.shape}] and text.negative [${neg.shape}], expected [${classes.length}, dim] for the ${classes.length} class names of the sidecar`);
  }
  const dim = pos.shape[1];
  const rows = (t: { data: Float32Array }) => classes.map((_, k) => t.data.slice(k * dim, (k + 1) * dim));
  const config = resolveHespConfig(ckpt.sidecar.config as Partial<HespConfig>);
  const model = new HespModel({ classes, positive: rows(pos), negative: rows(neg) }, config);
  ckpt.tensors.delete('text.positive');
  ckpt.tensors.delete('text.negative');
  loadParameters(model.namedParameters(), ckpt, path);
  model.eval();
  return { model, config, info: (ckpt.sidecar.info ?? {}) as HespCheckpointInfo };
}

/** The validation threshold and score rule stored with a checkpoint (reads only its JSON sidecar). */
export async function readHespThreshold(path: string): Promise<{ threshold: number; score: string }> {
  const file = sidecarPath(path);
  let sidecar: { kind?: string; info?: HespCheckpointInfo };
  try {
    sidecar = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw openSetCheckpointInvalid(file, `cannot read the checkpoint's sidecar: ${(e as Error).message}`);
  }
  const { threshold, score } = sidecar.info ?? {};
  if (sidecar.kind !== 'visage.open-set/hesp' || typeof threshold !== 'number' || typeof score !== 'string') {
    throw openSetCheckpointInvalid(file, 'no validation threshold in this sidecar (write the checkpoint with `visage open-set eval --out DIR`)');
  }
  return { threshold, score };
}
