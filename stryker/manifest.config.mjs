import { areaConfig } from './area-config.mjs';

export default areaConfig('manifest', {
  mutate: ['core/manifest/*.ts', '!core/manifest/index.ts'],
  testFiles: ['core/manifest/test/**/*.test.ts'],
});
