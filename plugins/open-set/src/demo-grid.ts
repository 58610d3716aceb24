/**
 * `visage demo prompt-grid`: the 2×2 grid of issue 17, {descriptors, hesp-prompts} × {fineclipper, hesp},
 * beside FineCLIPER's zero-shot baseline, through one `visage compare` on open-set data. Trains what the
 * cells need first (a HESP checkpoint on a seeded draw of known classes, a FineCLIPER head on the same
 * known classes), printing every `visage ...` command before running it. Without --dataset it writes a
 * tiny random CLIP and the synthetic colour dataset; with --dataset, --root and --models it runs on yours.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandInput } from '@visage/core';
import { writeSyntheticDataset } from '@visage/core/data';
import { TINY_VOCAB_WORDS, writeTinyClip, demoFolder, shownPath, step, readSplit } from '@visage/clip-adapter';
import { loadHespCheckpoint } from './hesp-checkpoint.ts';
import { openSetConfigInvalid } from './errors.ts';

/** The grid's variants as `visage compare` flags: the first is the zero-shot baseline every cell is compared with. */
export function gridVariants(hesp: string, fineclipper: string): string[] {
  const hespPrompts = ['--set', 'stages.prompts.use=visage.open-set/hesp-prompts', '--set', `stages.prompts.options.checkpoint=${hesp}`];
  const hespFusion = ['--set', 'stages.fusion.use=visage.open-set/hesp', '--set', `stages.fusion.options.checkpoint=${hesp}`, '--set', 'stages.fusion.options.frames=frames'];
  const fcFusion = ['--set', `stages.fusion.options.checkpoint=${fineclipper}`];
  return [
    '--variant', 'descriptors+fineclipper', ...fcFusion,
    '--variant', 'hesp-prompts+fineclipper', ...hespPrompts, ...fcFusion,
    // FineCLIPER's fusion untrained: its adapters were trained on the descriptors, HESP's prompts were not.
    '--variant', 'hesp-prompts+fineclipper-zero-shot', ...hespPrompts,
    '--variant', 'descriptors+hesp', ...hespFusion,
    '--variant', 'hesp-prompts+hesp', ...hespPrompts, ...hespFusion,
  ];
}

export async function demoPromptGrid(input: CommandInput): Promise<number> {
  const o = input.options;
  const dir = await demoFolder('prompt-grid', o.dir);
  const p = (...parts: string[]) => shownPath(join(dir, ...parts));
  const epochs = String(o.epochs ?? 10);
  let dataset: string[], models: string, preset: string, known: string, cache: string;
  if (o.dataset === undefined) {
    input.out(`prompt grid in ${p()}: a tiny random CLIP and a synthetic dataset whose class is a colour; 3 of 5 classes are known.\n`);
    await writeTinyClip(p('clip'), { words: [...TINY_VOCAB_WORDS, 'this', 'video', 'is', 'not'] });
    await writeSyntheticDataset(p('data'), { classes: 5, clipsPerClass: 10, frames: 8, seed: 3 });
    dataset = ['--dataset', 'csv', '--root', p('data')];
    [models, preset, known, cache] = [p('clip'), 'fineclipper-synthetic', '3', p('cache')];
  } else {
    if (!o.root || !input.settings.modelsDir || !o.known) throw openSetConfigInvalid('--dataset', 'needs --root DIR, --models DIR (your CLIP export) and --known N');
    dataset = ['--dataset', String(o.dataset), '--root', String(o.root), ...(o.fold === undefined ? [] : ['--fold', String(o.fold)])];
    [models, preset, known, cache] = [input.settings.modelsDir, String(o.preset ?? 'fineclipper'), String(o.known), input.settings.cacheDir];
  }
  const host = ['--preset', preset, '--models', models, '--cache-dir', cache];

  await step(input, `HESP on a seeded draw of ${known} known classes (the checkpoint holds its prompts, pooling and heads)`,
    ['open-set', 'eval', ...dataset, ...host, '--known', known, '--draws', '1', '--epochs', epochs, '--out', p('hesp')]);
  const hesp = p('hesp', `hesp-${known}-0.safetensors`);
  const classes = (await loadHespCheckpoint(hesp)).model.classes;

  // FineCLIPER trains on the same known classes: the dataset's lists, filtered, as a csv dataset.
  const req = { dataset: dataset[1], root: dataset[3], fold: o.fold === undefined ? undefined : Number(o.fold) };
  await mkdir(p('known'), { recursive: true });
  for (const split of ['train', 'test'] as const) {
    const items = (await readSplit(req, split)).items.filter((it) => classes.includes(it.label!));
    await writeFile(p('known', `${split}.csv`), ['path,label', ...items.map((it) => `"${it.source}",${it.label}`)].join('\n') + '\n');
  }
  await step(input, `FineCLIPER's adapters and fusion on the known classes (${classes.join(', ')})`,
    ['train', '--dataset', 'csv', '--root', p('known'), ...host, '--out', p('fineclipper'), '--epochs', epochs, '--batch-size', '8', '--val-fraction', '0.25']);
  const fineclipper = p('fineclipper', 'model.safetensors');

  await step(input, 'the grid on every test clip, unknown classes included: the first variant is FineCLIPER zero-shot (descriptors alone)', [
    'compare', ...dataset, '--split', 'test', ...host, '--set', `classes=${JSON.stringify(classes)}`, '--set', 'stages.decide.use=visage.open-set/open-set',
    ...gridVariants(hesp, fineclipper), '--out-dir', p('rows'),
  ]);
  return 0;
}
