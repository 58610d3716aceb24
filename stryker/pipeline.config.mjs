import { areaConfig } from './area-config.mjs';

export default areaConfig('pipeline', {
  mutate: ['core/pipeline/*.ts'],
  testFiles: ['core/pipeline/test/**/*.test.ts'],
});
