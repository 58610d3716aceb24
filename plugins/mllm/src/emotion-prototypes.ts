/**
 * Class scores from action units through FACS emotion prototypes.
 *
 * The table is EMFACS as tabulated for CK+ by Lucey et al. 2010 ("The Extended Cohn-Kanade Dataset
 * (CK+)", CVPRW, Table 2), restricted to the 13 AUs Visage measures (action-units.ts). Dropped
 * because they are not measured: AU7 (fear, anger), AU10 and AU16 (disgust), AU11 (sadness variant),
 * AU14 (contempt, so contempt has no default entry), AU24 (anger).
 *
 * Score: a prototype's evidence is the largest, over the frames with a face, of the mean intensity
 * of its AUs in that frame, so its AUs must co-occur (AU6+AU12 together, not AU6 early and AU12
 * late); intensities are relative to the clip's neutral frame and lie in [0, 1]. An empty prototype
 * ([]) means "no AU active": its evidence is 1 minus the largest evidence of the other prototypes
 * of the run. The class scores are softmax(evidence / temperature) over the run's classes.
 */
import type { ClassScores } from '@visage/core';
import { ACTION_UNITS, type ActionUnit, type AuSeries } from './action-units.ts';
import { mllmConfigInvalid, auPrototypesMissingClass } from './errors.ts';
import { softmax } from '@visage/core/metrics';

/** Emotion prototypes by Visage class name: the AUs that must co-occur. */
export type PrototypeTable = Readonly<Record<string, readonly ActionUnit[]>>;

/** The default table (see the module comment for the source and the dropped AUs). */
export const DEFAULT_PROTOTYPES: PrototypeTable = {
  angry: ['AU4', 'AU5', 'AU23'],
  disgust: ['AU9', 'AU15'],
  fear: ['AU1', 'AU2', 'AU4', 'AU5', 'AU20', 'AU26'],
  happy: ['AU6', 'AU12'],
  sad: ['AU1', 'AU4', 'AU15'],
  surprise: ['AU1', 'AU2', 'AU5', 'AU26'],
  neutral: [],
};

/**
 * Softmax temperature on evidence in [0, 1]: at 0.1 a prototype fully expressed against one at 0.2
 * wins by e^8, while small differences from mesh noise (about 0.05) stay soft.
 */
export const DEFAULT_TEMPERATURE = 0.1;

export interface PrototypeOptions {
  /** Entries added to or replacing those of DEFAULT_PROTOTYPES. */
  prototypes?: PrototypeTable;
  temperature?: number;
}

export interface PrototypeResult {
  /** softmax(evidence / temperature) over the run's classes. */
  scores: ClassScores;
  /** Evidence per class in [0, 1]. */
  evidence: ClassScores;
  /** Per class, the frame where its prototype peaked (null for "no AU active" classes). */
  apexFrame: Record<string, number | null>;
}

/**
 * Scores `runClasses` (every class of the table when the run names none) from one clip's AU series.
 * @throws VisageError AU_PROTOTYPES_MISSING_CLASS when a class has no prototype in the table.
 */
export function prototypeScores(series: AuSeries, runClasses: readonly string[], options: PrototypeOptions = {}): PrototypeResult {
  const table: PrototypeTable = { ...DEFAULT_PROTOTYPES, ...options.prototypes };
  const classes = runClasses.length ? runClasses : Object.keys(table);
  const temperature = options.temperature ?? DEFAULT_TEMPERATURE;
  if (!(temperature > 0)) throw mllmConfigInvalid('action-units.temperature', `must be a positive number, got ${temperature}`);
  const missing = classes.filter((c) => !Object.hasOwn(table, c));
  if (missing.length) throw auPrototypesMissingClass(missing, Object.keys(table));
  for (const [c, aus] of Object.entries(table)) {
    const unknown = aus.filter((au) => !(ACTION_UNITS as readonly string[]).includes(au));
    if (unknown.length) throw mllmConfigInvalid(`action-units.prototypes.${c}`, `${unknown.join(', ')} is not measured; use ${ACTION_UNITS.join(', ')}`);
  }

  const evidence: ClassScores = {};
  const apexFrame: Record<string, number | null> = {};
  for (const c of classes) {
    const aus = table[c];
    if (aus.length === 0) continue;
    let best = 0, apex: number | null = null;
    for (let t = 0; t < series.frameCount; t++) {
      if (!series.present[t]) continue;
      // A plain sum, not a reduce callback made per frame: V8 drops a dead closure's optimized code
      // at a full GC, so it was compiled again every few clips.
      let sum = 0;
      for (const au of aus) sum += series.intensity[au][t];
      const mean = sum / aus.length;
      if (apex === null || mean > best) { best = mean; apex = t; }
    }
    evidence[c] = best;
    apexFrame[c] = apex;
  }
  const strongest = Math.max(0, ...Object.values(evidence));
  for (const c of classes) {
    if (table[c].length > 0) continue;
    evidence[c] = 1 - strongest;
    apexFrame[c] = null;
  }

  const ordered: ClassScores = Object.fromEntries(classes.map((c) => [c, evidence[c]]));
  const probs = softmax(classes.map((c) => ordered[c]), temperature);
  const scores: ClassScores = Object.fromEntries(classes.map((c, i) => [c, probs[i]]));
  return { scores, evidence: ordered, apexFrame };
}
