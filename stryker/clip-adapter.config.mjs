import { areaConfig } from './area-config.mjs';

// FineCLIPER's descriptors and the head whose scores its losses are computed on.
export default areaConfig('clip-adapter', {
  mutate: ['plugins/clip-adapter/src/fineclipper/descriptors.ts', 'plugins/clip-adapter/src/fineclipper/fineclipper-model.ts'],
  testFiles: ['plugins/clip-adapter/test/fineclipper-model.test.ts', 'plugins/clip-adapter/test/descriptors.test.ts'],
});
