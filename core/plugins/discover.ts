/**
 * Finds plugin folders: the built-in ones shipped with Visage, npm packages in node_modules whose
 * package.json declares `engines.visage`, and folders given with `--plugin-dir` (a plugin folder,
 * or a folder of plugin folders). Reads nothing but package.json files: no plugin code runs here.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type PluginSource = 'builtin' | 'node_modules' | 'plugin-dir';

export interface FoundPlugin {
  folder: string;
  source: PluginSource;
}

/** Repo root of this Visage installation (core/ lives directly below it). */
export const VISAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface DiscoverOptions {
  /** Folders searched for node_modules plugins; defaults to the working directory and the Visage root. */
  projectDirs?: string[];
  pluginDirs?: string[];
  /** Leave out the plugins shipped with Visage (for tests of the loader itself). */
  builtins?: boolean;
}

export function discoverPlugins(opts: DiscoverOptions = {}): FoundPlugin[] {
  const found: FoundPlugin[] = [];
  const seen = new Set<string>();
  const add = (folder: string, source: PluginSource) => {
    const real = realpathSync(folder);
    if (seen.has(real)) return; // workspaces symlink built-ins into node_modules
    seen.add(real);
    found.push({ folder: real, source });
  };

  if (opts.builtins !== false) {
    add(path.join(VISAGE_ROOT, 'core', 'builtin'), 'builtin');
    for (const dir of subfolders(path.join(VISAGE_ROOT, 'plugins'))) if (hasManifest(dir)) add(dir, 'builtin');
  }
  for (const dir of opts.pluginDirs ?? []) {
    const abs = path.resolve(dir);
    if (hasManifest(abs)) add(abs, 'plugin-dir');
    else for (const sub of subfolders(abs)) if (hasManifest(sub)) add(sub, 'plugin-dir');
  }
  for (const project of opts.projectDirs ?? [process.cwd(), VISAGE_ROOT]) {
    for (const pkg of nodeModulesPackages(path.join(project, 'node_modules'))) if (isVisagePlugin(pkg)) add(pkg, 'node_modules');
  }
  return found;
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() || d.isSymbolicLink())
    .map((d) => path.join(dir, d.name))
    .sort();
}

function hasManifest(dir: string): boolean {
  return existsSync(path.join(dir, 'package.json'));
}

function nodeModulesPackages(nm: string): string[] {
  const out: string[] = [];
  for (const dir of subfolders(nm)) {
    const name = path.basename(dir);
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) out.push(...subfolders(dir));
    else out.push(dir);
  }
  return out;
}

/** A package is a Visage plugin when its package.json names `engines.visage` (even if otherwise invalid). */
function isVisagePlugin(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    const text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    return /"visage"\s*:/.test(text) && JSON.parse(text)?.engines?.visage !== undefined;
  } catch {
    // An unparsable package.json in node_modules that mentions visage is still reported as a broken plugin.
    try {
      return /"engines"[\s\S]*"visage"/.test(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    } catch {
      return false;
    }
  }
}
