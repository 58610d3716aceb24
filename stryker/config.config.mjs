import { areaConfig } from './area-config.mjs';

export default areaConfig('config', {
  mutate: ['core/config/*.ts'],
  testFiles: ['core/config/test/**/*.test.ts'],
});
