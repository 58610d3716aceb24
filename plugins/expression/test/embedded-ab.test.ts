/**
 * A/B on the embedded default: every weighted level changes the outcome, the structural levels say
 * they score nothing, and a zero weight on the FER2013 CNN no longer yields a uniform guess. Real
 * clips, real models, the real pipeline (in-process host) and the real CLI.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHost } from '@visage/core/internal';
import type { ClassScores } from '@visage/core';
import { runCli } from '../../../test/helpers/cli.ts';
import { FACES_DIR, REPO_ROOT, haveShared } from '../../../test/helpers/shared-data.ts';

const ASTRONAUT = path.join(REPO_ROOT, 'samples/astronaut.mp4');
const MEGAMIND = path.join(FACES_DIR, 'Megamind.avi');
const WEIGHTED = ['expression', 'faceapi-expression', 'action-units'];

const host = createHost({ logLevel: 'silent' });
afterAll(() => host.dispose());

async function probabilities(clip: string, set: string[] = []): Promise<ClassScores> {
  const pipeline = await host.pipeline({ preset: 'embedded', set });
  try {
    return (await pipeline.run({ path: clip })).decision.probabilities;
  } finally {
    await pipeline.dispose();
  }
}

const maxShift = (a: ClassScores, b: ClassScores) => Math.max(...Object.keys(a).map((c) => Math.abs(a[c] - b[c])));

describe('embedded preset: A/B of its levels', () => {
  it('explain lists the weighted levels as scoring and the structural ones as "no scores" with weight 0', async () => {
    const r = await runCli('pipeline', 'explain');
    expect(r.code, r.err).toBe(0);
    for (const slot of ['landmarks', 'parsing', 'description']) expect(r.out).toMatch(new RegExp(`levels\\s+${slot}\\b.*\\s0\\s+no scores\\s`));
    for (const slot of WEIGHTED) expect(r.out).toMatch(new RegExp(`levels\\s+${slot} \\(needs landmarks\\).*\\s0\\.[24]\\s+yes\\s`));
  });

  const clips = [['astronaut.mp4', ASTRONAUT, true], ['Megamind.avi', MEGAMIND, haveShared('faces/Megamind.avi')]] as const;
  for (const [name, clip, present] of clips) {
    it.runIf(present)(`${name}: disabling each weighted level changes the probabilities`, async () => {
      const base = await probabilities(clip);
      for (const slot of WEIGHTED) {
        const without = await probabilities(clip, [`stages.levels.${slot}.enabled=false`]);
        expect(maxShift(base, without), `disabling ${slot}`).toBeGreaterThan(0.01);
      }
      if (clip === ASTRONAUT) expect(Object.entries(base).sort((a, b) => b[1] - a[1])[0][0]).toBe('happy');
    });
  }

  it('--set stages.levels.expression.weight=0 leaves a decided, non-uniform happy astronaut (CLI)', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-ab-')), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ASTRONAUT, '--set', 'stages.levels.expression.weight=0', '--out', out);
    expect(r.code, r.err).toBe(0);
    const [row] = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(row.label).toBe('happy');
    expect(Math.max(...Object.values(row.probabilities as ClassScores))).toBeGreaterThan(0.5);
  });

  it('every scoring weight at 0 is a coded clip error, exit 1 (CLI)', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-ab-')), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ASTRONAUT, '--out', out, ...WEIGHTED.flatMap((s) => ['--set', `stages.levels.${s}.weight=0`]));
    expect(r.code).toBe(1);
    const [row] = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(row.error).toMatchObject({ code: 'FUSION_ZERO_WEIGHT', stage: 'fusion' });
  });

  it('a weight on a structural level is refused before any clip runs (exit 2)', async () => {
    const r = await runCli('pipeline', 'run', ASTRONAUT, '--set', 'stages.levels.parsing.weight=0.5');
    expect(r.code).toBe(2);
    expect(r.err).toContain('LEVEL_WEIGHT_WITHOUT_SCORES');
  });
});
