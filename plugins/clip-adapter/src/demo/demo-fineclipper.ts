/**
 * `visage demo fineclipper`: FineCLIPER end to end without CLIP weights or a dataset. Writes a tiny
 * CLIP (src/demo/tiny-clip/tiny-clip.ts) and a synthetic colour dataset (core/data/synthetic.ts) into a
 * folder, then runs extract, train, predict (trained and zero-shot), eval and a pipeline run with
 * the checkpoint, printing each command line first. On real data the same commands take
 * `--models` (your CLIP export), `--dataset dfew|ferv39k|mafw|csv --root DIR` and `--preset fineclipper`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandInput } from '@visage/core';
import { writeSyntheticDataset } from '@visage/core/data';
import { classificationReportByName, readPredictions } from '@visage/core/metrics';
import { writeTinyClip } from './tiny-clip/tiny-clip.ts';
import { demoFolder, shownPath, step } from './demo-steps.ts';

export async function demoFineCliper(input: CommandInput): Promise<number> {
  const dir = await demoFolder('fineclipper', input.options.dir);
  const p = (...parts: string[]) => shownPath(join(dir, ...parts));
  input.out(`FineCLIPER demo in ${p()}: a tiny random CLIP and a synthetic dataset whose class is a faint colour.\n`);
  await writeTinyClip(p('clip'));
  // Faint colours: the frozen CLIP exposes them, the zero-shot descriptors do not read them, so
  // training has something to learn (the same dataset as test/e2e/fineclipper.test.ts).
  const data = await writeSyntheticDataset(p('data'), { classes: 4, clipsPerClass: 12, frames: 8, trainFraction: 0.67, saturation: 0.15, seed: 3 });
  input.out(`tiny CLIP in ${p('clip')} (on real data: --models DIR with your ONNX export)\n`);
  input.out(`dataset in ${p('data')}: train.csv and test.csv (path,label), ${data.clips.length} clips of ${data.classes.join(', ')}\n`);

  const host = ['--preset', 'fineclipper-synthetic', '--models', p('clip'), '--cache-dir', p('cache')];
  const dataset = ['--dataset', 'csv', '--root', p('data')];
  const checkpoint = p('run', 'model.safetensors');
  await step(input, 'cache the frozen CLIP features of every clip (a rerun finds them cached)', ['extract', ...dataset, ...host]);
  await step(input, 'train the adapters, temporal model and fusion; keeps the best validation epoch', ['train', ...dataset, ...host, '--out', p('run'), '--batch-size', '8', '--val-fraction', '0.25']);
  await step(input, 'predict the test split with the checkpoint', ['predict', '--checkpoint', checkpoint, ...dataset, ...host, '--out', p('run', 'predictions-test.jsonl')]);
  await step(input, 'the same split zero-shot (descriptors alone), for comparison', ['predict', '--zero-shot', ...dataset, ...host, '--out', p('run', 'predictions-zero-shot.jsonl')]);
  await step(input, 'score the trained predictions', ['eval', '--predictions', p('run', 'predictions-test.jsonl')]);
  const clip = data.clips.find((c) => c.split === 'test')!;
  await step(input, 'one clip through the pipeline with the checkpoint (its classes come from the checkpoint)',
    ['pipeline', 'run', p('data', clip.path), ...host, '--set', `stages.fusion.options.checkpoint=${checkpoint}`, '--out', p('run', 'rows.jsonl')]);
  input.out(readFileSync(p('run', 'rows.jsonl'), 'utf8'));

  const uar = (file: string) => {
    const rows = readPredictions(file);
    return (100 * classificationReportByName(rows.map((r) => r.label), rows.map((r) => r.predicted), data.classes).uar).toFixed(2);
  };
  input.out(`\ndemo done: test UAR ${uar(p('run', 'predictions-test.jsonl'))} trained, ${uar(p('run', 'predictions-zero-shot.jsonl'))} zero-shot (chance ${(100 / data.classes.length).toFixed(2)})\n`);
  input.out(`files: checkpoint ${checkpoint} (+ model.json), predictions ${p('run')}/, features ${p('cache')}/, CLIP ${p('clip')}/, dataset ${p('data')}/\n`);
  return 0;
}
