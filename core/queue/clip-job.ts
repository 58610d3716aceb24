/**
 * What travels through the queue: a clip job (source, resolved preset, requirements) and its
 * result, either the output row (`pipeline run`) or the levels' embeddings (`extract`). A failed
 * job carries its VisageError as JSON in the failure reason, so the submitter writes the same
 * error row as an in-process run.
 */
import type { ResolvedPreset } from '../config/resolve-preset.ts';
import { queueJobFailed } from '../errors/messages.ts';
import { VisageError, wrapPluginError } from '../errors/visage-error.ts';
import type { OutputRow } from '../output/row.ts';
import type { LevelOutput, SourceRef } from '../pipeline/stage-types.ts';
import type { WorkerRequirements } from './worker-requirements.ts';

export interface ClipJobData {
  v: 1;
  /** 'row': the output row of a pipeline run; 'levels': embeddings of `slots` (feature extraction). */
  kind: 'row' | 'levels';
  /** The clip as the worker reads it (path under the shared root). */
  source: SourceRef;
  preset: ResolvedPreset;
  requires: WorkerRequirements;
  slots?: string[];
}

/** f32 values as base64 (JSON would triple their size). */
export interface EncodedEmbeddings {
  rows: number;
  dim: number;
  data: string;
}

export interface EncodedLevel {
  frameEmbeddings?: EncodedEmbeddings;
  embedding?: EncodedEmbeddings;
}

export type ClipJobResult = { row: OutputRow } | { levels: Record<string, EncodedLevel> };

export function encodeLevels(levels: Readonly<Record<string, LevelOutput>>, slots: string[]): Record<string, EncodedLevel> {
  const out: Record<string, EncodedLevel> = {};
  for (const slot of slots) {
    const l = levels[slot];
    out[slot] = {
      ...(l?.frameEmbeddings?.length && { frameEmbeddings: encodeRows(l.frameEmbeddings) }),
      ...(l?.embedding && { embedding: encodeRows([l.embedding]) }),
    };
  }
  return out;
}

/** The embeddings part of each level's output, as the pipeline gave it on the worker. */
export function decodeLevels(levels: Record<string, EncodedLevel>): Record<string, LevelOutput> {
  const out: Record<string, LevelOutput> = {};
  for (const [slot, l] of Object.entries(levels)) {
    out[slot] = {
      ...(l.frameEmbeddings && { frameEmbeddings: decodeRows(l.frameEmbeddings) }),
      ...(l.embedding && { embedding: decodeRows(l.embedding)[0] }),
    } as LevelOutput;
  }
  return out;
}

/** The failure reason a worker throws: the VisageError as JSON (wrapped like an in-process run). */
export function failureReason(e: unknown): string {
  const err = e instanceof VisageError ? e : wrapPluginError(e, 'visage.core', 'run');
  return JSON.stringify({ visageError: { ...err.toJSON(), exitCode: err.exitCode } });
}

/** Back from a failure reason; a reason that is not ours (a crash, BullMQ's own) becomes QUEUE_JOB_FAILED. */
export function errorFromFailure(reason: string | undefined): VisageError {
  try {
    const e = JSON.parse(reason ?? '').visageError;
    if (e?.code) return new VisageError(e);
  } catch {
    // not JSON: fall through
  }
  return queueJobFailed(reason ?? '');
}

function encodeRows(rows: ArrayLike<number>[]): EncodedEmbeddings {
  const dim = rows[0].length;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { rows: rows.length, dim, data: Buffer.from(data.buffer).toString('base64') };
}

function decodeRows(e: EncodedEmbeddings): Float32Array[] {
  const buf = Buffer.from(e.data, 'base64');
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return Array.from({ length: e.rows }, (_, i) => all.slice(i * e.dim, (i + 1) * e.dim));
}
