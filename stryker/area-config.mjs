/**
 * The StrykerJS configuration shared by every mutation-testing area (stryker/<area>.config.mjs).
 * An area mutates only its own source files and runs only its own tests, so its score says how
 * well those tests pin down that code, and a rerun stays short.
 */

/** @returns {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export function areaConfig(area, { mutate, testFiles, timeoutMS = 5_000 }) {
  // Read by stryker/vitest.area.config.ts in Stryker's test-runner processes, which inherit it.
  process.env.VISAGE_MUTATION_TESTS = JSON.stringify(testFiles);
  return {
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'stryker/vitest.area.config.ts', related: false },
    mutate,
    // perTest coverage: a mutant runs only the tests that reach it.
    coverageAnalysis: 'perTest',
    // Incremental results are kept out of git: they are generated (150 KB to MBs per area), rewritten
    // by every run and would conflict between branches. A fresh checkout's first run is a full one.
    incremental: true,
    incrementalFile: `reports/mutation/${area}.incremental.json`,
    reporters: ['json', 'clear-text', 'progress'],
    // Stryker exits 1 under this score (scripts/test-mutation.ts BREAK_SCORE says the same).
    thresholds: { high: 90, low: 80, break: 80 },
    jsonReporter: { fileName: `reports/mutation/${area}.json` },
    // Two cores on the shared machine; raise with `npm run test:mutation <area> -- --concurrency N`.
    concurrency: 2,
    timeoutMS,
    // vitest strips types without checking them, so the sources need no @ts-nocheck.
    disableTypeChecks: false,
    // Each worker tests in a copy of the repo under .stryker-tmp/, where ../shared is out of reach:
    // an area's tests must not need the shared test data.
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    ignorePatterns: ['/.vk', '/bench', '/samples', '/.cache', '/out', '/scratch'],
  };
}
