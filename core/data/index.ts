/** Dataset readers: DFEW, FERV39k, MAFW split files and a generic `path,label` CSV. */
export type { DatasetItem, DatasetSplit, SplitName, CommonReaderOptions } from './types.ts';
export { DFEW_CLASSES, FERV39K_CLASSES, MAFW_CLASSES } from './classes.ts';
export { readDfew, type DfewOptions } from './dfew.ts';
export { readFerv39k, type Ferv39kOptions } from './ferv39k.ts';
export { readMafw, type MafwOptions } from './mafw.ts';
export { readCsvDataset, parseCsv, type CsvDatasetOptions } from './csv.ts';
export { writeSyntheticDataset, hsvToRgb, SYNTHETIC_CLASS_NAMES, type SyntheticDatasetOptions, type SyntheticDataset, type SyntheticClip } from './synthetic.ts';
