import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTable, readAreaSummary, summarizeReport } from '../../scripts/mutation-summary.ts';
import { knownAreas } from '../../scripts/test-mutation.ts';

const mutants = (...statuses: string[]) => statuses.map((status) => ({ status }));

describe('mutation summary', () => {
  it('scores detected (killed, timed out) over valid mutants, across files', () => {
    const report = {
      files: {
        'a.ts': { mutants: mutants('Killed', 'Killed', 'Survived', 'Timeout', 'Ignored', 'CompileError') },
        'b.ts': { mutants: mutants('NoCoverage', 'Killed', 'RuntimeError') },
      },
    };
    expect(summarizeReport('x', report)).toEqual({ area: 'x', mutants: 6, killed: 3, timedOut: 1, survived: 1, noCoverage: 1, score: (100 * 4) / 6 });
    expect(summarizeReport('empty', { files: {} }).score).toBeNaN();
  });

  it('prints one table row per area', () => {
    const rows = [
      summarizeReport('metrics', { files: { f: { mutants: mutants('Killed', 'Killed', 'Killed', 'Survived') } } }),
      summarizeReport('none', { files: {} }),
    ];
    expect(formatTable(rows)).toBe([
      '| area | mutants | killed | timed out | survived | no coverage | score |',
      '|---|---:|---:|---:|---:|---:|---:|',
      '| metrics | 4 | 3 | 0 | 1 | 0 | 75.0% |',
      '| none | 0 | 0 | 0 | 0 | 0 | - |',
    ].join('\n'));
  });

  it('reads a JSON report, or nothing when the area has not run', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'visage-mutation-'));
    const file = path.join(dir, 'a.json');
    writeFileSync(file, JSON.stringify({ files: { f: { mutants: mutants('Killed', 'Timeout') } } }));
    expect(readAreaSummary('a', file)?.score).toBe(100);
    expect(readAreaSummary('b', path.join(dir, 'b.json'))).toBeUndefined();
  });
});

describe('npm run test:mutation', () => {
  it('has one Stryker config per area', () => {
    expect(knownAreas()).toEqual(['clip-adapter', 'compute', 'config', 'manifest', 'metrics', 'open-set', 'pipeline']);
  });

  it('refuses an unknown area, listing the known ones, before running anything', () => {
    // Stryker's options (and their values) after the areas are not area names.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/test-mutation.ts', 'nope', '--concurrency', '4'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('unknown mutation-testing area: nope (known: clip-adapter, compute, config, manifest, metrics, open-set, pipeline)\n');
    expect(r.stdout).toBe('');
  });
});
