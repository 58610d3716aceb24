/**
 * `npm run test:mutation [area...] [-- stryker options]`: runs StrykerJS on each area
 * (stryker/<area>.config.mjs; all of them when none is named), one after another, then prints the
 * per-area table from their JSON reports. Exits 1 when a run failed or an area scored under the
 * break threshold.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, readAreaSummary, type AreaSummary } from './mutation-summary.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STRYKER = path.join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js');
/** The score under which an area fails (Stryker's thresholds.break in stryker/area-config.mjs). */
export const BREAK_SCORE = 80;

export function knownAreas(): string[] {
  return readdirSync(path.join(ROOT, 'stryker'))
    .filter((f) => f.endsWith('.config.mjs'))
    .map((f) => f.slice(0, -'.config.mjs'.length))
    .sort();
}

function main(argv: string[]): number {
  const areas = knownAreas();
  // Areas come first; everything from the first option on goes to Stryker (e.g. --concurrency 1, --force).
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  const named = firstOption < 0 ? argv : argv.slice(0, firstOption);
  const strykerArgs = firstOption < 0 ? [] : argv.slice(firstOption);
  const unknown = named.filter((a) => !areas.includes(a));
  if (unknown.length) {
    process.stderr.write(`unknown mutation-testing area: ${unknown.join(', ')} (known: ${areas.join(', ')})\n`);
    return 2;
  }
  const selected = named.length ? named : areas;
  let failed = false;
  for (const area of selected) {
    process.stdout.write(`\n== mutation testing: ${area} ==\n`);
    const run = spawnSync(process.execPath, [STRYKER, 'run', `stryker/${area}.config.mjs`, ...strykerArgs], { cwd: ROOT, stdio: 'inherit' });
    if (run.status !== 0) failed = true;
  }
  const rows = selected
    .map((area) => readAreaSummary(area, path.join(ROOT, `reports/mutation/${area}.json`)))
    .filter((r): r is AreaSummary => r !== undefined);
  process.stdout.write(`\n${formatTable(rows)}\n`);
  if (rows.some((r) => !(r.score >= BREAK_SCORE))) failed = true;
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
