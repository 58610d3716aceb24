/**
 * The vitest configuration of a mutation-testing area: the repo's, limited to that area's test
 * files, which stryker/area-config.mjs passes in VISAGE_MUTATION_TESTS. (Stryker's own `testFiles`
 * option is not used: with it, Stryker 9.6.1 activates static mutants only after their module has
 * loaded, so they all survive; stryker-js#6144.)
 */
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.ts';

const include = JSON.parse(process.env.VISAGE_MUTATION_TESTS ?? '[]') as string[];
if (include.length === 0) throw new Error('VISAGE_MUTATION_TESTS is not set: run through npm run test:mutation');

export default defineConfig({ test: { ...base.test, include, reporters: ['default'] } });
