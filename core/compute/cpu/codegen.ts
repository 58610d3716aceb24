/**
 * Per-op loops compiled from their own source text.
 *
 * V8 shares type feedback between closures of one function literal, so a single loop calling
 * fn(x[i]) for every op goes megamorphic and never inlines fn. Separate code per op keeps each
 * call site monomorphic (about 2-3x faster).
 */

/**
 * One function per name, each compiled from `source(name)` (a function expression) with the
 * entries of `scope` in view.
 */
export function compilePerOp<K extends string, T>(names: readonly K[], source: (name: K) => string, scope: Record<string, unknown> = {}): Record<K, T> {
  const out = {} as Record<K, T>;
  const keys = Object.keys(scope);
  for (const name of names) {
    // eslint-disable-next-line no-new-func
    out[name] = new Function(...keys, `return ${source(name)};`)(...keys.map((k) => scope[k])) as T;
  }
  return out;
}
