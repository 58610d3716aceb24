import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvDataset } from '../csv.ts';
import { hsvToRgb, writeSyntheticDataset } from '../synthetic.ts';
import { readClip } from '../../media/read-clip.ts';

const dirs: string[] = [];
const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'visage-syn-')); dirs.push(d); return d; };
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

describe('writeSyntheticDataset', () => {
  it('writes frame folders and CSV lists the dataset readers accept, held-out classes only in test', async () => {
    const dir = await tempDir();
    const ds = await writeSyntheticDataset(dir, { classes: 4, clipsPerClass: 4, frames: 3, imageSize: 16, heldOutClasses: 1 });
    expect(ds.classes).toEqual(['happy', 'sad', 'neutral']);
    expect(ds.heldOutClasses).toEqual(['angry']);
    expect(await readdir(join(dir, 'happy_001'))).toEqual(['happy_001_1.png', 'happy_001_2.png', 'happy_001_3.png']);
    const train = await readCsvDataset(ds.trainCsv, { classes: ds.classes });
    expect(train.items.map((i) => i.id)).toEqual(['happy_001', 'happy_002', 'sad_001', 'sad_002', 'neutral_001', 'neutral_002']);
    const test = await readCsvDataset(ds.testCsv);
    expect(test.items.filter((i) => i.label === 'angry')).toHaveLength(4);
    expect(test.items).toHaveLength(2 * 3 + 4);
    const clip = await readClip(join(dir, 'sad_003'), { frames: 3 });
    expect([clip.frames[0].width, clip.frames[0].height]).toEqual([16, 16]);
    expect(JSON.parse(await readFile(join(dir, 'dataset.json'), 'utf8')).heldOutClasses).toEqual(['angry']);
  });

  it('is deterministic for a seed and colours each class by its hue', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await writeSyntheticDataset(a, { classes: 3, clipsPerClass: 2, frames: 2, seed: 7 });
    await writeSyntheticDataset(b, { classes: 3, clipsPerClass: 2, frames: 2, seed: 7 });
    await writeSyntheticDataset(c, { classes: 3, clipsPerClass: 2, frames: 2, seed: 8 });
    const png = (d: string) => readFile(join(d, 'sad_002', 'sad_002_2.png'));
    expect((await png(a)).equals(await png(b))).toBe(true);
    expect((await png(a)).equals(await png(c))).toBe(false);
    // Class 1 of 3 sits at hue 120 (green): its frames are mostly green.
    const frame = (await readClip(join(a, 'sad_001'), { frames: 1 })).frames[0];
    const mean = [0, 1, 2].map((ch) => frame.rgb.filter((_, i) => i % 3 === ch).reduce((s, v) => s + v, 0) / (frame.rgb.length / 3));
    expect(mean[1]).toBeGreaterThan(mean[0] + 60);
    expect(mean[1]).toBeGreaterThan(mean[2] + 60);
  });

  it('refuses bad options with SYNTHETIC_OPTION_INVALID', async () => {
    const dir = await tempDir();
    await expect(writeSyntheticDataset(dir, { classes: 1 })).rejects.toMatchObject({ code: 'SYNTHETIC_OPTION_INVALID' });
    await expect(writeSyntheticDataset(dir, { classes: ['a', 'b'], heldOutClasses: ['c'] })).rejects.toMatchObject({ code: 'SYNTHETIC_OPTION_INVALID' });
    await expect(writeSyntheticDataset(dir, { clipsPerClass: 1 })).rejects.toMatchObject({ code: 'SYNTHETIC_OPTION_INVALID' });
  });

  it('converts HSV to RGB', () => {
    expect(hsvToRgb(0, 1, 1)).toEqual([255, 0, 0]);
    expect(hsvToRgb(240, 1, 1)).toEqual([0, 0, 255]);
    expect(hsvToRgb(60, 0.5, 1)).toEqual([255, 255, 128]);
  });
});
