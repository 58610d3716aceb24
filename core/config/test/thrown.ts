/** The VisageError a call throws; fails the test when it throws nothing or something else. */
import { expect } from 'vitest';
import { VisageError } from '../../errors/visage-error.ts';

export function thrown(f: () => unknown): VisageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VisageError);
    return e as VisageError;
  }
  throw new Error('expected a VisageError');
}
