/**
 * Facial action-unit (AU) intensities from the 468-point face mesh, per frame, relative to the clip's
 * most neutral frame.
 *
 * Method (our own geometric approximation of FACS, not a trained AU detector; every constant is a
 * configurable default):
 * 1. The first frame with a face fixes a face-centred frame of reference: origin between the outer
 *    eye corners, x along them, unit = inter-ocular distance (IOD).
 * 2. Every frame is mapped into it by a least-squares similarity fitted on rigid points (eye corners,
 *    nose bridge, forehead, temples), so head translation, roll and scale cancel. Out-of-plane head
 *    rotation (yaw, pitch) does not cancel; large turns read partly as movement.
 * 3. A few geometric measures per frame (brow heights, lid and cheek heights, lip-corner positions,
 *    lip gap, lip thickness, chin height) are compared with the neutral frame; each AU is the
 *    displacement in its direction of action, in IOD units, divided by a full-scale displacement
 *    and clipped to [0, 1].
 */
import type { FaceFrame } from '@visage/core';
import { errors } from '@visage/core';
import {
  CHEEK, CHIN, EYE_OUTER, INNER_BROW, LIP_CORNER, LIP_MID, MESH_POINTS, NOSE_WING, OUTER_BROW,
  RIGID_ANCHORS, UPPER_LID,
} from './mesh-indices.ts';
import { applySimilarity, fitSimilarity, similarityAngleDeg, type Similarity } from './similarity-align.ts';
import { mllmConfigInvalid, auNoFace } from './errors.ts';

/** The action units measured, in FACS numbering order. */
export const ACTION_UNITS = [
  'AU1', 'AU2', 'AU4', 'AU5', 'AU6', 'AU9', 'AU12', 'AU15', 'AU17', 'AU20', 'AU23', 'AU25', 'AU26',
] as const;
export type ActionUnit = (typeof ACTION_UNITS)[number];

/**
 * Displacement (in IOD units) that counts as full intensity 1.0. Rough adult magnitudes
 * [inferred]: outer-canthal distance is about 90 mm, a strong brow raise about 9 mm, a broad
 * smile moves the lip corners about 11 mm, a wide jaw drop about 25 mm.
 */
export const DEFAULT_FULL_SCALE: Readonly<Record<ActionUnit, number>> = {
  AU1: 0.1, AU2: 0.1, AU4: 0.08, AU5: 0.04, AU6: 0.06, AU9: 0.05, AU12: 0.12,
  AU15: 0.06, AU17: 0.06, AU20: 0.1, AU23: 0.05, AU25: 0.15, AU26: 0.25,
};

/** How the neutral reference frame is chosen. */
export type NeutralChoice = 'auto' | 'first' | number;

export interface ActionUnitOptions {
  /**
   * 'auto' (default): the frame where the one-directional measures (mouth width, lip gap, jaw
   * drop, cheek and nostril-wing height) are closest to their clip minimum, i.e. the least
   * deformed frame; 'first': the first frame with a face; a number: that frame index.
   */
  neutral?: NeutralChoice;
  /** Per-AU full-scale displacement in IOD units (merged over DEFAULT_FULL_SCALE). */
  fullScale?: Partial<Record<ActionUnit, number>>;
}

/** Per-frame AU intensities of one clip. Plain data: JSON-serialisable except NaN (use auSeriesToJSON). */
export interface AuSeries {
  /** AU names, in the order of `intensity` keys. */
  aus: readonly ActionUnit[];
  /** Frames in the clip (including frames without a face). */
  frameCount: number;
  /** Index of the neutral reference frame. */
  neutralFrame: number;
  /** Whether frame t had a face mesh. */
  present: boolean[];
  /** intensity[au][t] in [0, 1]; NaN where frame t has no face. */
  intensity: Record<ActionUnit, number[]>;
  /** Signed displacement behind each AU, in IOD units (before clipping and scaling); NaN without face. */
  raw: Record<ActionUnit, number[]>;
  /** In-plane head rotation relative to the neutral frame, degrees; NaN without face. */
  headRollDeg: number[];
  /**
   * Horizontal head turn proxy relative to the neutral frame: shift of the nose tip from the middle of
   * the eye corners, in IOD units (positive: the nose moves toward the image right); NaN without face.
   */
  headTurn: number[];
}

interface Point { x: number; y: number }

/** The geometric measures of one aligned frame (IOD units, y down). */
interface FrameMeasures {
  innerBrowY: number;
  innerBrowGap: number;
  outerBrowY: number;
  upperLidY: number;
  cheekY: number;
  noseWingY: number;
  cornerRight: Point;
  cornerLeft: Point;
  mouthWidth: number;
  lipGap: number;
  lipThickness: number;
  lowerLipChinY: number;
  mentonY: number;
  rollDeg: number;
  noseTurn: number;
}

/**
 * Computes per-frame AU intensities for one clip.
 * @param faces the landmarks level output, one entry per sampled frame (mesh may be null).
 * @throws VisageError SHAPE_MISMATCH for a mesh that is not 468x3, AU_NO_FACE when no frame has a mesh.
 */
export function computeActionUnits(faces: readonly FaceFrame[], options: ActionUnitOptions = {}): AuSeries {
  const fullScale = { ...DEFAULT_FULL_SCALE, ...options.fullScale };
  for (const au of ACTION_UNITS) {
    if (!(fullScale[au] > 0)) throw mllmConfigInvalid(`actionUnits.fullScale.${au}`, `must be a positive number, got ${fullScale[au]}`);
  }
  faces.forEach((f, t) => {
    if (f.mesh && f.mesh.length !== MESH_POINTS * 3) {
      throw errors.shapeMismatch('computeActionUnits', `frame ${t}: mesh has ${f.mesh.length} values, expected ${MESH_POINTS * 3} (468 x 3)`);
    }
  });
  // Filled by push, not made by map: map's result arrays came in more than one elements kind
  // (their hidden class), and each new one threw away this function's optimized code ("wrong map").
  const present: boolean[] = [];
  for (const f of faces) present.push(f.mesh !== null);
  const first = present.indexOf(true);
  if (first < 0) throw auNoFace(faces.length);

  const template = canonicalAnchors(faces[first].mesh!);
  const measures: (FrameMeasures | null)[] = [];
  for (const f of faces) measures.push(f.mesh ? measureFrame(f.mesh, template) : null);
  const neutral = pickNeutral(measures, options.neutral ?? 'auto', fullScale);
  const ref = measures[neutral]!;

  const intensity = {} as Record<ActionUnit, number[]>;
  const raw = {} as Record<ActionUnit, number[]>;
  for (const au of ACTION_UNITS) {
    intensity[au] = [];
    raw[au] = [];
  }
  const headRollDeg: number[] = [];
  const headTurn: number[] = [];
  for (const m of measures) {
    if (!m) {
      for (const au of ACTION_UNITS) { intensity[au].push(NaN); raw[au].push(NaN); }
      headRollDeg.push(NaN);
      headTurn.push(NaN);
      continue;
    }
    const d = auDisplacements(m, ref);
    for (const au of ACTION_UNITS) {
      raw[au].push(d[au]);
      intensity[au].push(Math.min(1, Math.max(0, d[au]) / fullScale[au]));
    }
    headRollDeg.push(m.rollDeg - ref.rollDeg);
    headTurn.push(m.noseTurn - ref.noseTurn);
  }
  return { aus: ACTION_UNITS, frameCount: faces.length, neutralFrame: neutral, present, intensity, raw, headRollDeg, headTurn };
}

/** Signed displacement of every AU in its direction of action, in IOD units. */
function auDisplacements(m: FrameMeasures, ref: FrameMeasures): Record<ActionUnit, number> {
  // Lip corners: outward is -x for the subject's right corner (image left), +x for the left one.
  const outR = -(m.cornerRight.x - ref.cornerRight.x), upR = -(m.cornerRight.y - ref.cornerRight.y);
  const outL = m.cornerLeft.x - ref.cornerLeft.x, upL = -(m.cornerLeft.y - ref.cornerLeft.y);
  const out = (outR + outL) / 2, up = (upR + upL) / 2;
  const widening = m.mouthWidth - ref.mouthWidth;
  const browDrop = m.innerBrowY - ref.innerBrowY;
  const browNarrowing = ref.innerBrowGap - m.innerBrowGap;
  return {
    AU1: -browDrop,
    AU2: -(m.outerBrowY - ref.outerBrowY),
    // Brow lowerer: the inner brows go down and/or together; either alone counts.
    AU4: Math.max(0, browDrop) + Math.max(0, browNarrowing),
    AU5: -(m.upperLidY - ref.upperLidY),
    AU6: -(m.cheekY - ref.cheekY),
    AU9: -(m.noseWingY - ref.noseWingY),
    // Lip corner puller acts obliquely up and out; lip stretcher out and slightly down.
    AU12: (out + up) / Math.SQRT2,
    AU15: -up,
    AU17: -(m.lowerLipChinY - ref.lowerLipChinY),
    AU20: (out - up) / Math.SQRT2,
    // Lip tightener thins the red of the lips without the widening of a smile or a stretch.
    AU23: (ref.lipThickness - m.lipThickness) - 0.5 * Math.max(0, widening),
    AU25: m.lipGap - ref.lipGap,
    AU26: m.mentonY - ref.mentonY,
  };
}

/** Rigid anchors of the first face, in the face-centred frame (origin between the eyes, IOD = 1). */
function canonicalAnchors(mesh: Float32Array): Float64Array {
  const rx = mesh[EYE_OUTER.right * 3], ry = mesh[EYE_OUTER.right * 3 + 1];
  const lx = mesh[EYE_OUTER.left * 3], ly = mesh[EYE_OUTER.left * 3 + 1];
  const iod = Math.hypot(lx - rx, ly - ry);
  if (!(iod > 0)) throw errors.shapeMismatch('computeActionUnits', 'degenerate mesh: the outer eye corners coincide');
  // Map the eye-corner segment onto (-0.5, 0) -> (0.5, 0).
  const toCanon = fitSimilarity([rx, ry, lx, ly], [-0.5, 0, 0.5, 0]);
  const out = new Float64Array(RIGID_ANCHORS.length * 2);
  for (let i = 0; i < RIGID_ANCHORS.length; i++) {
    const idx = RIGID_ANCHORS[i];
    const [x, y] = applySimilarity(toCanon, mesh[idx * 3], mesh[idx * 3 + 1]);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

// Per-frame code uses module-level functions and plain loops, not closures made per call: V8 drops
// a dead closure's optimized code at a full GC, so per-call closures were compiled again every few
// clips (README, "Face models and plumbing per clip").

/** Mesh point `idx` mapped through `align`. */
function alignedPoint(align: Similarity, mesh: Float32Array, idx: number): Point {
  const [x, y] = applySimilarity(align, mesh[idx * 3], mesh[idx * 3 + 1]);
  return { x, y };
}

/** The mean of mesh points `ids` mapped through `align`. */
function alignedMean(align: Similarity, mesh: Float32Array, ids: readonly number[]): Point {
  let x = 0, y = 0;
  for (const i of ids) { const q = alignedPoint(align, mesh, i); x += q.x; y += q.y; }
  return { x: x / ids.length, y: y / ids.length };
}

// The rigid anchors of the frame being measured, reused by every call (fitSimilarity only reads them).
const anchorScratch = new Float64Array(RIGID_ANCHORS.length * 2);

function measureFrame(mesh: Float32Array, template: Float64Array): FrameMeasures {
  const src = anchorScratch;
  for (let i = 0; i < RIGID_ANCHORS.length; i++) {
    const idx = RIGID_ANCHORS[i];
    src[2 * i] = mesh[idx * 3];
    src[2 * i + 1] = mesh[idx * 3 + 1];
  }
  const align: Similarity = fitSimilarity(src, template);
  const innerR = alignedMean(align, mesh, INNER_BROW.right), innerL = alignedMean(align, mesh, INNER_BROW.left);
  const cornerRight = alignedPoint(align, mesh, LIP_CORNER.right), cornerLeft = alignedPoint(align, mesh, LIP_CORNER.left);
  const upperOuter = alignedPoint(align, mesh, LIP_MID.upperOuter), upperInner = alignedPoint(align, mesh, LIP_MID.upperInner);
  const lowerInner = alignedPoint(align, mesh, LIP_MID.lowerInner), lowerOuter = alignedPoint(align, mesh, LIP_MID.lowerOuter);
  const eyeR = alignedPoint(align, mesh, EYE_OUTER.right), eyeL = alignedPoint(align, mesh, EYE_OUTER.left);
  const nose = alignedPoint(align, mesh, 1);
  return {
    innerBrowY: (innerR.y + innerL.y) / 2,
    innerBrowGap: innerL.x - innerR.x,
    outerBrowY: alignedMean(align, mesh, [...OUTER_BROW.right, ...OUTER_BROW.left]).y,
    upperLidY: alignedMean(align, mesh, [UPPER_LID.right, UPPER_LID.left]).y,
    cheekY: alignedMean(align, mesh, [...CHEEK.right, ...CHEEK.left]).y,
    noseWingY: alignedMean(align, mesh, [NOSE_WING.right, NOSE_WING.left]).y,
    cornerRight,
    cornerLeft,
    mouthWidth: Math.hypot(cornerLeft.x - cornerRight.x, cornerLeft.y - cornerRight.y),
    lipGap: lowerInner.y - upperInner.y,
    lipThickness: (upperInner.y - upperOuter.y) + (lowerOuter.y - lowerInner.y),
    lowerLipChinY: (lowerOuter.y + alignedPoint(align, mesh, CHIN.boss).y) / 2,
    mentonY: alignedPoint(align, mesh, CHIN.menton).y,
    // The alignment rotates the frame back to the template, so the head's own roll is its opposite.
    rollDeg: -similarityAngleDeg(align),
    noseTurn: nose.x - (eyeR.x + eyeL.x) / 2,
  };
}

/**
 * 'auto': sums, over measures that only grow when the face moves away from rest (mouth width, lip
 * gap, jaw drop, cheek and nostril-wing rise), each frame's excess over the clip minimum in
 * full-scale units, and takes the smallest (the earliest on ties).
 */
function pickNeutral(measures: (FrameMeasures | null)[], choice: NeutralChoice, fullScale: Record<ActionUnit, number>): number {
  if (typeof choice === 'number') {
    if (!Number.isInteger(choice) || choice < 0 || choice >= measures.length) {
      throw mllmConfigInvalid('actionUnits.neutral', `frame ${choice} is outside the clip (0..${measures.length - 1})`);
    }
    if (!measures[choice]) throw mllmConfigInvalid('actionUnits.neutral', `frame ${choice} has no face`);
    return choice;
  }
  let firstPresent = 0;
  while (firstPresent < measures.length && measures[firstPresent] === null) firstPresent++;
  if (firstPresent === measures.length) firstPresent = -1;
  if (choice === 'first') return firstPresent;
  if (choice !== 'auto') throw mllmConfigInvalid('actionUnits.neutral', `expected 'auto', 'first' or a frame index, got ${JSON.stringify(choice)}`);
  // Math.min folded from Infinity, as Math.min(...values) gives it.
  const mins = new Array<number>(GROWING_MEASURES.length).fill(Infinity);
  for (const m of measures) {
    if (m) for (let k = 0; k < GROWING_MEASURES.length; k++) mins[k] = Math.min(mins[k], GROWING_MEASURES[k][0](m));
  }
  let best = firstPresent, bestScore = Infinity;
  for (let t = 0; t < measures.length; t++) {
    const m = measures[t];
    if (!m) continue;
    let score = 0;
    for (let k = 0; k < GROWING_MEASURES.length; k++) {
      const [measure, au] = GROWING_MEASURES[k];
      score += (measure(m) - mins[k]) / fullScale[au];
    }
    // The tolerance keeps float32 mesh noise from deciding between equally neutral frames.
    if (score < bestScore - 1e-4) { best = t; bestScore = score; }
  }
  return best;
}

/** The measures that only grow away from rest, with the AU whose full scale is their unit. */
const GROWING_MEASURES: readonly (readonly [(m: FrameMeasures) => number, ActionUnit])[] = [
  [(m) => m.mouthWidth, 'AU20'],
  [(m) => m.lipGap, 'AU25'],
  [(m) => m.mentonY, 'AU26'],
  [(m) => -m.cheekY, 'AU6'],
  [(m) => -m.noseWingY, 'AU9'],
];

/** x rounded to 4 decimals, null when not finite (JSON has no NaN). */
const roundOrNull = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);
const clean = (xs: number[]) => xs.map(roundOrNull);

/** A JSON-safe copy of the series (NaN becomes null), for JSONL rows. */
export function auSeriesToJSON(series: AuSeries): Record<string, unknown> {
  const intensity: Record<string, (number | null)[]> = {};
  for (const au of series.aus) intensity[au] = clean(series.intensity[au]);
  return {
    aus: [...series.aus],
    frameCount: series.frameCount,
    neutralFrame: series.neutralFrame,
    present: series.present,
    intensity,
    headRollDeg: clean(series.headRollDeg),
    headTurn: clean(series.headTurn),
  };
}
