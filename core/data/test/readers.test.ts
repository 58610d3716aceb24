// Dataset readers on miniature DFEW / FERV39k / MAFW / CSV trees that this test builds in a temp
// dir, in the published layouts, with frames cropped from the shared photos.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClip } from '../../media/read-clip.ts';
import { readDfew } from '../dfew.ts';
import { readFerv39k } from '../ferv39k.ts';
import { readMafw } from '../mafw.ts';
import { parseCsv, readCsvDataset } from '../csv.ts';
import { readText } from '../files.ts';
import { DFEW_CLASSES, FERV39K_CLASSES, MAFW_CLASSES } from '../classes.ts';
import { facesDir, haveSharedFaces } from '../../media/test/shared-data.ts';

const shared = haveSharedFaces();
let root = '';
const photos = ['messi5.jpg', 'face_swapped.jpg', 'astronaut.png'];

/** A frame folder of `n` 48x48 crops of a real photo, drifting one pixel per frame, named <prefix><k>.jpg (k from 1). */
async function frameFolder(dir: string, prefix: string, n: number, photo: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let k = 1; k <= n; k++) {
    await sharp(join(facesDir, photo)).extract({ left: 100 + k, top: 60, width: 48, height: 48 }).jpeg().toFile(join(dir, `${prefix}${k}.jpg`));
  }
}

const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e) => e.code);

describe.skipIf(!shared)('dataset readers', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'visage-data-'));
    // ---- DFEW: official names (1-based) for fold 1, S2D mirror names (0-based) for fold 2.
    const dfew = join(root, 'DFEW');
    for (const [i, id] of ['00001', '00002', '00018'].entries()) await frameFolder(join(dfew, 'Clip/clip_224x224_16f', id), `${id}_`, 16, photos[i]);
    await mkdir(join(dfew, 'EmoLabel_DataSplit/train(single-labeled)'), { recursive: true });
    await mkdir(join(dfew, 'EmoLabel_DataSplit/test(single-labeled)'), { recursive: true });
    await writeFile(join(dfew, 'EmoLabel_DataSplit/test(single-labeled)/set_1.csv'), 'video_name,label\r\n1,1\r\n2,7\r\n18,6\r\n');
    await writeFile(join(dfew, 'EmoLabel_DataSplit/test(single-labeled)/test_set_2.csv'), 'video_name,label\n00001,0\n00002,6\n00018,5\n');
    await writeFile(join(dfew, 'EmoLabel_DataSplit/train(single-labeled)/set_1.csv'), 'video_name,label\n1,8\n');
    await writeFile(join(dfew, 'EmoLabel_DataSplit/train(single-labeled)/set_2.csv'), 'video_name,label\n1,1\n99,2\n');
    // ---- FERV39k
    const ferv = join(root, 'FERV39k');
    await frameFolder(join(ferv, '2_ClipsforFaceCrop/Crime/Angry/0063'), '', 12, photos[0]);
    await frameFolder(join(ferv, '2_ClipsforFaceCrop/Interview/Happy/0118'), '', 9, photos[1]);
    await mkdir(join(ferv, 'Annotation'), { recursive: true });
    await writeFile(join(ferv, 'Annotation/label_index.txt'), 'Angry 0\nDisgust 1\nFear 2\nHappy 3\nNeutral 4\nSad 5\nSurprise 6\n');
    await writeFile(join(ferv, 'Annotation/test.csv'), 'path,id\nInterview/Happy/0118,3\nCrime/Angry/0063,0\n');
    await writeFile(join(ferv, 'Annotation/train.csv'), 'path,id\nCrime/Angry/0063,3\n');
    // ---- MAFW: official folder names; captions in GBK as released.
    const mafw = join(root, 'MAFW');
    await frameFolder(join(mafw, 'data/faces/00025'), '', 20, photos[2]);
    await frameFolder(join(mafw, 'data/faces/00108'), '', 14, photos[0]);
    const lists = join(mafw, 'Train & Test Set');
    await mkdir(join(lists, 'single/no_caption/set_1'), { recursive: true });
    await mkdir(join(lists, 'single/with_caption/set_1'), { recursive: true });
    await mkdir(join(lists, 'compound/no_caption/set_3'), { recursive: true });
    await writeFile(join(lists, 'single/no_caption/set_1/test.txt'), '00025.mp4 anger\n00108.mp4 helplessness\n');
    await writeFile(join(lists, 'single/no_caption/set_1/train.txt'), '00025.mp4 joy\n');
    // "一个男人大声讲话。" in GBK, then the English caption.
    const zh = Buffer.from([0xd2, 0xbb, 0xb8, 0xf6, 0xc4, 0xd0, 0xc8, 0xcb, 0xb4, 0xf3, 0xc9, 0xf9, 0xbd, 0xb2, 0xbb, 0xb0, 0xa1, 0xa3]);
    await writeFile(join(lists, 'single/with_caption/set_1/test.txt'), Buffer.concat([
      Buffer.from('00025.mp4\tanger\t'), zh, Buffer.from('\tA man talks loudly. The tight frown.\n'),
    ]));
    await writeFile(join(lists, 'compound/no_caption/set_3/test.txt'), '00025.mp4 anger_disgust\n00108.mp4 fear\n');
    // ---- generic CSV
    const csv = join(root, 'mine');
    await frameFolder(join(csv, 'clips/a'), 'f', 3, photos[0]);
    await mkdir(join(csv, 'videos'), { recursive: true });
    await writeFile(join(csv, 'list.csv'), 'label,path,note\nhappy,clips/a,"first, with comma"\n"sad",videos/b.mp4,""\n');
    await writeFile(join(csv, 'videos/b.mp4'), 'x');
    await writeFile(join(csv, 'bad-header.csv'), 'file,class\na,b\n');
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('DFEW official 1-based split: ids padded to 5 digits, labels by name, sources are 16-frame folders', async () => {
    const split = await readDfew(join(root, 'DFEW'), { fold: 1, split: 'test' });
    expect(split.classes).toEqual([...DFEW_CLASSES]);
    expect(split.items.map((i) => [i.id, i.label])).toEqual([['00001', 'Happy'], ['00002', 'Fear'], ['00018', 'Disgust']]);
    const clip = await readClip(split.items[2].source);
    expect(clip).toMatchObject({ id: '00018', kind: 'frames', totalFrames: 16, indices: Array.from({ length: 16 }, (_, i) => i) });
    expect([clip.frames[0].width, clip.frames[0].height]).toEqual([48, 48]);
  });

  it('DFEW S2D mirror (0-based labels, <split>_set_<k>.csv) gives the same names', async () => {
    const split = await readDfew(join(root, 'DFEW'), { fold: 2, split: 'test' });
    expect(split.items.map((i) => i.label)).toEqual(['Happy', 'Fear', 'Disgust']);
    expect((await readDfew(join(root, 'DFEW'), { fold: 2, split: 'test', labelBase: 1 }).catch((e) => e)).code).toBe('DATASET_UNKNOWN_LABEL');
  });

  it('DFEW errors: bad fold, unknown label, missing split file, missing clip folder', async () => {
    const dfew = join(root, 'DFEW');
    expect(await code(readDfew(dfew, { fold: 6, split: 'test' }))).toBe('DATASET_BAD_FOLD');
    expect(await code(readDfew(dfew, { fold: 1, split: 'train' }))).toBe('DATASET_UNKNOWN_LABEL');
    expect(await code(readDfew(dfew, { fold: 3, split: 'test' }))).toBe('DATASET_FILE_MISSING');
    const missing = await readDfew(dfew, { fold: 2, split: 'train' }).catch((e) => e);
    expect(missing.code).toBe('DATASET_SOURCE_MISSING');
    expect(missing.message).toContain('00099');
    expect((await readDfew(dfew, { fold: 2, split: 'train', checkSources: false })).items).toHaveLength(2);
  });

  it('FERV39k: label_index ids, paths as ids, face-crop folders as sources', async () => {
    const split = await readFerv39k(join(root, 'FERV39k'), { split: 'test' });
    expect(split.classes).toEqual([...FERV39K_CLASSES]);
    expect(split.items.map((i) => [i.id, i.label])).toEqual([['Interview/Happy/0118', 'Happy'], ['Crime/Angry/0063', 'Angry']]);
    const clip = await readClip(split.items[1].source, { frames: 16 });
    expect(clip.totalFrames).toBe(12);
    expect(clip.indices.slice(10)).toEqual([10, 11, 11, 11, 11, 11]);
    // train.csv says Crime/Angry/0063 is id 3 (Happy): the path and the id disagree.
    expect(await code(readFerv39k(join(root, 'FERV39k'), { split: 'train' }))).toBe('DATASET_BAD_LINE');
  });

  it('MAFW single: lowercase names, face folders, GBK captions decoded', async () => {
    const split = await readMafw(join(root, 'MAFW'), { fold: 1, split: 'test' });
    expect(split.classes).toEqual([...MAFW_CLASSES]);
    expect(split.items.map((i) => [i.id, i.label])).toEqual([['00025', 'anger'], ['00108', 'helplessness']]);
    expect((await readClip(split.items[0].source)).totalFrames).toBe(20);
    const cap = await readMafw(join(root, 'MAFW'), { fold: 1, split: 'test', captions: true });
    expect(cap.items[0]).toMatchObject({ id: '00025', label: 'anger', caption: 'A man talks loudly. The tight frown.' });
    expect(await code(readMafw(join(root, 'MAFW'), { fold: 1, split: 'train' }))).toBe('DATASET_UNKNOWN_LABEL');
    // The Chinese field really is decoded as GBK, not mangled as UTF-8.
    const text = await readText(join(root, 'MAFW/Train & Test Set/single/with_caption/set_1/test.txt'));
    expect(text.split('\t')[2]).toBe('一个男人大声讲话。');
  });

  it('MAFW compound: joined labels become classes; single-label mode rejects them', async () => {
    const split = await readMafw(join(root, 'MAFW'), { fold: 3, split: 'test', labels: 'compound' });
    expect(split.classes).toEqual(['fear', 'anger_disgust']);
    expect(split.items.map((i) => i.label)).toEqual(['anger_disgust', 'fear']);
    expect(await code(readMafw(join(root, 'MAFW'), { fold: 0, split: 'test' }))).toBe('DATASET_BAD_FOLD');
  });

  it('generic CSV: any column order, quoted fields, sorted classes or a given list', async () => {
    const split = await readCsvDataset(join(root, 'mine/list.csv'));
    expect(split.classes).toEqual(['happy', 'sad']);
    expect(split.items).toEqual([
      { id: 'clips/a', source: join(root, 'mine/clips/a'), label: 'happy' },
      { id: 'videos/b', source: join(root, 'mine/videos/b.mp4'), label: 'sad' },
    ]);
    const ordered = await readCsvDataset(join(root, 'mine/list.csv'), { classes: ['sad', 'happy', 'angry'] });
    expect(ordered.classes).toEqual(['sad', 'happy', 'angry']);
    expect(await code(readCsvDataset(join(root, 'mine/list.csv'), { classes: ['happy'] }))).toBe('DATASET_UNKNOWN_LABEL');
    expect(await code(readCsvDataset(join(root, 'mine/bad-header.csv')))).toBe('DATASET_BAD_LINE');
    expect(await code(readCsvDataset(join(root, 'mine/none.csv')))).toBe('DATASET_FILE_MISSING');
  });
});

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, embedded newlines and CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","he said ""hi"""\n"multi\nline",2\n').map((r) => r.fields)).toEqual([
      ['a', 'b'], ['x, y', 'he said "hi"'], ['multi\nline', '2'],
    ]);
    expect(parseCsv('a,b\n\n1,2').map((r) => r.line)).toEqual([1, 3]);
  });
});
