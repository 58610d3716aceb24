/**
 * FineCLIPER end to end on a synthetic dataset with a tiny CLIP (issue 5 item 9): the class cue is a
 * faint colour that the frozen encoder exposes but the zero-shot descriptors do not read, so training
 * must reach >= 90% UAR where zero-shot stays at chance.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticDataset, type SyntheticDataset } from '../../core/data/synthetic.ts';
import { classificationReportByName } from '../../core/metrics/classification.ts';
import { readPredictions } from '../../core/metrics/predictions.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

let work: string, models: string, data: SyntheticDataset;
const host = () => ['--models', models, '--cache-dir', path.join(work, 'cache'), '--preset', 'fineclipper-synthetic'];
const dataset = () => ['--dataset', 'csv', '--root', data.dir];
const uarOf = (file: string) => {
  const rows = readPredictions(file);
  return classificationReportByName(rows.map((r) => r.label), rows.map((r) => r.predicted), data.classes).uar;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'visage-fineclipper-'));
  models = path.join(work, 'clip');
  await writeTinyClip(models);
  data = await writeSyntheticDataset(path.join(work, 'data'), { classes: 4, clipsPerClass: 12, frames: 8, trainFraction: 0.67, saturation: 0.15, seed: 3 });
});

describe('visage train / predict / extract (FineCLIPER, contributed by clip-adapter)', () => {
  it('trains to >= 90% test UAR, logs every epoch, saves the checkpoint and prints the report', async () => {
    const out = path.join(work, 'run');
    const r = await runCli('train', ...dataset(), ...host(), '--out', out, '--batch-size', '8', '--val-fraction', '0.25');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^\d+ of 48 clips cached(, \d+ extracted)?$/m);
    expect(r.err).toMatch(/training on 24 clips, selecting on 8 validation clips/);
    expect(r.err.match(/^epoch +\d+\/30 +loss [\d.]+ +val UAR [\d.]+ +WAR [\d.]+/gm)).toHaveLength(30);
    expect(existsSync(path.join(out, 'model.safetensors'))).toBe(true);
    const sidecar = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    expect(sidecar.config.classes).toEqual([...data.classes].sort());
    expect(sidecar.metrics.valUar).toBeGreaterThanOrEqual(0.9);
    expect(uarOf(path.join(out, 'predictions.jsonl'))).toBeGreaterThanOrEqual(0.9);
    expect(r.out).toMatch(/UAR +\d+\.\d\d +WAR +\d+\.\d\d/);
    expect(r.out).toMatch(/true \\ predicted +angry +happy +neutral +sad +recall +support/);
  });

  it('zero-shot (descriptors alone) stays at chance on the same test split', async () => {
    const output = path.join(work, 'zero-shot.jsonl');
    const r = await runCli('predict', '--zero-shot', ...dataset(), ...host(), '--out', output);
    expect(r.code, r.err).toBe(0);
    expect(uarOf(output)).toBeLessThanOrEqual(0.35);
    expect(readPredictions(output)).toHaveLength(16);
  });

  it('predict with the checkpoint reproduces train\'s predictions, and the pipeline preset agrees', async () => {
    const ckpt = path.join(work, 'run', 'model.safetensors');
    const r = await runCli('predict', '--checkpoint', ckpt, ...dataset(), ...host());
    expect(r.code, r.err).toBe(0);
    const again = readPredictions(path.join(work, 'run', 'predictions-test.jsonl'));
    const trained = readPredictions(path.join(work, 'run', 'predictions.jsonl'));
    expect(again.map((p) => [p.id, p.predicted])).toEqual(trained.map((p) => [p.id, p.predicted]));

    const clip = trained[0];
    const rows = path.join(work, 'rows.jsonl');
    const run = await runCli('pipeline', 'run', path.join(data.dir, clip.id), ...host(), '--out', rows,
      '--set', `stages.fusion.options.checkpoint=${ckpt}`, '--set', `classes=${JSON.stringify(data.classes)}`);
    expect(run.code, run.err).toBe(0);
    const row = JSON.parse(readFileSync(rows, 'utf8').trim().split('\n')[0]);
    expect(row.label).toBe(clip.predicted);
    for (const c of data.classes) expect(row.probabilities[c]).toBeCloseTo(clip.probabilities![c], 4);
  });

  it('pipeline run takes the classes from the checkpoint when the preset names none, and names both lists when they differ', async () => {
    const ckpt = path.join(work, 'run', 'model.safetensors');
    const trained = readPredictions(path.join(work, 'run', 'predictions.jsonl'));
    const rows = path.join(work, 'rows-own-classes.jsonl');
    const run = await runCli('pipeline', 'run', ...trained.slice(0, 2).map((c) => path.join(data.dir, c.id)), ...host(), '--out', rows, '--set', `stages.fusion.options.checkpoint=${ckpt}`);
    expect(run.code, run.err).toBe(0);
    const got = readFileSync(rows, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const [i, row] of got.entries()) {
      expect(row.label).toBe(trained[i].predicted);
      expect(Object.keys(row.probabilities).sort()).toEqual([...data.classes].sort());
      for (const c of data.classes) expect(row.probabilities[c]).toBeCloseTo(trained[i].probabilities![c], 4);
    }
    const errRows = path.join(work, 'rows-other-classes.jsonl');
    const other = await runCli('pipeline', 'run', path.join(data.dir, trained[0].id), ...host(), '--out', errRows, '--set', `stages.fusion.options.checkpoint=${ckpt}`, '--set', 'classes=["happy","sad","fear"]');
    expect(other.code).toBe(1);
    const row = JSON.parse(readFileSync(errRows, 'utf8').trim());
    expect(row.error.code).toBe('FINECLIPER_CHECKPOINT_CLASSES');
    expect(row.error.message).toContain(`trained on classes [${[...data.classes].sort().join(', ')}], but the preset names [happy, sad, fear]`);
    expect(row.error.hint).toContain("--set 'classes=[]'");
    expect(row.error.hint).not.toMatch(/retrain/);
    const followed = await runCli('pipeline', 'run', path.join(data.dir, trained[0].id), ...host(), '--out', errRows, '--set', `stages.fusion.options.checkpoint=${ckpt}`, '--set', 'classes=["happy","sad","fear"]', '--set', 'classes=[]');
    expect(followed.code, followed.err).toBe(0);
    expect(JSON.parse(readFileSync(errRows, 'utf8').trim()).label).toBe(trained[0].predicted);
  });

  it('extract caches per clip and level and resumes: a second run only extracts what is missing', async () => {
    const cache = path.join(work, 'cache-resume');
    const flags = ['--models', models, '--cache-dir', cache, '--preset', 'fineclipper-synthetic'];
    const first = await runCli('extract', ...dataset(), ...flags, '--split', 'train');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/32 clips, levels frames: 0 cached, 32 extracted/);
    const second = await runCli('extract', ...dataset(), ...flags);
    expect(second.out).toMatch(/48 clips, levels frames: 32 cached, 16 extracted/);
    const files = readdirSync(path.join(cache, 'features'), { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.feat'))).toHaveLength(48);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Another frame count is another configuration: nothing is reused.
    const eight = await runCli('extract', ...dataset(), ...flags, '--split', 'test', '--set', 'frames=4');
    expect(eight.out).toMatch(/16 clips, levels frames: 0 cached, 16 extracted/);
  });

  it('a killed extract leaves whole entries only, and the rerun extracts just the rest', async () => {
    const big = await writeSyntheticDataset(path.join(work, 'big'), { classes: 4, clipsPerClass: 40, frames: 8, seed: 5 });
    const cache = path.join(work, 'cache-killed');
    const entries = () => (existsSync(path.join(cache, 'features')) ? readdirSync(path.join(cache, 'features'), { recursive: true }).map(String) : []);
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/visage.js'), 'extract', '--dataset', 'csv', '--root', big.dir, '--models', models, '--cache-dir', cache, '--preset', 'fineclipper-synthetic'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
    while (entries().filter((f) => f.endsWith('.feat')).length < 10 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const done = entries().filter((f) => f.endsWith('.feat')).length;
    expect(done).toBeLessThan(160);
    const rerun = await runCli('extract', '--dataset', 'csv', '--root', big.dir, '--models', models, '--cache-dir', cache, '--preset', 'fineclipper-synthetic');
    expect(rerun.code, rerun.err).toBe(0);
    const [, hits, misses] = /(\d+) cached, (\d+) extracted/.exec(rerun.out)!.map(Number);
    expect(hits).toBe(done);
    expect(hits + misses).toBe(160);
  }, 60_000);

  it('explains missing models, checkpoint and dataset options', async () => {
    const noModels = await runCli('train', ...dataset(), '--preset', 'fineclipper-synthetic');
    expect(noModels.code).toBe(2);
    expect(noModels.err).toMatch(/FINECLIPER_MODELS_MISSING[\s\S]*hint: pass --models DIR/);
    const noCkpt = await runCli('predict', ...dataset(), ...host());
    expect(noCkpt.code).toBe(2);
    expect(noCkpt.err).toMatch(/FINECLIPER_OPTION_INVALID[\s\S]*--zero-shot/);
    const badSet = await runCli('predict', '--zero-shot', '--dataset', 'affectnet', '--root', data.dir, ...host());
    expect(badSet.err).toMatch(/"affectnet" is not one of dfew, ferv39k, mafw, csv/);
  });
});
