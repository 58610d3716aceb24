/** `--dataset dfew|ferv39k|mafw|csv --root DIR [--fold k]` -> the train and test splits. */
import { join } from 'node:path';
import { readCsvDataset, readDfew, readFerv39k, readMafw, type DatasetSplit, type SplitName } from '@visage/core/data';
import { fineCliperOptionInvalid } from '../errors.ts';

export const DATASETS = ['dfew', 'ferv39k', 'mafw', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface DatasetRequest {
  dataset: string;
  root: string;
  /** Fold 1..5 for DFEW and MAFW (default 1). */
  fold?: number;
}

/**
 * One split. For `csv`, the root holds `train.csv` and `test.csv` (`path,label`, paths relative
 * to the root); the classes are the sorted labels of train.csv, and test labels must be among them.
 */
export async function readSplit(req: DatasetRequest, split: SplitName): Promise<DatasetSplit> {
  const fold = req.fold ?? 1;
  switch (req.dataset) {
    case 'dfew': return readDfew(req.root, { fold, split });
    case 'mafw': return readMafw(req.root, { fold, split });
    case 'ferv39k': return readFerv39k(req.root, { split });
    case 'csv': {
      const train = await readCsvDataset(join(req.root, 'train.csv'), { root: req.root });
      return split === 'train' ? train : readCsvDataset(join(req.root, 'test.csv'), { root: req.root, classes: train.classes });
    }
    default:
      throw fineCliperOptionInvalid('--dataset', `"${req.dataset}" is not one of ${DATASETS.join(', ')}`);
  }
}

/** A short name for output folders: `dfew-fold2`, `ferv39k`, `csv`. */
export function datasetTag(req: DatasetRequest): string {
  return req.dataset === 'dfew' || req.dataset === 'mafw' ? `${req.dataset}-fold${req.fold ?? 1}` : req.dataset;
}
