/**
 * STAGES is the only list of stages: everything that needs one derives it from the table, and no
 * source file keeps its own list by hand.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRESET_SCHEMA } from '../../config/preset-schema.ts';
import { CONTRIBUTION_POINTS, PROVIDER_POINTS } from '../../manifest/contribution-points.ts';
import { ACTIVATION_EVENT_PATTERN } from '../../manifest/manifest-schema.ts';
import { StageProfiler } from '../stage-profiler.ts';
import { createStageHooks, STAGE_NAMES, STAGES } from '../stages.ts';
import { probeHost, resetProbe } from './probe-plugins.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NAMES = STAGES.map((s) => s.name);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'test' || d.name === 'testing' ? [] : sources(p);
    return /\.[cm]?[jt]s$/.test(d.name) ? [p] : [];
  });
}

/** Stage names a line of code uses as data: quoted, as an object key, or as a property (`preset.fusion`). */
function stagesNamedIn(line: string): Set<string> {
  const code = line.replace(/\/\*.*?(\*\/|$)/g, '').replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
  return new Set(NAMES.filter((n) => new RegExp(`['"\`]${n}['"\`]|\\b${n}\\s*:|\\.${n}\\b`).test(code)));
}

describe('the STAGES table', () => {
  it('is what the manifest, the preset schema, the activation events, the taps and the profiler use', async () => {
    expect(CONTRIBUTION_POINTS.slice(0, STAGES.length).map((p) => [p.id, p.description])).toEqual(STAGES.map((s) => [s.point, s.description]));
    expect(Object.entries(PROVIDER_POINTS)).toEqual(STAGES.map((s) => [s.point, s.name]));
    expect(Object.keys((PRESET_SCHEMA.properties as Record<string, { properties: object }>).stages.properties)).toEqual(NAMES);
    for (const s of STAGES) expect(new RegExp(ACTIVATION_EVENT_PATTERN).test(`${s.event}:a.b/c`)).toBe(true);
    expect(Object.keys(createStageHooks().providers)).toEqual(NAMES);
    resetProbe();
    const pl = await probeHost().pipeline({ preset: 'probe' });
    expect(Object.keys(pl.hooks.providers)).toEqual(NAMES);
    const profiler = new StageProfiler();
    profiler.spans.push(...[...STAGE_NAMES].reverse().map((stage) => ({ stage, provider: 'p.x/y', plugin: 'p.x', start: 0, duration: 1, ok: true })));
    expect(profiler.summary().map((r) => r.stage)).toEqual(NAMES);
  });

  it('is the only list of stages in the sources of core, plugins and bin', () => {
    const own = path.join(ROOT, 'core', 'pipeline', 'stages.ts');
    const files = ['core', 'plugins', 'bin'].flatMap((d) => sources(path.join(ROOT, d))).filter((f) => f !== own);
    expect(files.length).toBeGreaterThan(100);
    const lists = files.flatMap((file) => readFileSync(file, 'utf8').split('\n')
      .filter((line) => stagesNamedIn(line).size >= 3)
      .map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`));
    expect(lists).toEqual([]);
  });

  it('the check finds a hand-kept list, whatever its spelling', () => {
    expect(stagesNamedIn("const order = ['ingest', 'levels', 'prompts', 'fusion', 'decide'];").size).toBe(5);
    expect(stagesNamedIn('for (const p of [preset.ingest, ...preset.levels, preset.prompts]) visit(p);').size).toBe(3);
    expect(stagesNamedIn("const KIND = { ingest: 'a', fusion: 'b', decide: 'c' };").size).toBe(3);
    expect(stagesNamedIn(" * 'ingest' -> 'levels' -> 'fusion' (a comment)").size).toBe(0);
    expect(stagesNamedIn("/** `ingest`, `levels`, `fusion` */").size).toBe(0);
  });
});
