/**
 * Imports a plugin's `main` and calls `activate(ctx)`. This is the only place plugin code is loaded,
 * and it runs only for plugins the resolved preset uses (lazy activation).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as errors from '../errors/messages.ts';
import { VisageError } from '../errors/visage-error.ts';
import type { PluginContext } from './plugin-context.ts';
import type { PluginRecord } from './plugin-registry.ts';

export interface PluginModule {
  activate(ctx: PluginContext): void | Promise<void>;
  deactivate?(): void | Promise<void>;
}

export async function activatePlugin(plugin: PluginRecord, ctx: PluginContext): Promise<PluginModule> {
  const m = await importPluginEntry(plugin.folder, plugin.manifest!.main, plugin.id);
  try {
    await m.activate(ctx);
  } catch (e) {
    if (e instanceof VisageError) throw e;
    throw errors.pluginActivationFailed(plugin.id, (e as Error).message ?? String(e), e);
  }
  return m as PluginModule;
}

type EntryModule = Partial<PluginModule> & { default?: Partial<PluginModule> };

/**
 * Imports a plugin's entry module and checks that it exports activate(). An import error names the
 * file and line: Node's ESM loader reports a syntax error without either, so the entry is then
 * checked with `node --check`, which does.
 */
export async function importPluginEntry(folder: string, main: string, pluginId: string): Promise<PluginModule> {
  const file = path.resolve(folder, main);
  let mod: EntryModule;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    // Loaders word syntax errors differently (Node: no file or line; vite: "invalid JS syntax"), so ask node --check.
    const where = syntaxErrorLocation(file);
    const detail = where ?? `cannot import ${main}: ${(e as Error).message}${e instanceof SyntaxError ? ` (in a module that ${main} imports)` : ''}`;
    throw errors.pluginActivationFailed(pluginId, detail, e);
  }
  const m = typeof mod.activate === 'function' ? mod : mod.default;
  if (!m || typeof m.activate !== 'function') throw errors.pluginEntryInvalid(pluginId, main);
  return m as PluginModule;
}

/** "file:line: SyntaxError: ...\n<the line>" from `node --check`, or undefined when the file itself parses. */
function syntaxErrorLocation(file: string): string | undefined {
  if (!/\.[cm]?js$/.test(file)) return undefined; // node --check reads JavaScript only
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0 || !r.stderr) return undefined;
  const lines = r.stderr.split('\n');
  const at = lines.findIndex((l) => /:\d+$/.test(l));
  const message = lines.find((l) => /^SyntaxError/.test(l));
  if (at < 0 || !message) return undefined;
  const loc = lines[at].replace(/^file:\/\//, '');
  return `${loc}: ${message}\n    ${lines[at + 1]?.trim() ?? ''}`;
}
