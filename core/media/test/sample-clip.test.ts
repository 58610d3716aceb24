// samples/astronaut.mp4 (what README's main command runs on) and the script that makes it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readClip } from '../read-clip.ts';
import { probeVideo } from '../video-probe.ts';
import { locateFfmpeg } from '../ffmpeg-locate.ts';
import { facesDir, haveSharedFaces } from './shared-data.ts';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const sample = join(repoRoot, 'samples/astronaut.mp4');

describe('samples/astronaut.mp4', () => {
  it('is a small 48-frame 512x512 clip with visible motion', async () => {
    expect((await stat(sample)).size).toBeLessThanOrEqual(300 * 1024);
    const probe = await probeVideo(sample, await locateFfmpeg());
    expect(probe).toEqual({ width: 512, height: 512, fps: 24, frameCount: 48 });
    const clip = await readClip(sample);
    expect(clip.frames).toHaveLength(16);
    let diff = 0;
    const a = clip.frames[0].rgb, b = clip.frames[15].rgb;
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
    expect(diff / a.length).toBeGreaterThan(3); // the zoom/pan moves the picture
  });

  it.skipIf(!haveSharedFaces())('scripts/make-sample-clip.sh rebuilds it within budget', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'visage-sample-'));
    try {
      const out = join(dir, 'astronaut.mp4');
      const { stdout } = await promisify(execFile)(join(repoRoot, 'scripts/make-sample-clip.sh'), [join(facesDir, 'astronaut.png'), out]);
      expect(stdout).toContain('48 frames');
      const probe = await probeVideo(out, await locateFfmpeg());
      expect(probe.frameCount).toBe(48);
      expect((await stat(out)).size).toBeLessThanOrEqual(300 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
