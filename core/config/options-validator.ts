/**
 * Validates provider options and plugin configuration against the schemas plugins contribute,
 * filling schema defaults on a clone (ajv's useDefaults mutates) and reporting which paths were
 * defaulted, so `pipeline explain` can show them.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JSONSchema } from '../manifest/json-schema.ts';
import * as errors from '../errors/messages.ts';

// strict:false: third-party option schemas often carry editor keywords (markdownDescription, ...).
const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
const cache = new WeakMap<object, ValidateFunction>();

export function validateOptions(schema: JSONSchema | undefined, value: unknown, pointer: string, file?: string): { value: Record<string, unknown>; defaulted: string[] } {
  const clone = structuredClone((value ?? {}) as Record<string, unknown>);
  if (!schema) return { value: clone, defaulted: [] };
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile({ type: 'object', ...schema });
    cache.set(schema, validate);
  }
  const before = new Set(leafPaths(clone));
  if (!validate(clone)) {
    const e = validate.errors![0];
    const at = `${pointer}${e.instancePath}`;
    const what = e.keyword === 'additionalProperties' ? `unknown option "${(e.params as { additionalProperty: string }).additionalProperty}"` : `${e.instancePath || 'options'} ${e.message}`;
    const allowed = schema.properties ? Object.keys(schema.properties as object).join(', ') : '';
    throw errors.presetInvalid(at, what, allowed ? `allowed options: ${allowed}` : 'see the provider documentation', file);
  }
  return { value: clone, defaulted: leafPaths(clone).filter((p) => !before.has(p)) };
}

function leafPaths(v: unknown, prefix = ''): string[] {
  // Stryker disable next-line ArrayDeclaration: only a non-object options value reaches here with no prefix, and validation refuses it
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return prefix ? [prefix] : [];
  return Object.entries(v).flatMap(([k, x]) => leafPaths(x, prefix ? `${prefix}.${k}` : k));
}
