/** What every dataset reader returns: one split, labels keyed by class NAME. */

export type SplitName = 'train' | 'test';

export interface DatasetItem {
  /** The dataset's clip id (DFEW `00001`, FERV39k `Crime/Angry/0063`, MAFW `00025`). */
  id: string;
  /** Clip source for `readClip`: a frame folder or a video file. */
  source: string;
  /** Class name, one of `classes`. */
  label: string;
  /** English sample caption, where the split file has one (MAFW with_caption lists). */
  caption?: string;
}

export interface DatasetSplit {
  /** Class names in the dataset's canonical order (index i = class i of its label ids). */
  classes: string[];
  items: DatasetItem[];
}

/** Options every reader understands. */
export interface CommonReaderOptions {
  /** Check that every listed clip source exists (default true): one directory listing per folder. */
  checkSources?: boolean;
}
