/**
 * A real plugin and real videos for the tests of `windowRows` (run-windows.ts): the plugin's level,
 * fusion and decide give each window the outcome the test plans for it (`planWindows`), keyed by the
 * window's first frame and face track, and record what clip each window handed them. The videos are
 * made by ffmpeg from solid colours, small and lossless, so decoding them costs a few milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHost, type Host } from '../../host/host.ts';

/** What the plugin saw of one window's clip (face: the clip's `faceTrack`). */
export interface SeenClip {
  id: string;
  first: number;
  indices: number[];
  face: number | undefined;
  width: number;
  height: number;
}

/** A window's planned outcome; a thrown error fails the window's level. */
export interface WindowOutcome {
  probabilities: Record<string, number>;
  knownness?: number;
  unknown?: boolean;
  /** The landmarks-style `faceTracks` summary (how many faces the window has); none: the level gives no summary. */
  faceTracks?: number;
}

export interface WindowPlan {
  outcome: (w: { first: number; face: number }) => WindowOutcome;
  seen: SeenClip[];
}

/** Sets the outcome of every window from now on, and forgets what was seen. */
export function planWindows(outcome: WindowPlan['outcome']): WindowPlan {
  const plan: WindowPlan = { outcome, seen: [] };
  (globalThis as { __visageWindows?: WindowPlan }).__visageWindows = plan;
  return plan;
}

const WINDOW_MODULE = `
const plan = () => globalThis.__visageWindows;
const keyOf = (clip) => ({ first: clip.indices[0], face: clip.faceTrack ?? 0 });
export function activate(ctx) {
  ctx.stages.ingest.provide('media', async () => undefined);
  ctx.stages.levels.provide('look', async ({ clip }) => {
    const { width, height } = clip.frames[0];
    plan().seen.push({ id: clip.id, first: clip.indices[0], indices: clip.indices, face: clip.faceTrack, width, height });
    const out = plan().outcome(keyOf(clip));
    return { scores: out.probabilities, ...(out.faceTracks !== undefined && { summary: { faceTracks: out.faceTracks } }) };
  });
  // Runs before 'look' and summarises without a faceTracks, as a level beside landmarks would.
  ctx.stages.levels.provide('count', async ({ clip }) => ({ summary: { frames: clip.frames.length } }));
  ctx.stages.fusion.provide('pass', async ({ levels }) => ({ logits: levels.look.scores, kind: 'probabilities' }));
  ctx.stages.decide.provide('plan', async ({ clip, fusion }) => {
    const out = plan().outcome(keyOf(clip));
    const [label] = Object.entries(fusion.logits).sort((x, y) => y[1] - x[1])[0];
    return { label, probabilities: fusion.logits, knownness: out.knownness ?? 1, unknown: out.unknown ?? false };
  });
}
`;

/** T = 4 sampled frames, as many as a 1 s window of the 4 fps test videos has: a window's clip is its frames. */
const WINDOW_PRESET = {
  name: 'windows',
  frames: 4,
  classes: ['happy', 'sad'],
  stages: {
    ingest: { use: 'test.windows/media' },
    levels: { count: {}, look: { weight: 1 } },
    fusion: { use: 'test.windows/pass' },
    decide: { use: 'test.windows/plan' },
  },
};

let root: string | undefined;
/** A host over the window plugin (written once per process). */
export function windowHost(): Host {
  if (!root) {
    root = mkdtempSync(path.join(tmpdir(), 'visage-run-windows-'));
    const dir = path.join(root, 'windows');
    mkdirSync(dir);
    const media = { type: 'object', properties: { pad: { enum: ['last', 'zero'] }, maxSide: { type: 'number' }, refuseAbove: { type: 'number' } }, additionalProperties: false };
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: 'windows', publisher: 'test', version: '1.0.0', type: 'module', main: './index.js', engines: { visage: '^0.1.0' },
      contributes: {
        ingesters: [{ id: 'media', options: media }],
        levels: [{ id: 'count' }, { id: 'look', scores: true }],
        fusions: [{ id: 'pass' }],
        deciders: [{ id: 'plan' }],
        presets: [{ id: 'windows', path: './windows.json' }],
      },
    }));
    writeFileSync(path.join(dir, 'index.js'), WINDOW_MODULE);
    writeFileSync(path.join(dir, 'windows.json'), JSON.stringify(WINDOW_PRESET));
  }
  return createHost({ pluginDirs: [root], projectDirs: [], builtins: false, logLevel: 'silent' });
}

/**
 * A 64x48 video at 4 fps, lossless (FFV1): `seconds` of each colour in turn, so each change of colour
 * is a shot cut. `['red', 2], ['blue', 1]` is 12 frames with the cut at frame 8 (2 s).
 */
export function colourVideo(dir: string, name: string, shots: [colour: string, seconds: number][]): string {
  const out = path.join(dir, `${name}.mkv`);
  const inputs = shots.flatMap(([c, d]) => ['-f', 'lavfi', '-i', `color=c=${c}:s=64x48:r=4:d=${d}`]);
  const concat = `${shots.map((_, i) => `[${i}:v]`).join('')}concat=n=${shots.length}:v=1:a=0`;
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', concat, '-c:v', 'ffv1', out]);
  return out;
}
