import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../ffmpeg-locate.ts';

describe('locateFfmpeg', () => {
  it('prefers VISAGE_FFMPEG and finds the ffprobe beside it', async () => {
    const onPath = await locateFfmpeg({ PATH: process.env.PATH });
    expect(onPath.source).toBe('path');
    const viaEnv = await locateFfmpeg({ VISAGE_FFMPEG: onPath.ffmpeg, PATH: '/nonexistent' });
    expect(viaEnv).toEqual({ ffmpeg: onPath.ffmpeg, ffprobe: onPath.ffprobe, source: 'env' });
  });

  it('an unusable VISAGE_FFMPEG or VISAGE_FFPROBE is an error naming the variable', async () => {
    const err = await locateFfmpeg({ VISAGE_FFMPEG: '/nonexistent/ffmpeg' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'FFMPEG_MISSING' });
    expect(err.message).toContain('VISAGE_FFMPEG=/nonexistent/ffmpeg');
    const onPath = await locateFfmpeg({ PATH: process.env.PATH });
    expect(await locateFfmpeg({ VISAGE_FFMPEG: onPath.ffmpeg, VISAGE_FFPROBE: '/nope' }).catch((e) => e.message)).toContain('VISAGE_FFPROBE');
  });

  it('falls back to the optional npm static build when PATH has none', async () => {
    const npm = await locateFfmpeg({ PATH: '/nonexistent' });
    expect(npm.source).toBe('npm');
    expect(npm.ffmpeg).toMatch(/@ffmpeg-installer/);
    expect(npm.ffprobe).toBeNull();
  });
});

describe('a binary that cannot start', () => {
  it('becomes FFMPEG_FAILED naming the file, not a raw spawn error', async () => {
    const { readClip } = await import('../read-clip.ts');
    const sample = fileURLToPath(new URL('../../../samples/astronaut.mp4', import.meta.url));
    const err = await readClip(sample, { ffmpeg: { ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe', source: 'env' } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'FFMPEG_FAILED' });
    expect(err.message).toContain('samples/astronaut.mp4');
  });
});
