/**
 * `npm run bench:reliability`: runs every fault case under test/reliability (real CLI, hostile
 * plugins, real pipes, files and loopback servers) and prints how many ran and held, per fault class.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printTable } from '../lib/table.ts';

interface Report { testResults: { name: string; assertionResults: { status: string; title: string }[] }[] }

// vitest.config.ts's JSON reporter writes the report (its outputFile wins over the CLI's).
const out = path.resolve('.vitest-results.json');
const r = spawnSync('npx', ['vitest', 'run', 'test/reliability'], { stdio: ['ignore', 'ignore', 'inherit'], encoding: 'utf8' });
const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
let ran = 0;
let held = 0;
const rows = report.testResults.map((file) => {
  const cases = file.assertionResults.filter((a) => a.status !== 'skipped' && a.status !== 'pending');
  const ok = cases.filter((a) => a.status === 'passed').length;
  ran += cases.length;
  held += ok;
  for (const a of cases) if (a.status !== 'passed') console.error(`did not hold: ${path.basename(file.name)} > ${a.title}`);
  return [path.basename(file.name, '.test.ts'), String(cases.length), String(ok), String(cases.length - ok)];
}).sort((a, b) => a[0].localeCompare(b[0]));
printTable(['fault class (test file)', 'cases', 'held', 'did not hold'], [...rows, ['all', String(ran), String(held), String(ran - held)]]);
console.log(`\n${ran} fault cases ran, ${held} held`);
process.exitCode = r.status === 0 && ran === held ? 0 : 1;
