import { describe, expect, it } from 'vitest';
import { BISENET_LABELS, CELEBAMASK_HQ_LABELS, celebAMaskToParsing, channelLookup, splitSidesByMidline } from '../src/celebamask.ts';
import { PARSING_CLASSES, PARSING_LABEL } from '../src/classes.ts';

describe('CelebAMask-HQ label orders', () => {
  it('hold the same 19 classes in two orders', () => {
    expect(BISENET_LABELS).toHaveLength(19);
    expect([...BISENET_LABELS].sort()).toEqual([...CELEBAMASK_HQ_LABELS].sort());
    expect(BISENET_LABELS[10]).toBe('nose');
    expect(CELEBAMASK_HQ_LABELS[2]).toBe('nose');
  });

  it('map face classes onto the Visage set and everything else to background', () => {
    expect(celebAMaskToParsing('mouth', 'geometry')).toBe('inner_mouth');
    expect(celebAMaskToParsing('u_lip', 'geometry')).toBe('upper_lip');
    expect(celebAMaskToParsing('l_lip', 'geometry')).toBe('lower_lip');
    expect(celebAMaskToParsing('eye_g', 'geometry')).toBe('skin');
    for (const name of ['hair', 'hat', 'neck', 'neck_l', 'cloth', 'l_ear', 'r_ear', 'ear_r', 'not-a-class']) {
      expect(celebAMaskToParsing(name, 'geometry'), name).toBe('background');
    }
  });

  it('resolve l_/r_ by the chosen side convention', () => {
    expect(celebAMaskToParsing('l_eye', 'subject')).toBe('left_eye');
    expect(celebAMaskToParsing('r_brow', 'subject')).toBe('right_brow');
    expect(celebAMaskToParsing('l_eye', 'image')).toBe('right_eye');
    expect(celebAMaskToParsing('r_brow', 'image')).toBe('left_brow');
  });

  it('build a channel lookup covering every channel', () => {
    const lookup = channelLookup(BISENET_LABELS, 'subject');
    expect(lookup).toHaveLength(19);
    expect(PARSING_CLASSES[lookup[10]]).toBe('nose');
    expect(PARSING_CLASSES[lookup[4]]).toBe('left_eye');
    expect(PARSING_CLASSES[lookup[17]]).toBe('background');
  });
});

describe('splitSidesByMidline', () => {
  it('assigns eyes and brows by image half and leaves other classes alone', () => {
    const size = 4;
    const { left_eye, right_eye, left_brow, right_brow, nose } = PARSING_LABEL;
    const labels = Uint8Array.from([
      left_eye, right_eye, left_eye, right_eye,
      left_brow, right_brow, right_brow, left_brow,
      nose, nose, nose, nose,
      0, 0, 0, 0,
    ]);
    splitSidesByMidline(labels, size);
    expect(Array.from(labels.subarray(0, 8))).toEqual([
      right_eye, right_eye, left_eye, left_eye,
      right_brow, right_brow, left_brow, left_brow,
    ]);
    expect(Array.from(labels.subarray(8))).toEqual([nose, nose, nose, nose, 0, 0, 0, 0]);
  });
});
