/**
 * Where the windows of a long video fall, decided frame by frame as the video streams past, so a
 * window is handed on the moment its last frame has arrived and nothing waits for the end of the file.
 *
 * Rules, inside each shot (the frames between two scene cuts, or the whole video without cuts):
 * - windows of `length` frames start at the shot's first frame and every `stride` frames after it;
 * - a window never spans a cut: the shot's end closes it;
 * - the frames after the last full window are covered by one more window that ends at the shot's
 *   end (so it overlaps the one before it), and a shot shorter than `length` is one short window.
 * So every frame of the video is in at least one window (with stride <= length), and windows are
 * `length` frames long unless their whole shot is shorter.
 */
/** A length of video: seconds (`2s`, `0.5s`) or frames (`48f`), as `--window` and `--stride` take it. */
export interface VideoLength {
  value: number;
  unit: 's' | 'f';
}

/** One window: source frames [first, end) of shot `shot`; `index` counts windows over the video. */
export interface WindowBounds {
  index: number;
  shot: number;
  first: number;
  end: number;
}

/** A length in frames at this frame rate (at least 1); undefined when seconds meet an unknown rate. */
export function lengthInFrames(length: VideoLength, fps: number): number | undefined {
  if (length.unit === 'f') return length.value;
  if (!(fps > 0)) return undefined;
  return Math.max(1, Math.round(length.value * fps));
}

export class WindowPlanner {
  private index = 0;
  private shot = 0;
  private shotStart = 0;
  /** First frame of the next regular window of this shot. */
  private nextStart = 0;
  /** End of the last window handed out in this shot (shotStart when none). */
  private lastEnd = 0;
  /** Frames seen so far (the next frame's index). */
  private seen = 0;

  constructor(readonly length: number, readonly stride: number) {
    if (!(Number.isSafeInteger(length) && length > 0 && Number.isSafeInteger(stride) && stride > 0)) {
      throw new RangeError(`window length and stride must be positive whole numbers of frames, got ${length} and ${stride}`);
    }
  }

  /** Frame `seen` arrives (frames come in order); `cut`: it starts a new shot. Returns the windows complete now. */
  push(cut: boolean): WindowBounds[] {
    const n = this.seen++;
    const out: WindowBounds[] = [];
    if (cut && n > this.shotStart) {
      out.push(...this.closeShot(n));
      this.shot++;
      this.shotStart = this.nextStart = this.lastEnd = n;
    }
    if (n + 1 - this.nextStart === this.length) {
      out.push(this.emit(this.nextStart, n + 1));
      this.nextStart += this.stride;
    }
    return out;
  }

  /** The video ended: the windows that close with it. */
  finish(): WindowBounds[] {
    return this.seen > this.shotStart ? this.closeShot(this.seen) : [];
  }

  private closeShot(end: number): WindowBounds[] {
    // A regular window was due before the end but did not fill: cover the tail with one ending here.
    if (this.lastEnd < end && this.nextStart < end) return [this.emit(Math.max(this.shotStart, end - this.length), end)];
    return [];
  }

  private emit(first: number, end: number): WindowBounds {
    this.lastEnd = end;
    return { index: this.index++, shot: this.shot, first, end };
  }
}
