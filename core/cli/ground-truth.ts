/**
 * Where a batch's clips and their ground truth come from, shared by `pipeline run`, `compare` and
 * `ablate`: inputs (files, folders, globs) with `--labels FILE` or `--labels-from-folders`, or a
 * dataset split through the readers in core/data. The truth travels as `SourceRef.label` and comes
 * out as the row field `groundTruth`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { parseCsv, readCsvDataset, readDfew, readFerv39k, readMafw, type DatasetSplit, type SplitName } from '../data/index.ts';
import * as errors from '../errors/messages.ts';
import { expandInputs } from '../media/expand-inputs.ts';
import { isUri, normalizeSources } from '../pipeline/normalize-source.ts';
import type { SourceRef } from '../pipeline/stage-types.ts';
import { rowFromError, type OutputRow } from '../output/row.ts';

export interface GroundTruthFlags {
  labels?: string;
  labelsFromFolders?: boolean;
  dataset?: string;
  root?: string;
  fold?: string;
  split?: string;
}

export const DATASETS = ['dfew', 'ferv39k', 'mafw', 'csv'];

export function addGroundTruthFlags(cmd: Command): Command {
  return cmd
    .option('--labels <file>', 'ground truth: a CSV with a header naming "path" or "id", and "label"')
    .option('--labels-from-folders', 'ground truth: each clip\'s parent folder name is its class')
    .addOption(new Option('--dataset <name>', 'clips and truth from a dataset split instead of inputs').choices(DATASETS))
    .option('--root <dir>', 'dataset root (with --dataset)')
    .option('--fold <k>', 'dataset fold for dfew and mafw (default 1)')
    .addOption(new Option('--split <split>', 'dataset split').choices(['train', 'test']).default('test'));
}

/** The batch's sources with ids and truth, and an error row for each input that matched nothing. */
export async function sourcesWithTruth(inputs: string[], flags: GroundTruthFlags, command: string): Promise<{ sources: SourceRef[]; invalid: OutputRow[]; classes?: string[] }> {
  const chosen = [flags.labels && '--labels', flags.labelsFromFolders && '--labels-from-folders', flags.dataset && '--dataset'].filter((f): f is string => !!f);
  if (chosen.length > 1) throw errors.groundTruthConflict(chosen);
  if (flags.dataset) {
    if (inputs.length) throw errors.groundTruthConflict(['inputs', '--dataset']);
    const split = await readDatasetSplit(flags);
    return { sources: split.items.map((it) => ({ path: it.source, id: it.id, label: it.label })), invalid: [], classes: split.classes };
  }
  if (!inputs.length) throw errors.noInputs(command);
  const raw: SourceRef[] = [];
  const invalid: OutputRow[] = [];
  for (const arg of inputs) {
    if (isUri(arg)) {
      raw.push({ path: arg });
      continue;
    }
    try {
      for (const p of await expandInputs([arg])) raw.push({ path: p });
    } catch (e) {
      invalid.push(rowFromError({ path: arg }, e));
    }
  }
  const sources = normalizeSources(raw);
  if (flags.labelsFromFolders) for (const s of sources) s.label = path.basename(path.dirname(path.resolve(s.path)));
  if (flags.labels) {
    const truth = readLabelsFile(flags.labels);
    for (const s of sources) s.label = truth.get(s.id ?? s.path) ?? truth.get(path.resolve(s.path)) ?? s.label;
  }
  return { sources, invalid };
}

/**
 * A labels CSV: header with `label` and `path` (relative to the CSV's folder, or absolute) or `id`
 * (a clip id as the batch derives it). Keys map to class names.
 */
export function readLabelsFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw errors.inputNotFound(file);
  }
  const records = parseCsv(text);
  const header = records.shift();
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const labelCol = names.indexOf('label');
  const pathCol = names.indexOf('path');
  const idCol = names.indexOf('id');
  if (labelCol < 0 || (pathCol < 0 && idCol < 0)) throw errors.labelsFileInvalid(file, header?.line ?? 1, `the header must name "label" and "path" or "id", found "${header?.fields.join(',') ?? ''}"`);
  const out = new Map<string, string>();
  for (const { line, fields } of records) {
    const label = fields[labelCol]?.trim();
    const key = fields[pathCol >= 0 ? pathCol : idCol]?.trim();
    if (!label || !key) throw errors.labelsFileInvalid(file, line, 'empty key or label');
    out.set(pathCol >= 0 ? path.resolve(path.dirname(file), key) : key, label);
  }
  return out;
}

async function readDatasetSplit(flags: GroundTruthFlags): Promise<DatasetSplit> {
  const name = flags.dataset!;
  if (!flags.root) throw errors.datasetNeedsRoot(name);
  const root = flags.root;
  const split = (flags.split ?? 'test') as SplitName;
  const fold = flags.fold === undefined ? 1 : Number(flags.fold);
  switch (name) {
    case 'dfew': return readDfew(root, { fold, split });
    case 'mafw': return readMafw(root, { fold, split });
    case 'ferv39k': return readFerv39k(root, { split });
    default: {
      // csv: the root holds train.csv and test.csv; classes are train's, so both splits share them.
      const train = await readCsvDataset(path.join(root, 'train.csv'), { root });
      return split === 'train' ? train : readCsvDataset(path.join(root, 'test.csv'), { root, classes: train.classes });
    }
  }
}
