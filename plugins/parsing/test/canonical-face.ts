/**
 * A synthetic frontal face for tests: MediaPipe's canonical face UV layout (`UV468`, from
 * `@vladmandic/human` src/face/facemeshcoords.ts, which the package ships as source but does not
 * export) placed in a frame. It has the real mesh topology and proportions, without a model.
 */
import { UV468 } from '../../../node_modules/@vladmandic/human/src/face/facemeshcoords.ts';
import type { FaceFrame } from '@visage/core';

/**
 * The canonical face with its UV square mapped to [left, left+side] x [top, top+side] in the
 * frame; the face box is that square. `mirror` flips it horizontally (a mirrored selfie).
 */
export function canonicalFace(left: number, top: number, side: number, mirror = false): FaceFrame {
  const mesh = new Float32Array(468 * 3);
  for (let k = 0; k < 468; k++) {
    const [u, v] = UV468[k];
    mesh[3 * k] = left + (mirror ? 1 - u : u) * side;
    mesh[3 * k + 1] = top + v * side;
    mesh[3 * k + 2] = 0;
  }
  return { box: [left, top, left + side, top + side], score: 1, mesh };
}
