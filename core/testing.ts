/**
 * Test support for plugin tests (`@visage/core/testing`); plugin src/ may not import it.
 * mulberry32 is here too because test data must be reproducible across machines.
 */
export { gradCheck, type GradCheckOptions } from './compute/test/gradcheck.ts';
export { mulberry32 } from './random.ts';
