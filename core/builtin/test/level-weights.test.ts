/**
 * Weights that would do nothing are refused or reported, never silent: a weight on a level without
 * class scores is refused at resolve time, `pipeline explain` says which levels score, and the
 * weighted-mean fusion turns an undecidable clip into a coded clip error instead of a uniform guess.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../../../test/helpers/cli.ts';
import { weightedMeanFusion } from '../src/weighted-mean-fusion.ts';
import type { WeightedMeanOptions } from '../src/options.generated.ts';
import type { FusionInput, LevelOutput, StageCall } from '../../api.ts';

const fixture = ['--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic'];

describe('level weights at resolve time', () => {
  it('explain shows which levels return scores, and a level without scores defaults to weight 0', async () => {
    const r = await runCli('pipeline', 'explain', ...fixture, '--set', 'stages.levels.slow.enabled=true');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/levels\s+colour\s+test\.synthetic\/colour\s+test\.synthetic@1\.0\.0\s+1\s+yes\s/);
    expect(r.out).toMatch(/levels\s+slow\s+test\.synthetic\/slow\s+test\.synthetic@1\.0\.0\s+0\s+no scores\s/);
  });

  it('explain marks levels whose embeddings a fusion scores (FineCLIPER) as "embeddings"; their weights stand', async () => {
    const r = await runCli('pipeline', 'explain', '--preset', 'fineclipper');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/levels\s+parsing-map \(needs landmarks, parsing\)\s+visage\.clip-adapter\/clip-parsing\s+\S+\s+0\.5\s+embeddings\s/);
    expect(r.out).toMatch(/levels\s+description \(needs landmarks\)\s+visage\.mllm\/description\s+\S+\s+0\s+no scores\s/);
  });

  it('refuses a non-zero weight on a level that returns no class scores (exit 2, with a hint)', async () => {
    const r = await runCli('pipeline', 'run', ...fixture, '--set', 'stages.levels.slow.weight=0.5', 'solid:200,10,10');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/LEVEL_WEIGHT_WITHOUT_SCORES: level "slow" \(test\.synthetic\/slow\) has weight 0\.5 but returns no class scores/);
    expect(r.err).toMatch(/hint: set --set stages\.levels\.slow\.weight=0/);
  });
});

describe('weighted-mean fusion', () => {
  const classes = ['happy', 'neutral', 'sad'];
  // Options as the host passes them: validated, defaults filled.
  const call = { options: { output: 'probabilities' } } as unknown as StageCall<WeightedMeanOptions>;
  const fuse = (levels: Record<string, LevelOutput>, weights: Record<string, number>) =>
    weightedMeanFusion({ clip: {} as FusionInput['clip'], levels, weights, prompts: { classes } as FusionInput['prompts'] }, call);

  it('averages the usable scores of weighted levels, skipping unusable ones', async () => {
    const out = await fuse(
      { a: { scores: { happy: 0.8, neutral: 0.2, sad: 0 } }, b: { scores: { happy: 0.2, neutral: 0.2, sad: 0.6 } }, c: { scores: { happy: NaN, neutral: 0, sad: 0 } } },
      { a: 3, b: 1, c: 1 },
    );
    expect(out.logits.happy).toBeCloseTo(0.65, 10);
    expect(out.logits.sad).toBeCloseTo(0.15, 10);
  });

  it('is a FUSION_ZERO_WEIGHT clip error when the scoring levels all weigh 0', async () => {
    await expect(fuse({ a: { scores: { happy: 1, neutral: 0, sad: 0 } }, landmarks: { summary: {} } }, { a: 0, landmarks: 0 }))
      .rejects.toMatchObject({ code: 'FUSION_ZERO_WEIGHT', exitCode: 1 });
  });

  it('is a FUSION_NO_SCORES clip error when every weighted level has only NaN or zero scores', async () => {
    await expect(fuse({ a: { scores: { happy: NaN, neutral: NaN, sad: NaN } }, b: { scores: { happy: 0, neutral: 0, sad: 0 } } }, { a: 1, b: 1 }))
      .rejects.toMatchObject({ code: 'FUSION_NO_SCORES', exitCode: 1 });
  });

  it('is a FUSION_NO_SCORES clip error, not a uniform guess, when no level returns class scores', async () => {
    await expect(fuse({ frames: { frameEmbeddings: [new Float32Array(2)] } }, { frames: 1 }))
      .rejects.toMatchObject({ code: 'FUSION_NO_SCORES', exitCode: 1 });
  });

  it('a run whose only scoring level weighs 0 ends with an error row and exit 1', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-weights-')), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ...fixture, '--set', 'stages.levels.colour.weight=0', 'solid:200,10,10', '--out', out);
    expect(r.code).toBe(1);
    const [row] = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(row.label ?? null).toBeNull();
    expect(row.error).toMatchObject({ code: 'FUSION_ZERO_WEIGHT', stage: 'fusion' });
  });
});
