import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_UNITS, type ActionUnit, type AuSeries } from '../src/action-units.ts';
import { DEFAULT_PROTOTYPES, DEFAULT_TEMPERATURE, prototypeScores } from '../src/emotion-prototypes.ts';

const CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

/** An AU series of `frames` frames, all AUs at 0 except the given curves. */
function series(frames: number, curves: Partial<Record<ActionUnit, number[]>>, present = Array(frames).fill(true)): AuSeries {
  const intensity = Object.fromEntries(ACTION_UNITS.map((au) => [au, curves[au] ?? Array(frames).fill(0)])) as AuSeries['intensity'];
  return { aus: ACTION_UNITS, frameCount: frames, neutralFrame: 0, present, intensity, raw: intensity, headRollDeg: Array(frames).fill(0), headTurn: Array(frames).fill(0) };
}

const argmax = (s: Record<string, number>) => Object.entries(s).reduce((a, b) => (b[1] > a[1] ? b : a))[0];

describe('prototypeScores', () => {
  it('a face that never moves is neutral', () => {
    const r = prototypeScores(series(4, {}), CLASSES);
    expect(argmax(r.scores)).toBe('neutral');
    expect(r.evidence.neutral).toBe(1);
    expect(r.scores.neutral).toBeCloseTo(Math.exp(1 / DEFAULT_TEMPERATURE) / (Math.exp(1 / DEFAULT_TEMPERATURE) + 6), 10);
  });

  it('AU6 + AU12 together read as happy; evidence is the mean of the prototype AUs at its apex frame', () => {
    const r = prototypeScores(series(4, { AU6: [0, 0.4, 0.8, 0.2], AU12: [0, 0.6, 1, 0.1] }), CLASSES);
    expect(argmax(r.scores)).toBe('happy');
    expect(r.evidence.happy).toBeCloseTo(0.9, 10);
    expect(r.apexFrame.happy).toBe(2);
    expect(r.evidence.neutral).toBeCloseTo(0.1, 10);
    const sum = Object.values(r.scores).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
  });

  it('requires the AUs to co-occur: AU6 early and AU12 late score half of happy at most', () => {
    const r = prototypeScores(series(4, { AU6: [1, 0, 0, 0], AU12: [0, 0, 0, 1] }), CLASSES);
    expect(r.evidence.happy).toBeCloseTo(0.5, 10);
  });

  it('tells surprise (AU1+2+5+26) from sadness (AU1+4+15) and disgust (AU9+15)', () => {
    expect(argmax(prototypeScores(series(2, { AU1: [0, 0.9], AU2: [0, 0.8], AU5: [0, 0.7], AU26: [0, 0.9] }), CLASSES).scores)).toBe('surprise');
    expect(argmax(prototypeScores(series(2, { AU1: [0, 0.7], AU4: [0, 0.8], AU15: [0, 0.9] }), CLASSES).scores)).toBe('sad');
    expect(argmax(prototypeScores(series(2, { AU9: [0, 0.8], AU15: [0, 0.6] }), CLASSES).scores)).toBe('disgust');
  });

  it('skips frames without a face', () => {
    const r = prototypeScores(series(3, { AU6: [0, 1, 0.2], AU12: [0, 1, 0.2] }, [true, false, true]), CLASSES);
    expect(r.evidence.happy).toBeCloseTo(0.2, 10);
  });

  it('a lower temperature sharpens the same evidence', () => {
    const s = series(2, { AU6: [0, 0.5], AU12: [0, 0.5] });
    expect(prototypeScores(s, CLASSES, { temperature: 0.05 }).scores.happy).toBeGreaterThan(prototypeScores(s, CLASSES).scores.happy);
  });

  it('a class without a prototype is a coded error naming it; a table entry adds it', () => {
    expect(() => prototypeScores(series(2, {}), [...CLASSES, 'contempt'])).toThrow(expect.objectContaining({ code: 'AU_PROTOTYPES_MISSING_CLASS', message: expect.stringContaining('"contempt"'), exitCode: 2 }));
    const r = prototypeScores(series(2, { AU12: [0, 0.8] }), [...CLASSES, 'contempt'], { prototypes: { contempt: ['AU12'] } });
    expect(argmax(r.scores)).toBe('contempt');
  });

  it('scores every class of the table when the run names none', () => {
    expect(Object.keys(prototypeScores(series(2, {}), []).scores)).toEqual(Object.keys(DEFAULT_PROTOTYPES));
  });

  it('the manifest default table is the one in code', () => {
    const manifest = JSON.parse(readFileSync(path.join(import.meta.dirname, '../package.json'), 'utf8'));
    const level = manifest.contributes.levels.find((l: { id: string }) => l.id === 'action-units');
    expect(level.options.properties.prototypes.default).toEqual(DEFAULT_PROTOTYPES);
    expect(level.options.properties.temperature.default).toBe(DEFAULT_TEMPERATURE);
    expect(level.options.properties.prototypes.additionalProperties.items.enum).toEqual([...ACTION_UNITS]);
  });
});
