/**
 * The main job end to end through the CLI: real video, real pretrained face models (converted from
 * the TFJS models in @vladmandic/human on first use), default preset `embedded`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../helpers/shared-data.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'visage-e2e-'));
const SAMPLE = path.join(REPO_ROOT, 'samples/astronaut.mp4');

async function runRows(...args: string[]) {
  const out = path.join(tmp(), 'rows.jsonl');
  const r = await runCli('pipeline', 'run', ...args, '--out', out);
  const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  return { ...r, rows };
}

describe('visage pipeline run (embedded preset)', () => {
  it('classifies the bundled astronaut clip as happy, with a face in every frame', async () => {
    const { code, rows, err } = await runRows(SAMPLE);
    expect(code, err).toBe(0);
    const [row] = rows;
    expect(row.label).toBe('happy');
    // Both CNNs say happy; the AU prototypes read a held smile as neutral (AUs are relative to the clip's most neutral frame).
    expect(row.probabilities.happy).toBeGreaterThan(0.75);
    expect(row.knownness).toBe(row.probabilities.happy);
    expect(row.levels.landmarks.summary.framesWithFace).toBeGreaterThanOrEqual(15);
    expect(row.levels.parsing.summary.framesParsed).toBe(row.levels.landmarks.summary.framesWithFace);
    expect(row.levels.description.text.length).toBeGreaterThan(0);
    expect(row.levels.description.text.join(' ')).not.toMatch(/happ|smil|joy|emotion/i);
    expect(Object.keys(row.probabilities)).toEqual(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
  });

  it.runIf(haveShared('faces/Megamind.avi'))('finds a face in at least 15 of 16 frames of Megamind.avi', async () => {
    const { code, rows } = await runRows(path.join(FACES_DIR, 'Megamind.avi'));
    expect(code).toBe(0);
    expect(rows[0].levels.landmarks.summary.frames).toBe(16);
    expect(rows[0].levels.landmarks.summary.framesWithFace).toBeGreaterThanOrEqual(15);
    expect(rows[0].label).toMatch(/^(angry|disgust|fear|happy|sad|surprise|neutral)$/);
  });

  it('turns a corrupt file into an error row and still classifies the good clip', async () => {
    const dir = tmp();
    const corrupt = path.join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, Buffer.from('this is not a video at all'.repeat(50)));
    const { code, rows, err } = await runRows(corrupt, SAMPLE);
    expect(code).toBe(1);
    expect(err).toContain('1 of 2 clips ok, 1 failed');
    expect(rows[0].error.code).toMatch(/^MEDIA_/);
    expect(rows[0].error.hint).toBeTruthy();
    expect(rows[1].label).toBe('happy');
  });

  it.runIf(haveShared('faces/astronaut.png'))('reports a clip with no face at all as a clear error row', async () => {
    // A 64x64 crop of the American flag region of astronaut.png: no face anywhere.
    const sharp = (await import('sharp')).default;
    const file = path.join(tmp(), 'flag.png');
    await sharp(path.join(FACES_DIR, 'astronaut.png')).extract({ left: 0, top: 0, width: 64, height: 64 }).toFile(file);
    const { rows } = await runRows(file);
    expect(rows[0].error).toMatchObject({ code: 'NO_FACE_IN_CLIP', plugin: 'visage.landmarks', stage: 'levels' });
  });

  it('saves what each level saw with --save-renders', async () => {
    const dir = tmp();
    const { code } = await runRows(SAMPLE, '--save-renders', dir, '--set', 'frames=4');
    expect(code).toBe(0);
    const files = readdirSync(path.join(dir, 'astronaut')).sort();
    for (const kind of ['landmarks-frame', 'landmarks-crop', 'landmarks-render', 'parsing-map']) {
      expect(files.filter((f) => f.startsWith(kind))).toHaveLength(4);
    }
    expect(files).toContain('description-action-units.png');
    const sharp = (await import('sharp')).default;
    const meta = await sharp(path.join(dir, 'astronaut', 'parsing-map-00.png')).metadata();
    // The 224 x 224 map, with its class legend to the right.
    expect(meta.height).toBe(224);
    expect(meta.width).toBeGreaterThan(224);
    expect(existsSync(path.join(dir, 'astronaut', 'landmarks-frame-03.png'))).toBe(true);
  });
});
