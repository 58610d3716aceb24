import { areaConfig } from './area-config.mjs';

// HESP's losses and the known-ness scores, threshold and decision built on them.
export default areaConfig('open-set', {
  mutate: [
    'plugins/open-set/src/hesp-losses.ts',
    'plugins/open-set/src/knownness.ts',
    'plugins/open-set/src/threshold.ts',
    'plugins/open-set/src/open-set-decision.ts',
  ],
  testFiles: ['plugins/open-set/test/losses.test.ts', 'plugins/open-set/test/scores-splits.test.ts', 'plugins/open-set/test/decision-losses.test.ts'],
});
