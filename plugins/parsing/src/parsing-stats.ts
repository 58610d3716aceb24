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

/**
 * The area fraction of one class, as `parsingStats(map)[name].area` gives it (a fifth of the work:
 * the level's summary needs only skin). Counts four labels per step in 32-bit words (a map is
 * 50 kB a frame, and this scan ran on every frame of every clip).
 */
export function classArea(map: ParsingMap, name: ParsingClass): number {
  const label = PARSING_LABEL[name];
  const { size, labels } = map;
  const total = size * size;
  let count = 0;
  let i = 0;
  // Bytes before the first 4-byte boundary of the buffer, then whole words, then the tail.
  const head = Math.min(total, (4 - (labels.byteOffset & 3)) & 3);
  for (; i < head; i++) if (labels[i] === label) count++;
  const words = (total - i) >> 2;
  if (words > 0) {
    count += countLabelInWords(new Int32Array(labels.buffer, labels.byteOffset + i, words), label);
    i += words * 4;
  }
  for (; i < total; i++) if (labels[i] === label) count++;
  return count / total;
}

/** How many of the bytes in `words` equal `label` (0..255). */
function countLabelInWords(words: Int32Array, label: number): number {
  const pattern = Math.imul(label, 0x01010101);
  let count = 0;
  // Four byte-wide counters in one int, emptied before any of them can pass 255.
  for (let start = 0; start < words.length; start += 255) {
    const end = Math.min(words.length, start + 255);
    let counters = 0;
    for (let w = start; w < end; w++) {
      const x = words[w] ^ pattern; // a byte equal to label is now 0
      // Bit 7 of each byte of `nonZero` is set when that byte of x is not 0 (no carry crosses bytes).
      const nonZero = (((x & 0x7f7f7f7f) + 0x7f7f7f7f) | 0) | x;
      counters = (counters + ((~nonZero >>> 7) & 0x01010101)) | 0;
    }
    count += (counters & 0xff) + ((counters >>> 8) & 0xff) + ((counters >>> 16) & 0xff) + (counters >>> 24);
  }
  return count;
}
