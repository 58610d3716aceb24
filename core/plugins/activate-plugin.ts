/**
 * Imports a plugin's `main` and calls `activate(ctx)`. This is the only place plugin code is loaded,
 * and it runs only for plugins the resolved preset uses (lazy activation).
 */
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
  const main = plugin.manifest!.main;
  let mod: Partial<PluginModule> & { default?: Partial<PluginModule> };
  try {
    mod = await import(pathToFileURL(path.resolve(plugin.folder, main)).href);
  } catch (e) {
    throw errors.pluginActivationFailed(plugin.id, `cannot import ${main}: ${(e as Error).message}`, e);
  }
  const m = typeof mod.activate === 'function' ? mod : mod.default;
  if (!m || typeof m.activate !== 'function') throw errors.pluginEntryInvalid(plugin.id, main);
  try {
    await m.activate(ctx);
  } catch (e) {
    if (e instanceof VisageError) throw e;
    throw errors.pluginActivationFailed(plugin.id, (e as Error).message ?? String(e), e);
  }
  return m as PluginModule;
}
