/**
 * Classes 3 and 4: one clip's bad output never takes down the batch, and never passes off a wrong
 * answer as ok. Whatever a plugin returns or does (NaN, strings, unknown classes, cycles, BigInt,
 * unhandled rejections, process.exit), that clip gets a coded error row and the rest run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clips, expectNoStack, hostileRun, rowsOf, runCliProcess, tmpDir } from './support/spawn-cli.ts';

const misbehave = (mode: string, on: number[] = [1], arg = '') => ['--set', `stages.levels.hostile.options=${JSON.stringify({ mode, on, arg })}`];

describe('a level that returns a bad result', () => {
  it.each([
    ['nan', /score of "happy" is NaN/],
    ['infinity', /score of "happy" is Infinity/],
    ['string', /score of "happy" is the string "0.9"/],
  ])('%s: a STAGE_OUTPUT_INVALID row naming the plugin; the other clips are ok', async (mode, detail) => {
    const r = await runCliProcess(hostileRun(...misbehave(mode), ...clips(3)));
    expect(r.code).toBe(1);
    const rows = rowsOf(r.stdout);
    expect(rows.map((x) => x.error?.code ?? 'ok')).toEqual(['ok', 'STAGE_OUTPUT_INVALID', 'ok']);
    expect(rows[1].error).toMatchObject({ plugin: 'test.hostile', stage: 'levels' });
    expect(rows[1].error.message).toMatch(detail);
    expect(rows[1].label).toBe(null);
    expect(r.stderr).toMatch(/2 of 3 clips ok, 1 failed/);
  });

  it('scores for classes outside the run are dropped and named in the row; scores for none of them are an error', async () => {
    const r = await runCliProcess(hostileRun(...misbehave('unknown-class'), ...clips(2)));
    const rows = rowsOf(r.stdout);
    expect(rows[1].error).toBe(null);
    expect(rows[1].levels.hostile.flags).toEqual(['scores for classes outside this run ignored: joy']);
    expect(Object.keys(rows[1].probabilities).sort()).toEqual(['happy', 'sad']);
    const none = await runCliProcess(hostileRun(...misbehave('only-class', [1], 'joy'), ...clips(2)));
    expect(rowsOf(none.stdout)[1].error).toMatchObject({ code: 'STAGE_OUTPUT_INVALID', plugin: 'test.hostile' });
    expect(rowsOf(none.stdout)[1].error.message).toMatch(/none of its classes \(joy\) is one of this run's classes/);
  });

  it('a fusion with no logits is a clip error, not an empty label reported as ok', async () => {
    const r = await runCliProcess(hostileRun('--set', 'stages.fusion.use=test.hostile/empty', ...clips(2)));
    expect(r.code).toBe(1);
    const rows = rowsOf(r.stdout);
    expect(rows.map((x) => x.error?.code)).toEqual(['STAGE_OUTPUT_INVALID', 'STAGE_OUTPUT_INVALID']);
    expect(rows[0].error).toMatchObject({ stage: 'fusion', plugin: 'test.hostile' });
  });

  it('classes named constructor and toString never read inherited properties', async () => {
    const dir = tmpDir();
    const config = path.join(dir, 'classes.json');
    writeFileSync(config, JSON.stringify({ classes: ['constructor', 'toString', 'happy', 'sad'] }));
    const r = await runCliProcess(hostileRun('--config', config, ...misbehave('only-class', [0, 1], 'toString'), ...clips(2)));
    expect(r.code, r.stderr).toBe(0);
    for (const row of rowsOf(r.stdout)) {
      expect(Object.keys(row.probabilities).sort()).toEqual(['constructor', 'happy', 'sad', 'toString']);
      for (const p of Object.values(row.probabilities)) expect(Number.isFinite(p)).toBe(true);
      expect(row.probabilities.toString).toBeGreaterThan(row.probabilities.constructor);
    }
  });
});

describe('one clip that breaks the row or the process', () => {
  it.each([
    ['circular', 'ROW_NOT_SERIALISABLE', /level "hostile"/],
    ['bigint', 'ROW_NOT_SERIALISABLE', /level "hostile"/],
    ['exit', 'PLUGIN_CALLED_EXIT', /process\.exit\(3\)/],
    ['sync-throw', 'PLUGIN_ERROR', /thrown synchronously/],
  ])('%s: that clip gets %s, the batch goes on', async (mode, code, detail) => {
    const r = await runCliProcess(hostileRun(...misbehave(mode), ...clips(3)));
    expect(r.code).toBe(1);
    const rows = rowsOf(r.stdout);
    expect(rows.map((x) => x.error?.code ?? 'ok')).toEqual(['ok', code, 'ok']);
    expect(rows[1].error.message).toMatch(detail);
    expect(r.stderr).toMatch(/2 of 3 clips ok, 1 failed/);
    expectNoStack(r.stderr);
  });

  it.each([
    ['unhandled-rejection', /contained an unhandled promise rejection from plugin code: nobody handles this/],
    ['timer-throw', /contained an uncaught exception from plugin code: thrown from a timer/],
  ])('%s is contained and reported; every clip still gets its row and the summary prints', async (mode, note) => {
    const r = await runCliProcess(hostileRun(...misbehave(mode), ...clips(3)));
    expect(r.code).toBe(0);
    expect(rowsOf(r.stdout)).toHaveLength(3);
    expect(r.stderr).toMatch(note);
    expect(r.stderr).toMatch(/3 of 3 clips ok/);
  });
});
