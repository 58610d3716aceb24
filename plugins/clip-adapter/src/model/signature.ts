/**
 * Checks that ONNX encoders have the input/output names, element types and shapes of a Hugging Face
 * CLIP export, before anything runs. A mismatch names what was found and what is expected.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { errors } from '@visage/core';

type Meta = InferenceSession.ValueMetadata;
/** A dimension as ONNX Runtime reports it: a size, or a symbolic name. */
type Dim = number | string;

/** What a vision encoder takes and gives, as far as the file fixes it. */
export interface VisionSignature {
  /** Fixed batch size, or null when dynamic. */
  batch: number | null;
  /** Fixed input height/width, or null when dynamic. */
  height: number | null;
  width: number | null;
  /** image_embeds width, or null when dynamic. */
  embedDim: number | null;
}

export interface TextSignature {
  batch: number | null;
  /** Fixed sequence length, or null when dynamic. */
  sequenceLength: number | null;
  hasAttentionMask: boolean;
  embedDim: number | null;
}

const fixed = (d: Dim | undefined): number | null => (typeof d === 'number' && d > 0 ? d : null);

function describe(m: Meta): string {
  if (!m.isTensor) return `${m.name}: (not a tensor)`;
  return `${m.name}: ${m.type} [${m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d ? d : '?')).join(', ')}]`;
}
const list = (metas: readonly Meta[]) => `[${metas.map(describe).join('; ')}]`;

/** The tensor named `name`, checked for element type and rank; throws with the found signature. */
function tensor(
  model: string, side: 'input' | 'output', metas: readonly Meta[], name: string, type: string, rank: number, expected: string,
): InferenceSession.TensorValueMetadata {
  const meta = metas.find((m) => m.name === name);
  const found = `${side}s ${list(metas)}`;
  if (!meta || !meta.isTensor) throw errors.modelSignatureMismatch(model, found, `${side} ${expected}`);
  // ONNX Runtime reports an unknown rank as an empty shape; accept it and rely on the run-time check.
  if (meta.type !== type || (meta.shape.length !== 0 && meta.shape.length !== rank)) {
    throw errors.modelSignatureMismatch(model, `${side} ${describe(meta)}`, `${side} ${expected}`);
  }
  return meta;
}

/**
 * Vision encoder: input `pixel_values` float32 [B, 3, H, W] -> output `image_embeds` float32 [B, D].
 * @param size the preprocessing output size; fixed H/W in the model must equal it.
 */
export function checkVisionSignature(
  model: string, session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>, size?: { width: number; height: number },
): VisionSignature {
  const expectedIn = `pixel_values: float32 [batch, 3, ${size?.height ?? 'H'}, ${size?.width ?? 'W'}]`;
  const input = tensor(model, 'input', session.inputMetadata, 'pixel_values', 'float32', 4, expectedIn);
  const extra = session.inputMetadata.filter((m) => m.name !== 'pixel_values');
  if (extra.length) throw errors.modelSignatureMismatch(model, `inputs ${list(session.inputMetadata)}`, `only input ${expectedIn}`);
  const [batch, channels, height, width] = input.shape;
  if (fixed(channels) !== null && channels !== 3) throw errors.modelSignatureMismatch(model, `input ${describe(input)}`, `input ${expectedIn} (3 RGB channels)`);
  if (size && ((fixed(height) !== null && height !== size.height) || (fixed(width) !== null && width !== size.width))) {
    throw errors.modelSignatureMismatch(model, `input ${describe(input)}`, `input ${expectedIn} (the size preprocessor_config.json produces)`);
  }
  const output = tensor(model, 'output', session.outputMetadata, 'image_embeds', 'float32', 2, 'image_embeds: float32 [batch, D]');
  return { batch: fixed(batch), height: fixed(height), width: fixed(width), embedDim: fixed(output.shape[1]) };
}

/** Text encoder: `input_ids` int64 [B, L] (+ `attention_mask` int64 [B, L]) -> `text_embeds` float32 [B, D]. */
export function checkTextSignature(
  model: string, session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>, maxLength = 77,
): TextSignature {
  const expectedIds = `input_ids: int64 [batch, L <= ${maxLength}]`;
  const ids = tensor(model, 'input', session.inputMetadata, 'input_ids', 'int64', 2, expectedIds);
  const hasAttentionMask = session.inputMetadata.some((m) => m.name === 'attention_mask');
  if (hasAttentionMask) tensor(model, 'input', session.inputMetadata, 'attention_mask', 'int64', 2, 'attention_mask: int64 [batch, L]');
  const extra = session.inputMetadata.filter((m) => m.name !== 'input_ids' && m.name !== 'attention_mask');
  if (extra.length) throw errors.modelSignatureMismatch(model, `inputs ${list(session.inputMetadata)}`, `inputs ${expectedIds} and optionally attention_mask: int64 [batch, L]`);
  const sequenceLength = fixed(ids.shape[1]);
  if (sequenceLength !== null && sequenceLength > maxLength) {
    throw errors.modelSignatureMismatch(model, `input ${describe(ids)}`, `input ${expectedIds}`);
  }
  const output = tensor(model, 'output', session.outputMetadata, 'text_embeds', 'float32', 2, 'text_embeds: float32 [batch, D]');
  return { batch: fixed(ids.shape[0]), sequenceLength, hasAttentionMask, embedDim: fixed(output.shape[1]) };
}
