/**
 * A third-party plugin installed the way an author's user would (npm pack + npm install into a
 * project), found in that project's node_modules, and swapped in and out by preset and by --set.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../core/index.ts';
import { FIXTURE_PLUGINS } from '../helpers/cli.ts';

const PLUGIN_SRC = new URL('../fixtures/third-party/visage-plugin-warmth', import.meta.url).pathname;
let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'visage-project-'));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-dfer-study', private: true }));
  const npm = (...args: string[]) => execFileSync('npm', args, { cwd: project, stdio: 'pipe', encoding: 'utf8' });
  npm('pack', PLUGIN_SRC, '--pack-destination', project);
  npm('install', '--offline', '--no-audit', '--no-fund', './visage-plugin-warmth-1.2.0.tgz');
  // A preset the study keeps next to its data: warmth on, built-in fusion.
  writeFileSync(path.join(project, 'warm.json'), JSON.stringify({
    name: 'warm', extends: 'synthetic',
    stages: { levels: { warmth: { use: 'acme.visage-plugin-warmth/warmth', weight: 1 }, colour: { enabled: false } } },
  }));
}, 60_000);

const host = () => createHost({ projectDirs: [project], pluginDirs: [FIXTURE_PLUGINS], logLevel: 'silent' });

describe('third-party plugin from node_modules', () => {
  it('is discovered in the project node_modules with its manifest', () => {
    const p = host().registry.plugin('acme.visage-plugin-warmth')!;
    expect(p.source).toBe('node_modules');
    expect(p.folder).toBe(path.join(project, 'node_modules', 'visage-plugin-warmth'));
  });

  it('its level changes the output when swapped in by preset file and out again by --set', async () => {
    const h = host();
    const clip = { path: 'solid:90,120,80' }; // green dominates the colour level; warmth sees red > blue
    const base = await (await h.pipeline({ preset: 'synthetic' })).run(clip);
    const warm = await (await h.pipeline({ configFile: path.join(project, 'warm.json') })).run(clip);
    const back = await (await h.pipeline({ configFile: path.join(project, 'warm.json'), set: ['stages.levels.warmth.enabled=false', 'stages.levels.colour.enabled=true'] })).run(clip);
    expect(base.decision.label).toBe('neutral');
    expect(Object.keys(warm.levels)).toEqual(['warmth']);
    expect(warm.decision.label).toBe('happy');
    expect(warm.levels.warmth.summary!.warmth).toBeCloseTo((90 * 256 + 1) / (170 * 256 + 2), 12) // 4 frames of 8x8;
    expect(back.decision).toEqual(base.decision);
  });

  it('its fusion rule replaces the built-in one through --set', async () => {
    const h = host();
    const clip = { path: 'solid:90,120,80' };
    const set = ['stages.levels.warmth.use=acme.visage-plugin-warmth/warmth', 'stages.levels.warmth.options.bias=0.1'];
    const mean = await (await h.pipeline({ preset: 'synthetic', set })).run(clip);
    const max = await (await h.pipeline({ preset: 'synthetic', set: [...set, 'stages.fusion.use=acme.visage-plugin-warmth/max'] })).run(clip);
    const colour = mean.levels.colour.scores!;
    const warmth = mean.levels.warmth.scores!;
    for (const c of ['happy', 'neutral', 'sad']) {
      expect(mean.fusion.logits[c]).toBeCloseTo((colour[c] + warmth[c]) / 2, 12);
      expect(max.fusion.logits[c]).toBeCloseTo(Math.max(colour[c], warmth[c]), 12);
    }
    expect(max.fusion.logits.happy).not.toBeCloseTo(mean.fusion.logits.happy, 3);
  });

  it('runs from the CLI in the project folder', () => {
    const out = execFileSync(process.execPath, [path.resolve('bin/visage.js'), 'pipeline', 'run', '--plugin-dir', FIXTURE_PLUGINS, '--config', 'warm.json', 'solid:200,20,20'], { cwd: project, encoding: 'utf8' });
    const row = JSON.parse(out.trim());
    expect(row.label).toBe('happy');
    expect(row.levels.warmth.summary.warmth).toBeGreaterThan(0.8);
    expect(readFileSync(path.join(project, 'node_modules/visage-plugin-warmth/package.json'), 'utf8')).toContain('"publisher": "acme"');
  });
});
