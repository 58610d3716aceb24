/**
 * Face tracking over a clip: detect on every frame (one batched call), follow one subject by box
 * overlap, fill short detector gaps from the neighbouring frames, then run the mesh on all frames
 * at once and keep the frames whose mesh face-flag confirms a face.
 *
 * Because a clip is processed offline, gaps are interpolated between the detections before and
 * after them rather than extrapolated from the past only (human re-uses the previous frame's box).
 */
import { errors } from '@visage/core';
import type { FaceFrame, Frame } from '@visage/core';
import { type Box, type BoxRoll, iou, lerpBox } from './box.ts';
import { type Detection, type FaceModels, type MeshResult, keypointRoll } from './face-models.ts';
import { trackByMesh } from './mesh-tracking.ts';

/** How a frame's face box was obtained. */
export type FaceSource = 'detected' | 'tracked' | 'none';

/** A FaceFrame plus what the tracker knows about it. */
export interface TrackedFace extends FaceFrame {
  /** 'detected' by BlazeFace, 'tracked' (box filled from neighbouring frames), or 'none' (flagged: no face). */
  source: FaceSource;
  /** FaceMesh face flag (0..1); 0 when the mesh did not run. */
  meshConfidence: number;
  /** BlazeFace keypoints (6 x/y pairs) of detected frames, else null. */
  keypoints: Float32Array | null;
}

/**
 * When BlazeFace runs: `every` frame (or every `detectEvery`-th, the others interpolated), or
 * `track`: the first frame and whenever the face tracked from the previous frame's mesh is lost
 * (see mesh-tracking.ts).
 */
export type DetectorPolicy = 'every' | 'track';

/** Options of `trackFaces`. */
export interface TrackOptions {
  /** When the detector runs: 'every' (default). 'track' applies when `follow` is unset (with `follow`, every frame is detected); `detectEvery` and `maxGap` are for 'every'. */
  detector?: DetectorPolicy;
  /** Frames without a detection are filled when a detection is at most this many frames away: 3. */
  maxGap?: number;
  /**
   * Run the detector on every n-th frame (and the last) only; the frames between take
   * interpolated boxes, and any of them whose mesh rejects the face is detected on its own.
   * 1 (default) detects on every frame; 4 cuts detector time about 3x on steady footage.
   */
  detectEvery?: number;
  /** A mesh face-flag below this marks the frame as "no face": 0.5. */
  minMeshConfidence?: number;
  /** A detection continues the track when its IoU with the previous box exceeds this: 0.1. */
  trackIou?: number;
  /**
   * Rotate each mesh crop by the roll of the detector's eye keypoints (human's
   * `detector.rotation`, off there by default): true.
   */
  rotate?: boolean;
  /** Name used in the NO_FACE_IN_CLIP error. */
  clipId?: string;
  /** Return all-'none' frames instead of throwing NO_FACE_IN_CLIP: false. */
  allowNoFace?: boolean;
  /** When given, wall-clock ms of the 'detect' and 'mesh' steps are added to it (keys 'detect', 'mesh'). */
  timings?: Record<string, number>;
  /**
   * Follow this face track, by size rank (0 = the largest; see `linkTracks`), instead of the
   * best-scoring first detection. Useful only with a detector that returns several faces per frame.
   */
  follow?: number;
  /** When given and `follow` is set, `tracks` receives how many face tracks the clip has. */
  found?: { tracks?: number };
}

/**
 * Links all detections of a clip into face tracks: frame by frame, each track takes the detection
 * that overlaps its last box most (IoU above `trackIou`, greedily, best pairs first) and a detection
 * no track takes starts a new one. Tracks are ranked by size (box area summed over the frames they
 * were detected on, so large and lasting wins); tracks detected on fewer than half of the
 * frames with any detection are dropped as detector blips. Returns, per track, its detection in
 * each frame (null where it has none).
 */
export function linkTracks(detections: Detection[][], trackIou = 0.1): (Detection | null)[][] {
  const tracks: { last: Box; dets: (Detection | null)[]; area: number; hits: number }[] = [];
  detections.forEach((cands, t) => {
    const pairs: [number, number, number][] = [];
    tracks.forEach((track, i) => cands.forEach((c, j) => {
      const v = iou(c.faceBox, track.last);
      if (v > trackIou) pairs.push([v, i, j]);
    }));
    pairs.sort((a, b) => b[0] - a[0]);
    const takenTracks = new Set<number>();
    const takenCands = new Set<number>();
    const add = (track: (typeof tracks)[number], c: Detection) => {
      track.dets[t] = c;
      track.last = c.faceBox;
      track.area += (c.box[2] - c.box[0]) * (c.box[3] - c.box[1]);
      track.hits++;
    };
    for (const [, i, j] of pairs) {
      if (takenTracks.has(i) || takenCands.has(j)) continue;
      takenTracks.add(i);
      takenCands.add(j);
      add(tracks[i], cands[j]);
    }
    cands.forEach((c, j) => {
      if (takenCands.has(j)) return;
      const track = { last: c.faceBox, dets: detections.map((): Detection | null => null), area: 0, hits: 0 };
      add(track, c);
      tracks.push(track);
    });
  });
  const withAny = detections.filter((c) => c.length > 0).length;
  return tracks.filter((tr) => tr.hits * 2 >= withAny).sort((a, b) => b.area - a.area).map((tr) => tr.dets);
}

/** Picks, per frame, the detection that continues the subject seen so far. */
export function associate(detections: Detection[][], trackIou = 0.1): (Detection | null)[] {
  let prev: Box | null = null;
  return detections.map((cands) => {
    if (cands.length === 0) return null;
    let pick = cands[0]; // highest score
    if (prev) {
      const best = cands.reduce((a, b) => (iou(b.faceBox, prev!) > iou(a.faceBox, prev!) ? b : a));
      if (iou(best.faceBox, prev) > trackIou) pick = best;
    }
    prev = pick.faceBox;
    return pick;
  });
}

export type { BoxRoll };

const lerpBoxRoll = (a: BoxRoll, b: BoxRoll, t: number): BoxRoll => ({ box: lerpBox(a.box, b.box, t), roll: a.roll + (b.roll - a.roll) * t });

/**
 * Fills frames without a value from values at most `maxGap` frames away: interpolated between
 * the nearest before and after, or copied from the only side that has one.
 */
export function fillGaps<T>(items: (T | null)[], maxGap: number, lerp: (a: T, b: T, t: number) => T): { value: T | null; filled: boolean }[] {
  return items.map((b, t) => {
    if (b) return { value: b, filled: false };
    let before = -1, after = -1;
    for (let k = t - 1; k >= Math.max(0, t - maxGap); k--) if (items[k]) { before = k; break; }
    for (let k = t + 1; k <= Math.min(items.length - 1, t + maxGap); k++) if (items[k]) { after = k; break; }
    if (before >= 0 && after >= 0) return { value: lerp(items[before]!, items[after]!, (t - before) / (after - before)), filled: true };
    if (before >= 0) return { value: items[before], filled: true };
    if (after >= 0) return { value: items[after], filled: true };
    return { value: null, filled: false };
  });
}

/**
 * The box and roll each picked detection gives the mesh. A loop, not a closure made per call: V8
 * drops a dead closure's optimized code at a full GC, so in a batch it was compiled again every few clips.
 */
function boxRolls(picked: (Detection | null)[], rotate: boolean): (BoxRoll | null)[] {
  const out: (BoxRoll | null)[] = [];
  for (const d of picked) out.push(d ? { box: d.faceBox, roll: rotate ? keypointRoll(d.keypoints) : 0 } : null);
  return out;
}

/**
 * Detect + track + mesh over the frames of one clip. A frame without a face is flagged
 * (`source: 'none'`, box/mesh null, score 0); a clip without any face throws NO_FACE_IN_CLIP.
 */
export async function trackFaces(models: FaceModels, frames: Frame[], opts: TrackOptions = {}): Promise<TrackedFace[]> {
  const { minMeshConfidence = 0.5, trackIou = 0.1, rotate = true, clipId = 'clip', allowNoFace = false } = opts;
  const detectEvery = Math.max(1, Math.floor(opts.detectEvery ?? 1));
  const maxGap = Math.max(opts.maxGap ?? 3, detectEvery - 1);
  const T = frames.length;
  const timings = opts.timings ?? {};
  const timed = async <R>(stage: string, run: () => Promise<R>): Promise<R> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - t0;
    }
  };
  const detectAt = async (idx: number[]) => {
    const found = await timed('detect', () => models.detect(idx.map((t) => frames[t])));
    idx.forEach((t, k) => (detections[t] = found[k]));
  };
  /** Per frame: a face where the mesh confirms the box, else 'none'. */
  const facesOf = (picked: (Detection | null)[], boxes: (Box | null)[], meshes: (MeshResult | null)[]): TrackedFace[] => {
    const faces = frames.map((_, t): TrackedFace => {
      const m = meshes[t];
      const box = boxes[t];
      if (!m || !box || m.confidence < minMeshConfidence) {
        return { box: null, score: 0, mesh: null, source: 'none', meshConfidence: m?.confidence ?? 0, keypoints: null };
      }
      const det = picked[t];
      return {
        box,
        // Filled or tracked frames have no detector score; the mesh flag is the evidence there.
        score: det ? det.score : m.confidence,
        mesh: m.mesh,
        source: det ? 'detected' : 'tracked',
        meshConfidence: m.confidence,
        keypoints: det ? det.keypoints : null,
      };
    });
    if (!allowNoFace && T > 0 && faces.every((f) => f.source === 'none')) throw errors.noFaceInClip(clipId, T);
    return faces;
  };

  if (opts.detector === 'track' && opts.follow === undefined) {
    const track = await trackByMesh(models, frames, { minMeshConfidence, rotate, timed });
    return facesOf(track.picked, track.boxes.map((b) => b?.box ?? null), track.meshes);
  }

  // Keyframes: every `detectEvery`-th frame and the last; the others are filled from them.
  const detections: Detection[][] = frames.map(() => []);
  // A loop, not a closure made per clip (see boxRolls).
  const keyframes: number[] = [];
  for (let t = 0; t < T; t++) if (t % detectEvery === 0 || t === T - 1) keyframes.push(t);
  await detectAt(keyframes);
  // The subject: the best-scoring first detection, or, with `follow`, that face track by size.
  const pick = (): (Detection | null)[] => {
    if (opts.follow === undefined) return associate(detections, trackIou);
    const linked = linkTracks(detections, trackIou);
    if (opts.found) opts.found.tracks = linked.length;
    return linked[opts.follow] ?? detections.map(() => null);
  };
  const picked = pick();
  const tracks = fillGaps(boxRolls(picked, rotate), maxGap, lerpBoxRoll);
  const meshes = await timed('mesh', () => models.mesh(frames, tracks.map((b) => b.value?.box ?? null), tracks.map((b) => b.value?.roll ?? 0)));

  // A filled frame whose mesh rejects the face gets its own detection, then a second mesh pass.
  const isKey = new Set(keyframes);
  const retry = frames.flatMap((_, t) => (!isKey.has(t) && !(meshes[t] && meshes[t]!.confidence >= minMeshConfidence) ? [t] : []));
  if (retry.length > 0) {
    await detectAt(retry);
    const newPicked = pick();
    const newTracks = fillGaps(boxRolls(newPicked, rotate), maxGap, lerpBoxRoll);
    const again = await timed('mesh', () => models.mesh(
      frames,
      newTracks.map((b, t) => (retry.includes(t) ? b.value?.box ?? null : null)),
      newTracks.map((b) => b.value?.roll ?? 0),
    ));
    // Only the retried frames change; the others keep the box their mesh was made from.
    for (const t of retry) {
      picked[t] = newPicked[t];
      tracks[t] = newTracks[t];
      meshes[t] = again[t];
    }
  }

  return facesOf(picked, tracks.map((b) => b.value?.box ?? null), meshes);
}
