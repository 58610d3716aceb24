import { areaConfig } from './area-config.mjs';

export default areaConfig('metrics', {
  mutate: ['core/metrics/*.ts', '!core/metrics/index.ts'],
  testFiles: ['core/metrics/test/**/*.test.ts'],
});
