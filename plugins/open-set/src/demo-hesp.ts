/**
 * `visage demo hesp`: HESP's open-set protocol end to end without CLIP weights or a dataset. Writes a
 * tiny CLIP and a synthetic colour dataset with two held-out (unknown) classes into a folder, then
 * runs extract, open-set eval (train, threshold, predict), eval, and a pipeline run of one known and
 * one unknown clip with the trained HESP head, printing each command line first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandInput } from '@visage/core';
import { writeSyntheticDataset } from '@visage/core/data';
import { auroc, readPredictions } from '@visage/core/metrics';
import { TINY_VOCAB_WORDS, writeTinyClip, demoFolder, shownPath, step } from '@visage/clip-adapter';

export async function demoHesp(input: CommandInput): Promise<number> {
  const dir = await demoFolder('hesp', input.options.dir);
  const p = (...parts: string[]) => shownPath(join(dir, ...parts));
  input.out(`HESP demo in ${p()}: a tiny random CLIP and a synthetic dataset whose class is a colour; 3 classes are known, 2 unknown.\n`);
  // HESP's prompts ("this video is not ...") need these words in the tiny vocabulary.
  await writeTinyClip(p('clip'), { words: [...TINY_VOCAB_WORDS, 'this', 'video', 'is', 'not'] });
  const data = await writeSyntheticDataset(p('data'), { classes: 5, clipsPerClass: 10, seed: 3 });
  input.out(`tiny CLIP in ${p('clip')} (on real data: --models DIR with your ONNX export)\n`);
  input.out(`dataset in ${p('data')}: train.csv and test.csv (path,label), ${data.clips.length} clips of ${data.classes.join(', ')}\n`);

  const host = ['--preset', 'fineclipper-synthetic', '--models', p('clip'), '--cache-dir', p('cache')];
  const dataset = ['--dataset', 'csv', '--root', p('data')];
  const out = p('open-set');
  await step(input, 'cache the frozen CLIP frame features of every clip', ['extract', ...dataset, ...host]);
  await step(input, 'HESP on a seeded draw of 3 known classes: train, pick the threshold on validation, predict test (known + unknown clips)',
    ['open-set', 'eval', ...dataset, ...host, '--known', '3', '--draws', '1', '--epochs', '10', '--out', out]);
  const predictions = p('open-set', 'predictions-3-0.jsonl');
  await step(input, 'score the predictions file: UAR/WAR on known classes, AUROC and OSCR with the unknown clips', ['eval', '--predictions', predictions]);
  const checkpoint = p('open-set', 'hesp-3-0.safetensors');
  const rows = readPredictions(predictions);
  // The most confidently known clip and the least known unknown one: both decisions show in the rows.
  const byKnownness = (want: boolean) => rows.filter((r) => r.known === want).sort((a, b) => (b.knownness ?? 0) - (a.knownness ?? 0));
  const known = byKnownness(true)[0], unknown = byKnownness(false).at(-1)!;
  await step(input, 'a known and an unknown clip through the pipeline with the trained HESP head and its threshold', [
    'pipeline', 'run', p('data', known.id), p('data', unknown.id), ...host,
    '--set', 'stages.prompts.use=visage.open-set/hesp-prompts', '--set', `stages.prompts.options.checkpoint=${checkpoint}`,
    '--set', 'stages.fusion.use=visage.open-set/hesp', '--set', 'stages.fusion.options.frames=frames',
    '--set', 'stages.decide.use=visage.open-set/open-set', '--set', `stages.decide.options.thresholdFrom=${checkpoint}`,
    '--out', p('open-set', 'rows.jsonl'),
  ]);
  input.out(readFileSync(p('open-set', 'rows.jsonl'), 'utf8'));

  const score = (want: boolean) => rows.filter((r) => r.known === want).map((r) => r.knownness ?? 0);
  input.out(`\ndemo done: AUROC ${(100 * auroc(score(true), score(false))).toFixed(2)} (known vs unknown test clips, chance 50.00)\n`);
  input.out(`files: checkpoint ${checkpoint}, predictions ${predictions}, features ${p('cache')}/, CLIP ${p('clip')}/, dataset ${p('data')}/\n`);
  return 0;
}
