/**
 * Every example in `visage compare --help` and `visage ablate --help` runs, on a folder of labelled
 * clips made by scripts/make-labelled-clips.sh (two per class, 4 frames, to keep CI quick).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { makeLabelledClips } from '../helpers/labelled-clips.ts';
import { haveShared } from '../helpers/shared-data.ts';

const have = haveShared('faces/astronaut.png', 'faces/messi5.jpg', 'faces/face_swapped.jpg', 'faces/Megamind.avi');
let clips = '';
let work = '';

async function examplesOf(...command: string[]): Promise<string[][]> {
  const help = (await runCli(...command, '--help')).out;
  const lines = help.slice(help.indexOf('Examples:')).split('\n').filter((l) => l.startsWith('  visage '));
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((l) => l.trim().split(/\s+/).slice(1));
}

/** The example with its placeholder paths made real, and 4 frames per clip for every variant. */
const localise = (args: string[]) => {
  const out = args.map((a) => (a === 'clips/' ? clips : /^(rows\/|[\w-]+\.html)$/.test(a) ? path.join(work, a) : a));
  return [...out.slice(0, 1), '--set', 'frames=4', ...out.slice(1)];
};

describe.skipIf(!have)('compare and ablate --help examples', () => {
  beforeAll(() => {
    const all = makeLabelledClips();
    work = mkdtempSync(path.join(os.tmpdir(), 'visage-examples-'));
    clips = path.join(work, 'clips');
    for (const cls of ['happy', 'sad', 'neutral']) {
      mkdirSync(path.join(clips, cls), { recursive: true });
      for (const f of readdirSync(path.join(all, cls)).filter((f) => !f.startsWith('megamind')).slice(0, 2)) copyFileSync(path.join(all, cls, f), path.join(clips, cls, f));
    }
    process.env.VISAGE_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'visage-cache-'));
  });

  it('runs every compare example', async () => {
    for (const example of await examplesOf('compare')) {
      const r = await runCli(...localise(example));
      expect(r.err).not.toContain('visage:');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/UAR|"uar"/);
    }
    expect(existsSync(path.join(work, 'report.html'))).toBe(true);
    expect(readdirSync(path.join(work, 'rows')).sort()).toEqual(['embedded.jsonl', 'half.jsonl']);
  }, 180_000);

  it('runs every ablate example', async () => {
    for (const example of await examplesOf('ablate')) {
      const r = await runCli(...localise(example));
      expect(r.code).toBe(0);
      for (const level of ['expression', 'faceapi-expression', 'action-units']) expect(r.out).toMatch(new RegExp(`^${level} +`, 'm'));
    }
    expect(existsSync(path.join(work, 'ablation.html'))).toBe(true);
  }, 120_000);
});
