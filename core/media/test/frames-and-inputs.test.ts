// Frame folders, single images and input expansion, on files this test writes from the shared photos.
import { mkdir, mkdtemp, rm, writeFile, copyFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClip } from '../read-clip.ts';
import { expandInputs } from '../expand-inputs.ts';
import { expandGlob } from '../glob.ts';
import { facesDir, haveSharedFaces } from './shared-data.ts';

const shared = haveSharedFaces();
let dir = '';

/** Writes frame k of clip `id` as a crop of messi5.jpg whose top-left pixel encodes k in red. */
async function writeFrame(folder: string, name: string, k: number): Promise<void> {
  const crop = await sharp(join(facesDir, 'messi5.jpg')).extract({ left: 200 + k, top: 40, width: 64, height: 64 }).raw().toBuffer();
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { const o = (y * 64 + x) * 3; crop[o] = k * 10; crop[o + 1] = 0; crop[o + 2] = 0; }
  await sharp(crop, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(join(folder, name));
}

const marker = (rgb: Uint8Array) => Math.round(rgb[(3 * 64 + 3) * 3] / 10);

describe.skipIf(!shared)('frame folders and images', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visage-frames-'));
    // DFEW style: clips/00007/00007_1.png ... 00007_20.png (numeric, not lexical, order matters).
    await mkdir(join(dir, 'clips/00007'), { recursive: true });
    for (let k = 1; k <= 20; k++) await writeFrame(join(dir, 'clips/00007'), `00007_${k}.png`, k);
    await mkdir(join(dir, 'clips/00008'), { recursive: true });
    for (let k = 1; k <= 5; k++) await writeFrame(join(dir, 'clips/00008'), `00008_${k}.png`, k);
    // A folder of unrelated photos and a video: each is its own clip.
    await mkdir(join(dir, 'photos/nested'), { recursive: true });
    await copyFile(join(facesDir, 'messi5.jpg'), join(dir, 'photos/messi5.jpg'));
    await copyFile(join(facesDir, 'face_swapped.jpg'), join(dir, 'photos/face_swapped.jpg'));
    await copyFile(join(facesDir, 'Megamind.avi'), join(dir, 'photos/nested/Megamind.avi'));
    await writeFile(join(dir, 'photos/readme.txt'), 'not media');
    await writeFile(join(dir, 'broken.jpg'), 'not a jpeg');
    await sharp({ create: { width: 9000, height: 4, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'wide.png'));
    await mkdir(join(dir, 'nothing'));
    await writeFile(join(dir, 'nothing/notes.txt'), 'x');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a frame folder is sorted by frame number and sampled like a video', async () => {
    const clip = await readClip(join(dir, 'clips/00007'), { frames: 4 });
    expect(clip).toMatchObject({ id: '00007', kind: 'frames', totalFrames: 20, fps: 0 });
    expect(clip.indices).toEqual([2, 7, 12, 17]); // tick 5: floor(2.5 + 5i)
    // file index i holds frame k = i + 1 (00007_1 first, 00007_10 after 00007_9)
    expect(clip.frames.map((f) => marker(f.rgb))).toEqual([3, 8, 13, 18]);
  });

  it('a short frame folder pads with its last frame; 16f folders give all frames', async () => {
    const clip = await readClip(join(dir, 'clips/00008'), { frames: 8 });
    expect(clip.frames.map((f) => marker(f.rgb))).toEqual([1, 2, 3, 4, 5, 5, 5, 5]);
    const zero = await readClip(join(dir, 'clips/00008'), { frames: 8, pad: 'zero' });
    expect(zero.frames.map((f) => marker(f.rgb))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('a single image is T copies of one RGB frame; maxSide shrinks it', async () => {
    const clip = await readClip(join(facesDir, 'astronaut.png'), { frames: 3, maxSide: 128 });
    expect(clip).toMatchObject({ id: 'astronaut', kind: 'image', totalFrames: 1, indices: [0, 0, 0] });
    expect([clip.frames[0].width, clip.frames[0].height]).toEqual([128, 128]);
    expect(clip.frames[0].rgb.length).toBe(128 * 128 * 3);
    const messi = await readClip(join(facesDir, 'messi5.jpg'), { frames: 1 });
    expect([messi.frames[0].width, messi.frames[0].height]).toEqual([548, 342]);
  });

  it('bad images give VisageErrors', async () => {
    expect(await readClip(join(dir, 'broken.jpg')).catch((e) => e.code)).toBe('MEDIA_DECODE_FAILED');
    expect(await readClip(join(dir, 'wide.png')).catch((e) => e.code)).toBe('MEDIA_TOO_LARGE');
    expect(await readClip(join(dir, 'nothing')).catch((e) => e.code)).toBe('MEDIA_EMPTY');
  });

  it('expandInputs: frame folders are one clip, other folders yield each media file', async () => {
    expect(await expandInputs([join(dir, 'clips')])).toEqual([join(dir, 'clips/00007'), join(dir, 'clips/00008')]);
    expect(await expandInputs([join(dir, 'photos')])).toEqual([
      join(dir, 'photos/face_swapped.jpg'), join(dir, 'photos/messi5.jpg'), join(dir, 'photos/nested/Megamind.avi'),
    ]);
    expect(await expandInputs([join(dir, 'clips/00007')])).toEqual([join(dir, 'clips/00007')]);
  });

  it('expandInputs: globs, explicit files kept as given, duplicates removed', async () => {
    expect(await expandInputs([join(dir, 'photos/*.jpg'), join(dir, 'photos/messi5.jpg')])).toEqual([
      join(dir, 'photos/face_swapped.jpg'), join(dir, 'photos/messi5.jpg'),
    ]);
    expect(await expandInputs([join(dir, '**/*.avi')])).toEqual([join(dir, 'photos/nested/Megamind.avi')]);
    expect(await expandInputs([join(dir, 'clips/0000[7]')])).toEqual([join(dir, 'clips/00007')]);
    expect(await expandInputs([join(dir, 'photos/readme.txt')])).toEqual([join(dir, 'photos/readme.txt')]);
    expect(await expandGlob(join(dir, 'photos/{messi5,face_swapped}.jpg'))).toEqual([join(dir, 'photos/face_swapped.jpg'), join(dir, 'photos/messi5.jpg')]);
  });

  it('expandInputs errors: missing path, glob with no media, folder with no media', async () => {
    expect(await expandInputs([join(dir, 'nope.mp4')]).catch((e) => e.code)).toBe('INPUT_NOT_FOUND');
    expect(await expandInputs([join(dir, 'photos/*.mkv')]).catch((e) => e.code)).toBe('INPUT_NO_CLIPS');
    expect(await expandInputs([join(dir, 'nothing')]).catch((e) => e.code)).toBe('INPUT_NO_CLIPS');
  });
});

describe('symbolic links in input folders', () => {
  it('follows links to clips and to folders, and reads a folder reached through a loop once', async () => {
    const real = await mkdtemp(join(tmpdir(), 'visage-real-'));
    await writeFile(join(real, 'a.mp4'), 'x');
    await writeFile(join(real, 'b.mp4'), 'x');
    const links = await mkdtemp(join(tmpdir(), 'visage-links-'));
    await symlink(join(real, 'a.mp4'), join(links, 'a.mp4'));
    await symlink(join(real, 'b.mp4'), join(links, 'b.mp4'));
    await mkdir(join(links, 'sub'));
    await symlink(links, join(links, 'sub', 'loop'));
    await symlink(join(real, 'missing.mp4'), join(links, 'dangling.mp4'));
    expect(await expandInputs([links])).toEqual([join(links, 'a.mp4'), join(links, 'b.mp4')]);
  });
});
