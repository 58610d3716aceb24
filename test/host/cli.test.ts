import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'visage-cli-'));
const fixture = ['--plugin-dir', FIXTURE_PLUGINS, '--preset', 'synthetic'];

describe('visage pipeline explain', () => {
  it('shows layers, providers and the origin of each value, with --set overrides', async () => {
    const r = await runCli('pipeline', 'explain', ...fixture, '--set', 'stages.levels.contrast.weight=0.5', '--set', 'stages.decide.options.temperature=2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('layers   preset:synthetic (test.synthetic) > --set');
    expect(r.out).toMatch(/levels\s+contrast \(needs colour\)\s+test\.synthetic\/contrast\s+test\.synthetic@1\.0\.0\s+0\.5\s+.*weight --set/);
    expect(r.out).toMatch(/stages\.decide\.options\.temperature = 2 {2}\[--set\]/);
    expect(r.out).toMatch(/stages\.decide\.options\.unknownBelow = 0 {2}\[\(default\)\]/);
    expect(r.out).not.toContain('test.unused');
  });

  it('layers a --config file over the preset it extends', async () => {
    const dir = tmp();
    const file = path.join(dir, 'variant.json');
    writeFileSync(file, JSON.stringify({ name: 'variant-b', extends: 'synthetic', frames: 2 }));
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--config', file);
    expect(r.out).toContain('preset   variant-b');
    expect(r.out).toMatch(/layers {3}preset:synthetic \(test\.synthetic\) > file:.*variant\.json/);
    expect(r.out).toMatch(/frames {3}2 {2}\[file:.*variant\.json\]/);
  });

  it('exits 2 with a hint on an invalid preset', async () => {
    const r = await runCli('pipeline', 'explain', ...fixture, '--set', 'stages.levels.colour.wieght=1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRESET_INVALID: unknown key "wieght" \(at \/stages\/levels\/colour\/wieght\)/);
    expect(r.err).toMatch(/hint: a level entry has: use, enabled, weight, options/);
  });

  it('exits 2 on an unknown preset and lists the known ones', async () => {
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--preset', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRESET_NOT_FOUND: no preset named "nope"[\s\S]*known: .*synthetic/);
  });

  it('exits 2 on an unknown option (commander)', async () => {
    const r = await runCli('pipeline', 'run', '--no-such-flag', 'x');
    expect(r.code).toBe(2);
  });
});

describe('visage pipeline run', () => {
  it('writes one complete JSON line per clip; a failing clip becomes an error row and the batch goes on', async () => {
    const out = path.join(tmp(), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ...fixture, 'solid:200,10,10', 'solid:0,0,0', '/no/such/file.mp4', 'solid:5,5,250', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('2 of 4 clips ok, 2 failed');
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.source, x.label, x.error?.code ?? null])).toEqual([
      ['/no/such/file.mp4', null, 'INPUT_NOT_FOUND'],
      ['solid:200,10,10', 'happy', null],
      ['solid:0,0,0', null, 'PLUGIN_ERROR'],
      ['solid:5,5,250', 'sad', null],
    ]);
    expect(rows[2].error).toMatchObject({ plugin: 'test.synthetic', stage: 'ingest' });
  });

  it('--report holds every row, a missing input included, and the run ends', async () => {
    // Regression: rows for inputs refused up front were appended to the list being written, so a
    // missing input with --report looped forever.
    const dir = tmp();
    const r = await runCli('pipeline', 'run', ...fixture, '/no/such/file.mp4', 'solid:200,10,10', '--out', path.join(dir, 'rows.jsonl'), '--report', path.join(dir, 'run.html'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('1 of 2 clips ok, 1 failed');
    expect(readFileSync(path.join(dir, 'run.html'), 'utf8')).toContain('2 clips, 0 scored with ground truth, 1 failed');
  });

  it('stops at the first failure with --fail-fast', async () => {
    const out = path.join(tmp(), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ...fixture, '--jobs', '1', '--fail-fast', 'solid:0,0,0', 'solid:200,10,10', '--out', out);
    expect(r.code).toBe(1);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    // The clip after the failure never ran, and says so in its own row.
    expect(rows.map((x) => [x.source, x.error?.code])).toEqual([['solid:0,0,0', 'PLUGIN_ERROR'], ['solid:200,10,10', 'SKIPPED']]);
    expect(rows[1].error.message).toMatch(/--fail-fast/);
    expect(r.err).toMatch(/0 of 2 clips ok, 1 failed, 1 not run/);
  });

  it('writes CSV with one probability column per class', async () => {
    const out = path.join(tmp(), 'rows.csv');
    const r = await runCli('pipeline', 'run', ...fixture, 'solid:200,10,10', '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    const [header, row] = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header).toBe('id,source,ground_truth,label,knownness,unknown,p_happy,p_neutral,p_sad,error_code,error_message');
    expect(row).toBe('solid-200-10-10,"solid:200,10,10",,happy,0.909091,false,0.909091,0.045455,0.045455,,');
  });

  it('prints a profile table and writes a Chrome trace', async () => {
    const trace = path.join(tmp(), 'trace.json');
    const r = await runCli('pipeline', 'run', ...fixture, 'solid:1,2,3', '--profile', '--trace', trace, '--out', path.join(tmp(), 'x.jsonl'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/stage\s+provider\s+calls\s+total ms/);
    expect(r.err).toMatch(/levels\s+test\.synthetic\/colour\s+1/);
    const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents;
    // prompts runs once, before the batch (Pipeline.prepare), then each clip goes through the rest.
    expect(events.filter((e: { ph: string }) => e.ph === 'X').map((e: { cat: string }) => e.cat)).toEqual(['prompts', 'ingest', 'levels', 'fusion', 'decide']);
  });
});

describe('visage plugins list', () => {
  it('lists loaded and failed plugins with the reason', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'broken', publisher: 'test', version: '1.0.0', main: './x.js', engines: { visage: '^7.0.0' } }));
    const r = await runCli('plugins', 'list', '--plugin-dir', FIXTURE_PLUGINS, '--plugin-dir', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^loaded {2}visage\.core@0\.1\.0 {2}\(builtin\)/m);
    expect(r.out).toMatch(/^loaded {2}test\.synthetic@1\.0\.0 {2}\(plugin-dir\)/m);
    expect(r.out).toMatch(/^FAILED {2}test\.broken@1\.0\.0 {2}\(plugin-dir\)\n {4}reason: plugin requires Visage \^7\.0\.0, but this host is 0\.1\.0/m);
  });
});

describe('visage pipeline run, configuration errors', () => {
  it('stops before the first clip when the once-per-run prompts stage fails (no error row per clip)', async () => {
    const out = path.join(tmp(), 'rows.jsonl');
    const r = await runCli('pipeline', 'run', ...fixture, '--set', 'stages.prompts.use=visage.clip-adapter/descriptors', 'solid:1,2,3', 'solid:3,2,1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FINECLIPER_MODELS_MISSING[\s\S]*hint: pass --models DIR/);
    expect(existsSync(out)).toBe(false); // nothing was run, so no output file was started
  });
});
