import { describe, expect, it } from 'vitest';
import type { Box } from '../src/box.ts';
import type { Detection } from '../src/face-models.ts';
import { linkTracks } from '../src/track-faces.ts';

const det = (box: Box, score = 0.9): Detection => ({ box, faceBox: box, score, keypoints: new Float32Array(12) });
const small = (x: number) => det([x, 0, x + 20, 20]);
const large = (x: number) => det([x, 100, x + 60, 160]);

describe('linkTracks (the face tracks of --faces)', () => {
  it('links each face by overlap and ranks the tracks by size, whatever the detector order', () => {
    // The small face scores higher and comes first in every frame; the large one moves right.
    const tracks = linkTracks([[small(0), large(200)], [small(2), large(205)], [large(210), small(4)]]);
    expect(tracks).toHaveLength(2);
    expect(tracks[0].map((d) => d?.box[0])).toEqual([200, 205, 210]);
    expect(tracks[1].map((d) => d?.box[0])).toEqual([0, 2, 4]);
  });

  it('keeps a track through frames without its face (null there)', () => {
    const tracks = linkTracks([[large(0), small(300)], [small(301)], [large(4), small(302)], [large(6), small(303)]]);
    expect(tracks[0].map((d) => d?.box[0] ?? null)).toEqual([0, null, 4, 6]);
    expect(tracks[1].map((d) => d?.box[0])).toEqual([300, 301, 302, 303]);
  });

  it('drops tracks seen on fewer than half of the frames with a detection, and a face that jumps starts a new track', () => {
    const blip = det([500, 500, 900, 900]); // large, but in one frame of four
    const tracks = linkTracks([[small(0), blip], [small(1)], [small(2)], [small(3)]]);
    expect(tracks).toHaveLength(1);
    expect(tracks[0].every((d) => d !== null && d.box[2] - d.box[0] === 20)).toBe(true);
    const jumped = linkTracks([[small(0)], [small(1)], [small(400)], [small(401)]]);
    expect(jumped.map((t) => t.map((d) => d?.box[0] ?? null))).toEqual([[0, 1, null, null], [null, null, 400, 401]]);
  });

  it('gives no track for a clip without detections', () => {
    expect(linkTracks([[], []])).toEqual([]);
  });
});
