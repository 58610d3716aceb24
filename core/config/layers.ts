/**
 * Preset layers: a preset and everything it `extends`, flattened into an ordered list (base first),
 * merged with provenance so `pipeline explain` can say where every value came from
 * (the c12 / ESLint flat-config idea of named layers).
 */
import * as errors from '../errors/messages.ts';

export interface Layer {
  /** Shown in explain: `preset:embedded (visage.expression)`, `file:./ab.json`, `--set`. */
  name: string;
  data: Record<string, unknown>;
}

export type Origins = Map<string, string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys that reach Object.prototype when merged or assigned by path (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses forbidden keys anywhere in a layer, before it is merged. JSON.parse makes `"__proto__"` an own
 * key, so a file can carry one; refusing it (rather than dropping it) tells the user which value was ignored.
 */
export function assertSafeKeys(value: unknown, source: string, at = ''): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafeKeys(v, source, `${at}[${i}]`));
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const p = at ? `${at}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) throw errors.configKeyForbidden(key, p, source);
    assertSafeKeys(value[key], source, p);
  }
}

/** Deep-merges layers in order; arrays and scalars are replaced. Records which layer set each leaf path. */
export function mergeLayers(layers: Layer[]): { value: Record<string, unknown>; origins: Origins } {
  for (const layer of layers) assertSafeKeys(layer.data, layer.name);
  const value: Record<string, unknown> = {};
  const origins: Origins = new Map();
  for (const layer of layers) mergeInto(value, layer.data, '', layer.name, origins);
  return { value, origins };
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, prefix: string, layer: string, origins: Origins): void {
  for (const [key, v] of Object.entries(source)) {
    if (key === 'extends' && prefix === '') continue;
    const p = prefix ? `${prefix}.${key}` : key;
    if (isObject(v)) {
      if (!isObject(target[key])) target[key] = {};
      mergeInto(target[key] as Record<string, unknown>, v, p, layer, origins);
      if (Object.keys(v).length === 0) origins.set(p, layer);
    } else {
      target[key] = structuredClone(v);
      for (const old of [...origins.keys()]) if (old.startsWith(p + '.')) origins.delete(old);
      origins.set(p, layer);
    }
  }
}

/**
 * Plugin ids hold dots (`visage.open-set`), so in `plugins.visage.open-set.checkpoint` the longest
 * known id after `plugins` is one key.
 */
function joinPluginId(path: string[], pluginIds: readonly string[]): string[] {
  if (path[0] !== 'plugins') return path;
  for (let end = path.length; end > 2; end--) {
    const id = path.slice(1, end).join('.');
    if (pluginIds.includes(id)) return ['plugins', id, ...path.slice(end)];
  }
  return path;
}

/**
 * Parses one `--set path=value`: the value is JSON when it parses, a plain string otherwise.
 * `pluginIds`: the installed plugins, whose dotted ids stay whole under `plugins`.
 */
export function parseSetOverride(expr: string, pluginIds: readonly string[] = []): { path: string[]; value: unknown } {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects path=value, got "${expr}"`);
  const path = joinPluginId(expr.slice(0, eq).trim().split('.'), pluginIds);
  if (path.some((p) => p === '')) throw new Error(`--set path "${expr.slice(0, eq)}" has an empty segment`);
  const forbidden = path.find((p) => FORBIDDEN_KEYS.has(p));
  if (forbidden) throw errors.configKeyForbidden(forbidden, path.join('.'), `--set ${expr}`);
  const raw = expr.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: keep the string (e.g. --set stages.fusion.use=acme.x/max)
  }
  assertSafeKeys(value, `--set ${expr}`, path.join('.'));
  return { path, value };
}

/** Builds a layer object from `--set` expressions, applied after every file layer. */
export function setOverridesLayer(exprs: string[], pluginIds: readonly string[] = []): Layer {
  const data: Record<string, unknown> = {};
  for (const expr of exprs) {
    const { path, value } = parseSetOverride(expr, pluginIds);
    let node = data;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return { name: '--set', data };
}
