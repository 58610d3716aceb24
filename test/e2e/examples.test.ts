/**
 * Every example a user can copy is run here (issue 13): each `visage ...` / `node bin/visage.js ...`
 * line of README's ```sh blocks, and each line of the "Examples:" section of every command's --help,
 * found by walking commander's command tree (so commands added later are covered without listing
 * them). Each runs through bash, as a user would type it, in a prepared folder that holds the files
 * the examples name. An example that cannot run offline is listed in NOT_RUN with the reason, one
 * that a dedicated test runs in RUN_ELSEWHERE with that test; the test fails when an example appears
 * that neither runs nor is listed, and when a listed one is gone. A new example that names files
 * the prepared folder lacks: add them in beforeAll.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../core/cli/main.ts';
import { formatPrediction, type PredictionRecord } from '../../core/metrics/predictions.ts';
import { writeFeatureSet } from '../../plugins/open-set/src/features.ts';
import { buildSyntheticFeatureSet } from '../../plugins/open-set/test/synthetic-features.ts';
import { writeTinyClip } from '../../plugins/clip-adapter/src/demo/tiny-clip/tiny-clip.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

/** Examples that cannot run in CI, with the reason. Keys are the example lines exactly as shown. */
const NOT_RUN: Record<string, string> = {
  'bash scripts/install.sh && node bin/visage.js pipeline run samples/astronaut.mp4':
    'installs apt packages (needs root and the network); its visage part is the `pipeline run samples/astronaut.mp4` help example, run here',
  'npm test': 'is this test suite',
  ...Object.fromEntries([
    'visage extract --dataset dfew --root DFEW --fold 1 --preset fineclipper --models clip-vit-b16',
    'visage train --dataset dfew --root DFEW --fold 1 --preset fineclipper --models clip-vit-b16 --out runs/dfew-fold1',
    'visage predict --zero-shot --dataset dfew --root DFEW --fold 1 --preset fineclipper --models clip-vit-b16 --out runs/dfew-fold1/zero-shot.jsonl',
    'visage eval --predictions runs/dfew-fold1/predictions.jsonl',
    'visage pipeline run my-clip.mp4 --preset fineclipper --models clip-vit-b16 --set stages.fusion.options.checkpoint=runs/dfew-fold1/model.safetensors',
    'visage open-set eval --dataset dfew --root DFEW --fold 1 --preset fineclipper --models clip-vit-b16 --known 5 --out runs/dfew-open-set',
  ].map((line) => [line, 'needs DFEW and a real CLIP export; `visage demo fineclipper` / `demo hesp` run the same commands on a tiny CLIP and synthetic data (run here and in test/e2e/demo.test.ts)'])),
};

/**
 * Examples that a dedicated test runs, because they need a folder of labelled clips and run several
 * presets over it (there with 4 frames per clip, so CI stays quick): the example line -> that test.
 */
const RUN_ELSEWHERE: Record<string, string> = {
  'bash scripts/make-labelled-clips.sh clips': 'test/e2e/readme-comparing.test.ts',
  'visage pipeline run clips/ --labels-from-folders --out rows.jsonl --report run.html': 'test/e2e/readme-comparing.test.ts',
  'visage eval rows.jsonl': 'test/e2e/readme-comparing.test.ts',
  'visage compare clips/ --labels-from-folders --preset embedded --variant no-expression --set stages.levels.expression.enabled=false --report report.html': 'test/e2e/readme-comparing.test.ts',
  'visage ablate clips/ --labels-from-folders --preset embedded': 'test/e2e/readme-comparing.test.ts',
  'visage compare clips/ --labels-from-folders --preset embedded --variant no-expression --set stages.levels.expression.enabled=false': 'test/e2e/compare-help-examples.test.ts',
  'visage compare clips/ --labels-from-folders --preset embedded --variant half --set stages.levels.expression.weight=0.5 --json --out-dir rows/ --report report.html': 'test/e2e/compare-help-examples.test.ts',
  'visage ablate clips/ --labels-from-folders --preset embedded --report ablation.html': 'test/e2e/compare-help-examples.test.ts',
  // A Redis server and long-running workers: started, fed and stopped by the queue tests.
  'redis-server --port 6379 --appendonly yes': 'test/queue/readme-queue.test.ts',
  'visage worker --queue redis://queue-host:6379/0': 'test/queue/readme-queue.test.ts',
  'visage pipeline run samples/astronaut.mp4 --queue redis://queue-host:6379/0 --out rows.jsonl': 'test/queue/readme-queue.test.ts',
  'visage worker --queue redis://127.0.0.1:6379/0 --concurrency 2': 'test/queue/worker-command.test.ts',
  'visage worker --queue redis://127.0.0.1:6379/0 --root-map /mnt/media=/data/media': 'test/queue/worker-command.test.ts',
  // About a minute on SwiftShader: its own test checks the table it prints.
  'bash bench/gpu/run.sh --quick': 'test/scripts/gpu-bench.test.ts',
};

/** Examples that show a refusal: the exit code and the error they must print. Every other example must exit 0. */
const EXPECTED_FAILURE: Record<string, { code: number; stderr: RegExp }> = {
  'visage pipeline run samples/astronaut.mp4 --set stages.levels.parsing.weight=0.5': { code: 2, stderr: /LEVEL_WEIGHT_WITHOUT_SCORES/ },
};

interface Example { line: string; from: string }

/** Lines of README's ```sh blocks; lines of a walkthrough that need real data are listed in NOT_RUN. */
function readmeExamples(): Example[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
    .flatMap((m) => m[1].split('\n'))
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => ({ line, from: 'README.md' }));
}

/** The "Examples:" lines of every command's --help; text after two spaces and "(" is a comment. */
function helpExamples(): Example[] {
  let help = '';
  const program = buildProgram({ out: (t) => (help += t), err: () => {} });
  const found: Example[] = [];
  const walk = (cmd: Command, name: string[]) => {
    help = '';
    cmd.outputHelp();
    const section = /\nExamples:\n((?:[ \t]+\S.*\n?)+)/.exec(help);
    for (const l of section?.[1].split('\n') ?? []) {
      const line = l.trim().replace(/\s{2,}\(.*\)$/, '');
      if (line) found.push({ line, from: `visage ${name.join(' ')} --help` });
    }
    for (const sub of cmd.commands) walk(sub, [...name, sub.name()]);
  };
  walk(program, []);
  return found;
}

const examples = [...readmeExamples(), ...helpExamples()];
const toRun = examples.filter((e) => !(e.line in NOT_RUN) && !(e.line in RUN_ELSEWHERE));
let work: string;

/** The files the examples name, built once: clips, a preset file, predictions files, features, a plugin. */
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'visage-examples-'));
  const sample = path.join(REPO_ROOT, 'samples', 'astronaut.mp4');
  mkdirSync(path.join(work, 'samples'));
  copyFileSync(sample, path.join(work, 'samples', 'astronaut.mp4'));
  mkdirSync(path.join(work, 'clips'));
  for (const name of ['a.mp4', 'b.mp4']) copyFileSync(sample, path.join(work, 'clips', name));
  symlinkSync(path.join(REPO_ROOT, 'plugins'), path.join(work, 'plugins'));
  // A preset file as a user writes one (README's jsonc example narrows the classes, which the
  // embedded expression level refuses; test/host/preset-files.test.ts resolves that one).
  writeFileSync(path.join(work, 'my-variant.pipeline.json'), '{\n  // a variant of the default\n  "name": "my-variant",\n  "extends": "embedded",\n  "frames": 8,\n  "stages": { "levels": { "expression": { "weight": 0.5 } } }\n}\n');
  const classes = ['happy', 'sad', 'angry'];
  const rows = (seed: number, unknown: boolean): PredictionRecord[] => Array.from({ length: 12 }, (_, i) => {
    const label = unknown && i % 4 === 3 ? 'fear' : classes[i % 3];
    const predicted = classes[(i + (i % (3 + seed) === 0 ? 1 : 0)) % 3];
    return { id: `c${i}`, label, predicted, ...(unknown && { knownness: label === 'fear' ? 0.2 + i / 100 : 0.6 + i / 100, known: label !== 'fear' }) };
  });
  for (let k = 1; k <= 5; k++) writeFileSync(path.join(work, `fold${k}.jsonl`), rows(k, false).map(formatPrediction).join('\n') + '\n');
  writeFileSync(path.join(work, 'open-set.jsonl'), rows(0, true).map(formatPrediction).join('\n') + '\n');
  await writeFeatureSet(path.join(work, 'feats.json'), await buildSyntheticFeatureSet(path.join(work, 'feat-source'), { classes: 5, clipsPerClass: 8, heldOutClasses: 0, seed: 1 }));
  // README's walkthrough checks an export in clip-vit-b16/: here a tiny CLIP of the same layout.
  await writeTinyClip(path.join(work, 'clip-vit-b16'));
  const scaffold = visage('visage plugins new my-plugin');
  expect(scaffold.status, scaffold.stderr).toBe(0);
});

/** Runs one example line through bash in the prepared folder, with `visage` meaning this checkout's CLI. */
function visage(line: string) {
  const cli = `node ${path.join(REPO_ROOT, 'bin/visage.js')}`;
  const command = line.replace(/(^|&& |\| )(?:visage|node bin\/visage\.js) /g, `$1${cli} `);
  return spawnSync('bash', ['-c', command], { cwd: work, encoding: 'utf8', timeout: 120_000 });
}

describe('examples in README and --help', () => {
  it('finds the examples, and every example that does not run is listed with a reason (and still exists)', () => {
    expect(examples.filter((e) => e.from === 'README.md').length).toBeGreaterThanOrEqual(4);
    expect(examples.filter((e) => e.from.endsWith('--help')).length).toBeGreaterThanOrEqual(6);
    const lines = new Set(examples.map((e) => e.line));
    expect(Object.keys(NOT_RUN).filter((l) => !lines.has(l))).toEqual([]);
    expect(Object.keys(EXPECTED_FAILURE).filter((l) => !lines.has(l))).toEqual([]);
    expect(Object.keys(RUN_ELSEWHERE).filter((l) => !lines.has(l))).toEqual([]);
    expect(Object.values(RUN_ELSEWHERE).filter((f) => !existsSync(path.join(REPO_ROOT, f)))).toEqual([]);
    // An example that names neither visage nor node bin/visage.js cannot run here: it must be listed.
    expect(toRun.filter((e) => !/^(visage|node bin\/visage\.js) /.test(e.line)).map((e) => e.line)).toEqual([]);
  });

  for (const { line, from } of toRun) {
    it(`${from}: ${line}`, () => {
      const r = visage(line);
      const expected = EXPECTED_FAILURE[line];
      expect(r.status, `${line}\n${r.stderr}`).toBe(expected?.code ?? 0);
      if (expected) expect(r.stderr).toMatch(expected.stderr);
    }, 150_000);
  }
});
