/**
 * Validates a plugin manifest in two tiers, as VS Code does (extensionValidator.ts):
 * structural errors and an incompatible engine keep the plugin from loading; softer issues are
 * warnings. ajv compiles the combined schema once per process; every error names the plugin,
 * the JSON pointer, the problem and a hint.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import semver from 'semver';
import { CONTRIBUTION_POINTS } from './contribution-points.ts';
import { buildManifestSchema } from './manifest-schema.ts';
import type { ManifestProblem } from './manifest-problem.ts';
import type { PluginManifest } from './plugin-manifest.ts';
import { HOST_VERSION } from '../version.ts';

let compiled: ValidateFunction | undefined;
function manifestValidator(): ValidateFunction {
  // Compile once: ajv compilation is the slow part, validation is cheap.
  compiled ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(buildManifestSchema());
  return compiled;
}

/** `publisher.name` (npm scope dropped), or undefined when the manifest lacks either. */
export function pluginIdOf(manifest: unknown): string | undefined {
  const m = manifest as { publisher?: unknown; name?: unknown } | null;
  if (!m || typeof m.publisher !== 'string' || typeof m.name !== 'string') return undefined;
  return `${m.publisher}.${m.name.replace(/^@[^/]+\//, '')}`;
}

export interface ValidationResult {
  manifest?: PluginManifest;
  problems: ManifestProblem[];
}

/** Validates an already-parsed manifest that lives in `folder`. */
export function validateManifest(raw: unknown, folder: string, hostVersion = HOST_VERSION): ValidationResult {
  const plugin = pluginIdOf(raw) ?? path.basename(folder);
  const problems: ManifestProblem[] = [];
  const add = (severity: ManifestProblem['severity'], pointer: string, message: string, hint: string) =>
    problems.push({ severity, plugin, pointer, message, hint });

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('error', '', 'the manifest is not a JSON object', 'package.json must be an object with name, publisher, version, engines.visage and main');
    return { problems };
  }
  const validate = manifestValidator();
  if (!validate(raw)) for (const e of validate.errors ?? []) problems.push(fromAjvError(e, plugin));

  const m = raw as Record<string, any>;
  checkEngine(m.engines?.visage, hostVersion, add);
  if (typeof m.main === 'string') checkMainInside(m.main, folder, add);
  checkContributions(m.contributes, add);
  checkPresetPathsInside(m.contributes, folder, add);

  const ok = !problems.some((p) => p.severity === 'error');
  return { manifest: ok ? (m as PluginManifest) : undefined, problems };
}

type Add = (severity: ManifestProblem['severity'], pointer: string, message: string, hint: string) => void;

function checkEngine(range: unknown, hostVersion: string, add: Add): void {
  if (typeof range !== 'string') return; // missing/wrong type is reported by the schema
  const example = `^${semver.major(hostVersion)}.${semver.minor(hostVersion)}.0`;
  if (range.trim() === '*' || semver.validRange(range) === null) {
    add('error', '/engines/visage', `could not parse engines.visage value "${range}"`, `use a semver range that pins the major (and for 0.x the minor) version, for example "${example}"`);
    return;
  }
  if (!semver.satisfies(hostVersion, range, { includePrerelease: true })) {
    add('error', '/engines/visage', `plugin requires Visage ${range}, but this host is ${hostVersion}`, `update the plugin, or set engines.visage to a range that includes ${hostVersion}, for example "${example}"`);
  }
}

function checkMainInside(main: string, folder: string, add: Add): void {
  if (path.isAbsolute(main) || !resolvesInside(folder, main)) {
    add('error', '/main', `main "${main}" resolves outside the plugin folder`, 'point main at a module inside the plugin folder, e.g. "./src/index.ts" (symlinks count where they lead)');
  }
}

function checkPresetPathsInside(contributes: unknown, folder: string, add: Add): void {
  const presets = (contributes as { presets?: unknown } | undefined)?.presets;
  if (!Array.isArray(presets)) return;
  presets.forEach((p: { path?: unknown }, i) => {
    if (typeof p?.path !== 'string') return;
    if (path.isAbsolute(p.path) || !resolvesInside(folder, p.path)) {
      add('error', `/contributes/presets/${i}/path`, `preset path "${p.path}" resolves outside the plugin folder`, 'ship the preset file inside the plugin folder and give its relative path, e.g. "./presets/my.pipeline.json"');
    }
  });
}

/**
 * Whether `rel` stays inside `folder` once `..` and symlinks are resolved: a symlinked directory or
 * file inside the folder can point anywhere, so the lexical check alone lets outside code run.
 */
export function resolvesInside(folder: string, rel: string): boolean {
  const root = realpathOfExisting(path.resolve(folder));
  const target = realpathOfExisting(path.resolve(root, rel));
  return target === root || target.startsWith(root + path.sep);
}

/** realpath of the longest existing prefix, with the missing rest appended (a main may not exist yet). */
function realpathOfExisting(p: string): string {
  let head = p;
  const rest: string[] = [];
  while (!existsSync(head)) {
    const parent = path.dirname(head);
    if (parent === head) return p;
    rest.unshift(path.basename(head));
    head = parent;
  }
  return path.join(realpathSync(head), ...rest);
}

function checkContributions(contributes: unknown, add: Add): void {
  if (typeof contributes !== 'object' || contributes === null) return;
  for (const [point, value] of Object.entries(contributes)) {
    if (!Array.isArray(value)) continue;
    const seen = new Set<string>();
    value.forEach((item: any, i) => {
      if (typeof item?.id !== 'string') return;
      if (seen.has(item.id)) add('error', `/contributes/${point}/${i}/id`, `duplicate ${point} id "${item.id}"`, 'give each contribution a unique id within the plugin');
      seen.add(item.id);
    });
  }
}

/** Turns one ajv error into a problem with a hint a plugin author can act on. */
function fromAjvError(e: ErrorObject, plugin: string): ManifestProblem {
  const pointer = e.instancePath;
  const base = { severity: 'error' as const, plugin };
  switch (e.keyword) {
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      const at = `${pointer}/${field}`;
      return { ...base, pointer: at, message: `missing required field "${field}"`, hint: requiredHint(at) };
    }
    case 'type':
      return { ...base, pointer, message: `must be of type ${(e.params as { type: string }).type}`, hint: `change the value at ${pointer} to ${article((e.params as { type: string }).type)}` };
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      if (pointer === '/contributes') {
        const known = CONTRIBUTION_POINTS.map((p) => p.id).join(', ');
        return { ...base, pointer: `${pointer}/${extra}`, message: `unknown contribution point "${extra}"`, hint: `contribution points are: ${known}` };
      }
      return { ...base, pointer: `${pointer}/${extra}`, message: `unknown property "${extra}"`, hint: 'remove it, or check its spelling against manifest.schema.json' };
    }
    case 'pattern':
      return { ...base, pointer, message: `does not match ${(e.params as { pattern: string }).pattern}`, hint: patternHint(pointer) };
    default:
      return { ...base, pointer, message: e.message ?? e.keyword, hint: 'see manifest.schema.json for the allowed shape' };
  }
}

function requiredHint(pointer: string): string {
  const hints: Record<string, string> = {
    '/name': 'add "name": the npm package name, e.g. "visage-plugin-foo"',
    '/publisher': 'add "publisher": your publisher id, e.g. "acme"; the plugin id becomes publisher.name',
    '/version': 'add "version": a semver version, e.g. "0.1.0"',
    '/engines': 'add "engines": { "visage": "^0.1.0" }',
    '/engines/visage': 'add engines.visage, a semver range of the Visage API, e.g. "^0.1.0"',
    '/main': 'add "main": the entry module that exports activate(ctx), e.g. "./src/index.ts"',
  };
  return hints[pointer] ?? `add the field; see manifest.schema.json`;
}

function patternHint(pointer: string): string {
  if (pointer === '/publisher') return 'lowercase letters, digits and dashes, e.g. "acme"';
  if (pointer.startsWith('/pluginDependencies')) return 'write plugin ids as publisher.name, e.g. "visage.landmarks"';
  if (pointer.startsWith('/activationEvents')) return 'use "onLevel:<id>", "onFusion:<id>", "onCommand:<id>", ... or "*"';
  return 'ids are lowercase letters, digits and dashes, starting with a letter';
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
