/**
 * Test support for plugin tests (`@visage/core/testing`); plugin src/ may not import it.
 * mulberry32 is here too because test data must be reproducible across machines.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { VisageError } from './errors/visage-error.ts';
import { validateOptions } from './config/options-validator.ts';
import type { ProviderPoint } from './manifest/contribution-points.ts';
import type { JSONSchema } from './manifest/json-schema.ts';

export { gradCheck, type GradCheckOptions } from './compute/test/gradcheck.ts';
export { mulberry32 } from './random.ts';

/**
 * A provider's options as the host passes them in `call.options`: validated against the schema in
 * the plugin's manifest (`packageJson`, a path), defaults filled. For tests that call a provider directly.
 */
export function optionsAsHostPasses<O>(packageJson: string | URL, point: ProviderPoint, id: string, options: Record<string, unknown> = {}): O {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { contributes?: Record<string, { id: string; options?: JSONSchema }[]> };
  const contribution = manifest.contributes?.[point]?.find((c) => c.id === id);
  if (!contribution) throw new Error(`${String(packageJson)} contributes no ${point} provider "${id}"`);
  return validateOptions(contribution.options, options, `/${point}/${id}`).value as O;
}

/**
 * The VisageError a call throws, checked against `expected` (code, hint, exit code): fails the test
 * when the call throws nothing, or something other than a VisageError.
 */
export function thrown(f: () => unknown, expected: Partial<Pick<VisageError, 'code' | 'hint' | 'exitCode'>> = {}): VisageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VisageError);
    expect(e).toMatchObject(expected);
    return e as VisageError;
  }
  throw new Error(`expected a VisageError${expected.code ? ` ${expected.code}` : ''}`);
}
