import { areaConfig } from './area-config.mjs';

// The differentiable ops and the tape that runs them backwards.
export default areaConfig('compute', {
  mutate: ['core/compute/ops/*.ts', 'core/compute/tensor.ts'],
  testFiles: ['core/compute/test/ops-grad.test.ts', 'core/compute/test/ops-values.test.ts', 'core/compute/test/autograd.test.ts', 'core/compute/test/tape.test.ts', 'core/compute/test/default-backend.test.ts'],
  timeoutMS: 20_000,
});
