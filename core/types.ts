/**
 * Plain data that flows between stages. Everything here is serialisable (typed arrays and
 * plain objects), so a stage could later run in a worker without changing the plugin API.
 */

/**
 * One decoded RGB frame, 8 bits per channel, row-major, no padding. Its pixels live as long as its
 * clip: `visage pipeline run` and `visage worker` decode later clips into the same memory once a
 * clip's row is written (Pipeline.release), so a plugin copies whatever pixels it keeps longer.
 */
export interface Frame {
  width: number;
  height: number;
  /** width*height*3 bytes, RGB order. */
  rgb: Uint8Array;
  /** Index of this frame in the source (0-based). */
  sourceIndex: number;
  /** Presentation time in seconds, when known. */
  time?: number;
}

/** A clip after ingest: the T sampled frames of one video, frame folder or image. */
export interface Clip {
  /** Stable id: dataset id, or the file name without extension. */
  id: string;
  /** Where it came from (path as given). */
  source: string;
  kind: 'video' | 'frames' | 'image';
  fps: number;
  /** Frames in the source before sampling. */
  totalFrames: number;
  /** The sampled frames, in order; length T (short clips are padded per the sampling rule). */
  frames: Frame[];
  /** Source frame index of each sampled frame (padding repeats an index). */
  indices: number[];
  /** Ground-truth class name, when a dataset reader knows it. */
  label?: string;
  /**
   * Which face the face levels follow: the rank of its track by size (0 = the largest). Unset: the
   * tracker's own choice (the best-scoring detection of the first frame with one). Set by `--window`.
   */
  faceTrack?: number;
}

/** Per-frame face result of the landmarks level. Coordinates are in source-frame pixels. */
export interface FaceFrame {
  /** [x0, y0, x1, y1] of the detected (enlarged, square) face box; null when no face. */
  box: [number, number, number, number] | null;
  /** Detector confidence (0..1); 0 when no face. */
  score: number;
  /** 468 x (x, y, z) mesh points, flattened; null when no face. */
  mesh: Float32Array | null;
}

/** Class scores keyed by class name: never by index, so label orders cannot drift. */
export type ClassScores = Record<string, number>;
