import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad, Rng } from '@visage/core/compute';
import type { FaceFrame } from '@visage/core';
import {
  ensembleLogits, landmarkDisplacement, readFeatureSet, standardiseMotion, trainHesp, writeFeatureSet, type ClipFeatures, type FeatureSet,
} from '../src/open-set-api.ts';
import { packBatch } from '../src/batches.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'visage-open-set-'));

function face(dx: number, size: number): FaceFrame {
  const mesh = new Float32Array(468 * 3);
  for (let p = 0; p < 468; p++) { mesh[3 * p] = 100 + (p % 20) + dx; mesh[3 * p + 1] = 50 + Math.floor(p / 20); mesh[3 * p + 2] = p; }
  return { box: [0, 0, size, size], score: 1, mesh };
}

describe('facial motion from landmarks', () => {
  it('is the mean point displacement between consecutive frames over the face diagonal', () => {
    const m = landmarkDisplacement([face(0, 30), face(3, 30), face(3, 30), null, face(10, 30)]);
    expect(m[0]).toBe(0);
    expect(m[1]).toBeCloseTo(3 / Math.hypot(30, 30), 6);
    expect(m[2]).toBe(0);
    expect(m[3]).toBe(0); // no face
    expect(m[4]).toBe(0); // no predecessor face
  });

  it('standardises per clip; a constant or missing signal gives zeros', () => {
    const s = standardiseMotion([1, 2, 3, 4], 4);
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(Math.hypot(...s) ** 2 / 4).toBeCloseTo(1, 5);
    expect([...standardiseMotion([2, 2, 2], 3)]).toEqual([0, 0, 0]);
    expect([...standardiseMotion(undefined, 2)]).toEqual([0, 0]);
  });
});

/**
 * Clips of 3 classes, D = 8, T = 8: two "apex" frames carry the clip's class direction and have high
 * motion; two distractor frames carry another class's direction without motion (head turn, talking);
 * the rest are neutral. Mean pooling mixes the apex with the distractors; motion tells them apart.
 */
function motionDataset(seed: number): FeatureSet {
  const rng = new Rng(seed);
  const d = 8, t = 8, classes = ['happy', 'sad', 'angry'];
  const unit = (v: Float32Array) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const dir = (c: number) => unit(Float32Array.from({ length: d }, (_, j) => (j === c ? 1 : 0) + 0.05 * rng.normal()));
  const items: ClipFeatures[] = [];
  for (let i = 0; i < 150; i++) {
    const label = i % 3, other = (label + 1 + (i % 2)) % 3;
    const apex = rng.int(t - 4) + 2;
    const frames = new Float32Array(t * d), motion = new Float32Array(t);
    for (let s = 0; s < t; s++) {
      const isApex = s === apex || s === apex + 1, isDistractor = s === (apex + 3) % t || s === (apex + 4) % t;
      const base = isApex ? dir(label) : isDistractor ? dir(other) : unit(Float32Array.from({ length: d }, (_, j) => (j === 7 ? 1 : 0) + 0.1 * rng.normal()));
      frames.set(isApex || isDistractor ? base.map((x) => x * 1) : base, s * d);
      motion[s] = (isApex ? 1 : 0.1) + 0.05 * rng.uniform();
    }
    // Distractors at twice the weight of the apex frames in the mean: mean pooling leans to the wrong class.
    for (const s of [(apex + 3) % t, (apex + 4) % t]) for (let j = 0; j < d; j++) frames[s * d + j] *= 1.6;
    items.push({ id: String(i), label: classes[label], split: i < 90 ? 'train' : i < 105 ? 'val' : 'test', frames, motion });
  }
  const text = Object.fromEntries(classes.map((c) => [c, unit(Float32Array.from({ length: d }, () => rng.normal()))]));
  return { dim: d, frames: t, classes, items, textEmbeddings: text, negativeEmbeddings: text };
}

async function testAccuracy(set: FeatureSet, trained: Awaited<ReturnType<typeof trainHesp>>): Promise<number> {
  const test = set.items.filter((it) => it.split === 'test');
  const logits = await ensembleLogits(trained.model, test, set);
  const k = set.classes.length;
  return test.filter((it, i) => {
    const row = Array.from(logits.subarray(i * k, (i + 1) * k));
    return set.classes[row.indexOf(Math.max(...row))] === it.label;
  }).length / test.length;
}

describe('motion-conditioned temporal attention (visual prompting)', () => {
  it('learns to attend to high-motion frames and beats HESP mean pooling when distractor frames are present', async () => {
    const set = motionDataset(5);
    const config = { epochs: 40, batchSize: 32, optimizer: 'adamw' as const, lr: 0.05, weightDecay: 0 };
    const attention = await trainHesp(set, set.classes, { ...config, pooling: 'motion-attention' });
    const meanPool = await trainHesp(set, set.classes, { ...config, pooling: 'mean' });
    const accAttention = await testAccuracy(set, attention), accMean = await testAccuracy(set, meanPool);
    expect(await attention.model.attention.motionGain.item()).toBeGreaterThan(0.5);
    const test = set.items.filter((it) => it.split === 'test');
    const batch = packBatch(test, set.classes, set.frames, set.dim);
    const w = await noGrad(() => attention.model.attention.weights(batch.frames, batch.motion)).data();
    let apexMass = 0;
    test.forEach((it, i) => { for (let s = 0; s < set.frames; s++) if (it.motion![s] > 0.5) apexMass += w[i * set.frames + s] / test.length; });
    if (process.env.OPEN_SET_VERBOSE) console.log({ accAttention, accMean, gain: await attention.model.attention.motionGain.item(), apexMass });
    expect(apexMass).toBeGreaterThan(0.5); // 2 of 8 frames: 0.25 under mean pooling
    expect(accAttention).toBeGreaterThan(accMean + 0.15);
    expect(accAttention).toBeGreaterThan(0.9);
  });
});

describe('features file', () => {
  it('round-trips through writeFeatureSet / readFeatureSet', async () => {
    const set = motionDataset(1);
    const file = path.join(tmp(), 'f.json');
    await writeFeatureSet(file, set);
    const back = await readFeatureSet(file);
    expect(back.classes).toEqual(set.classes);
    expect(back.items).toHaveLength(set.items.length);
    expect(back.items[3].frames).toEqual(set.items[3].frames);
    expect(back.items[3].motion).toEqual(set.items[3].motion);
    expect(back.textEmbeddings.sad).toEqual(set.textEmbeddings.sad);
  });

  it('names the file and the clip of a problem', async () => {
    const dir = tmp();
    const write = (name: string, v: unknown) => { const f = path.join(dir, name); writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v)); return f; };
    await expect(readFeatureSet(write('a.json', '{oops'))).rejects.toThrow(/a\.json: cannot read it as JSON/);
    const good = { dim: 2, classes: ['x', 'y'], textEmbeddings: { x: [1, 0], y: [0, 1] }, negativeEmbeddings: { x: [1, 0], y: [0, 1] } };
    await expect(readFeatureSet(write('b.json', { ...good, items: [{ id: 'c1', label: 'z', split: 'train', frames: [[1, 0]] }] }))).rejects.toThrow(/items\[0\] \(id c1\): label "z"/);
    await expect(readFeatureSet(write('c.json', { ...good, items: [{ id: 'c1', label: 'x', split: 'train', frames: [[1, 0, 3]] }] }))).rejects.toThrow(/frame 0 must be 2 finite numbers/);
    await expect(readFeatureSet(write('d.json', { ...good, textEmbeddings: { x: [1, 0] }, items: [] }))).rejects.toThrow(/textEmbeddings\["y"\]/);
    await expect(readFeatureSet(write('e.json', { ...good, items: [{ label: 'x', split: 'train', frames: [[1, 0]] }, { label: 'y', split: 'test', frames: [[1, 0], [0, 1]] }] }))).rejects.toThrow(/2 frames, but earlier clips have 1/);
  });
});
