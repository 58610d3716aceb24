/**
 * Per-class summaries of a parsing map: area fraction and centroid. Cheap geometric features
 * (mouth opening, eye openness) and the basis of the sanity checks on real faces.
 */
import { PARSING_CLASSES, PARSING_LABEL, type ParsingClass, type ParsingMap } from './classes.ts';

export interface ClassRegionStats {
  /** Fraction of the map's pixels with this label (0..1). */
  area: number;
  /** Mean pixel centre (x, y) in map pixels; null when the class is absent. */
  centroid: [number, number] | null;
}

/** Area and centroid of every class, keyed by class name. */
export function parsingStats(map: ParsingMap): Record<ParsingClass, ClassRegionStats> {
  const n = PARSING_CLASSES.length;
  const count = new Float64Array(n);
  const sumX = new Float64Array(n);
  const sumY = new Float64Array(n);
  const { size, labels } = map;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const l = labels[j * size + i];
      if (l >= n) continue;
      count[l]++;
      sumX[l] += i + 0.5;
      sumY[l] += j + 0.5;
    }
  }
  const total = size * size;
  const out = {} as Record<ParsingClass, ClassRegionStats>;
  PARSING_CLASSES.forEach((name, l) => {
    out[name] = { area: count[l] / total, centroid: count[l] ? [sumX[l] / count[l], sumY[l] / count[l]] : null };
  });
  return out;
}

/** The area fraction of one class, as `parsingStats(map)[name].area` gives it (a fifth of the work: the level's summary needs only skin). */
export function classArea(map: ParsingMap, name: ParsingClass): number {
  const label = PARSING_LABEL[name];
  const { size, labels } = map;
  let count = 0;
  for (let i = 0; i < size * size; i++) if (labels[i] === label) count++;
  return count / (size * size);
}
