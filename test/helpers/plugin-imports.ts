/**
 * The plugin wall, as a checker: every import of every file of every plugin, parsed with the
 * TypeScript scanner (static, `export ... from`, dynamic `import('...')` and `import('...')` types),
 * against the rules below. test/host/plugin-boundaries.test.ts runs it on plugins/ and on a
 * fixture of bad imports, so the checker itself is shown to catch each kind.
 *
 * A plugin's src/ may import:
 * - node builtins, and npm packages declared in the root or the plugin's package.json
 *   (`dependencies`, `optionalDependencies`; tests also `devDependencies`);
 * - `@visage/core` (the plugin API) and the shared libraries `@visage/core/<library>`;
 * - `@visage/<other>` (and its subpaths) only when the other plugin is in this plugin's
 *   `pluginDependencies` and lists that path in its package.json `exports`;
 * - its own src/ files.
 * A plugin's test/ may also import `@visage/core/testing`, `@visage/core/internal` (the embedding
 * API, for a host in a test), its own test/ files, and the repo's shared test support `test/helpers/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** The subpaths of core/package.json a plugin's src/ may import (besides `@visage/core` itself). */
export const CORE_LIBRARIES = ['compute', 'models', 'media', 'data', 'metrics', 'features', 'report'] as const;
/** Subpaths only plugin tests may import. */
export const CORE_TEST_SUBPATHS = ['testing', 'internal'] as const;

interface PackageJson {
  name: string;
  publisher?: string;
  exports?: string | Record<string, string>;
  pluginDependencies?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface ImportViolation {
  /** Repo-relative path of the importing file. */
  file: string;
  specifier: string;
  reason: string;
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? tsFiles(p) : /\.(ts|js|mjs)$/.test(d.name) ? [p] : [];
  });
}

/** Every module specifier a file names: static, re-export, dynamic and type imports. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** `@scope/name/x/y` -> `@scope/name`; `name/x` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function exportsOf(pkg: PackageJson): string[] {
  if (typeof pkg.exports === 'string') return ['.'];
  return Object.keys(pkg.exports ?? {});
}

/** Checks the plugins under `pluginsDir`; `repoRoot` holds the root package.json and test/helpers/. */
export function pluginImportViolations(repoRoot: string, pluginsDir = path.join(repoRoot, 'plugins')): ImportViolation[] {
  const root = readJson(path.join(repoRoot, 'package.json'));
  const plugins = readdirSync(pluginsDir)
    .map((name) => path.join(pluginsDir, name))
    .filter((dir) => statSync(dir).isDirectory())
    .map((dir) => {
      const pkg = readJson(path.join(dir, 'package.json'));
      return { dir, pkg, id: `${pkg.publisher}.${pkg.name.replace(/^@[^/]+\//, '')}` };
    });
  const byPackage = new Map(plugins.map((p) => [p.pkg.name, p]));
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const out: ImportViolation[] = [];

  for (const plugin of plugins) {
    const runtimeDeps = new Set(Object.keys({ ...root.dependencies, ...root.optionalDependencies, ...plugin.pkg.dependencies, ...plugin.pkg.optionalDependencies }));
    const testDeps = new Set([...runtimeDeps, ...Object.keys({ ...root.devDependencies, ...plugin.pkg.devDependencies })]);
    const declared = new Set(plugin.pkg.pluginDependencies ?? []);
    for (const kind of ['src', 'test'] as const) {
      const isTest = kind === 'test';
      for (const file of tsFiles(path.join(plugin.dir, kind))) {
        const rel = path.relative(repoRoot, file);
        const flag = (specifier: string, reason: string) => out.push({ file: rel, specifier, reason });
        for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
          if (builtins.has(specifier)) continue;
          if (specifier.startsWith('.')) {
            const target = path.resolve(path.dirname(file), specifier);
            const within = (dir: string) => !path.relative(dir, target).startsWith('..');
            const nodeModules = target.split(path.sep).indexOf('node_modules');
            if (nodeModules >= 0) {
              // A relative path into node_modules is an npm import in disguise: judged by its package.
              const name = packageName(target.split(path.sep).slice(nodeModules + 1).join('/'));
              if (!(isTest ? testDeps : runtimeDeps).has(name)) flag(specifier, `npm package ${name} is not a declared dependency`);
              continue;
            }
            const ownSrc = within(path.join(plugin.dir, 'src'));
            const allowed = isTest ? ownSrc || within(path.join(plugin.dir, 'test')) || within(path.join(repoRoot, 'test', 'helpers')) : ownSrc;
            if (!allowed) flag(specifier, isTest ? 'a plugin test imports its own plugin, the package exports of @visage packages, or test/helpers/' : 'leaves the plugin\'s src/: import @visage/core* or a declared dependency\'s package exports');
            continue;
          }
          const name = packageName(specifier);
          const subpath = specifier === name ? '.' : `.${specifier.slice(name.length)}`;
          if (name === '@visage/core') {
            const sub = subpath.slice(2);
            const ok = subpath === '.' || (CORE_LIBRARIES as readonly string[]).includes(sub) || (isTest && (CORE_TEST_SUBPATHS as readonly string[]).includes(sub));
            if (!ok) flag(specifier, `not a subpath a plugin ${kind === 'src' ? 'src/' : 'test'} may import; use @visage/core or @visage/core/{${CORE_LIBRARIES.join(',')}}`);
            continue;
          }
          const other = byPackage.get(name);
          if (other) {
            if (other === plugin) flag(specifier, 'a plugin imports its own files by relative path');
            else if (!declared.has(other.id)) flag(specifier, `${other.id} is not in this plugin's pluginDependencies`);
            else if (!exportsOf(other.pkg).includes(subpath)) flag(specifier, `${other.id} does not export "${subpath}" (its package.json exports: ${exportsOf(other.pkg).join(', ') || 'none'})`);
            continue;
          }
          if (!(isTest ? testDeps : runtimeDeps).has(name)) flag(specifier, `npm package ${name} is not a declared ${isTest ? '' : 'runtime '}dependency`);
        }
      }
    }
  }
  return out;
}
