/**
 * The loaded set of plugins and what they contribute. Built from manifests alone (lazy activation:
 * no plugin module is imported here). A broken plugin is recorded as failed with its reason and the
 * others still load; dependents of a failed plugin fail with the root cause in their reason.
 */
import path from 'node:path';
import { PROVIDER_POINTS, pluginIdOf, readManifest, type ManifestProblem, type PluginManifest, type ProviderPoint } from '../manifest/index.ts';
import type { LevelContribution, ProviderContribution } from '../manifest/plugin-manifest.ts';
import type { FoundPlugin, PluginSource } from './discover.ts';

export interface PluginRecord {
  id: string;
  folder: string;
  source: PluginSource;
  status: 'loaded' | 'failed';
  /** Version from package.json, also for a plugin that failed validation (when readable). */
  version?: string;
  manifest?: PluginManifest;
  problems: ManifestProblem[];
  /** Why it failed, one line. */
  reason?: string;
}

export interface ProviderEntry {
  /** `publisher.name/local-id` */
  fullId: string;
  point: ProviderPoint;
  plugin: PluginRecord;
  contribution: ProviderContribution & Partial<LevelContribution>;
}

export interface PresetEntry {
  /** Preset name as used by `--preset`. */
  name: string;
  file: string;
  plugin: PluginRecord;
  description?: string;
}

export class PluginRegistry {
  readonly plugins: PluginRecord[] = [];
  private readonly providers = new Map<string, ProviderEntry>();
  private readonly presets = new Map<string, PresetEntry>();

  constructor(found: FoundPlugin[]) {
    for (const f of found) this.plugins.push(this.record(f));
    this.failDependencyCycles();
    this.failBrokenDependencies();
    for (const p of this.loaded()) this.index(p);
  }

  loaded(): PluginRecord[] {
    return this.plugins.filter((p) => p.status === 'loaded');
  }

  failed(): PluginRecord[] {
    return this.plugins.filter((p) => p.status === 'failed');
  }

  plugin(id: string): PluginRecord | undefined {
    return this.plugins.find((p) => p.id === id && p.status === 'loaded');
  }

  provider(fullId: string): ProviderEntry | undefined {
    return this.providers.get(fullId);
  }

  /** All providers for a stage point, in discovery order. */
  providersOf(point: ProviderPoint): ProviderEntry[] {
    return [...this.providers.values()].filter((p) => p.point === point);
  }

  preset(name: string): PresetEntry | undefined {
    return this.presets.get(name);
  }

  presetNames(): string[] {
    return [...this.presets.keys()].sort();
  }

  private record(f: FoundPlugin): PluginRecord {
    const read = readManifest(f.folder);
    const errors = read.problems.filter((p) => p.severity === 'error');
    const id = errors[0]?.plugin ?? pluginIdOf(read.raw) ?? path.basename(f.folder);
    const rawVersion = (read.raw as { version?: unknown } | undefined)?.version;
    const base = { id, folder: f.folder, source: f.source, problems: read.problems, version: typeof rawVersion === 'string' ? rawVersion : undefined };
    if (!read.manifest || errors.length) {
      const first = errors[0];
      return { ...base, status: 'failed', reason: first ? `${first.message} (at ${first.pointer || '/'})` : 'invalid manifest' };
    }
    if (this.plugins.some((p) => p.id === id && p.status === 'loaded')) {
      const other = this.plugins.find((p) => p.id === id)!;
      return { ...base, status: 'failed', reason: `duplicate plugin id ${id}; already loaded from ${other.folder}` };
    }
    return { ...base, status: 'loaded', manifest: read.manifest };
  }

  /**
   * Plugins on a pluginDependencies cycle fail: neither can load first (VS Code refuses such
   * extensions too), and activation in dependency order would never end.
   */
  private failDependencyCycles(): void {
    const done = new Set<string>();
    const visit = (id: string, path: string[]): void => {
      const at = path.indexOf(id);
      if (at >= 0) {
        const cycle = [...path.slice(at), id];
        for (const member of path.slice(at)) {
          const p = this.plugins.find((q) => q.id === member && q.status === 'loaded');
          if (!p) continue;
          p.status = 'failed';
          p.reason = `dependency cycle: ${cycle.join(' -> ')}`;
        }
        return;
      }
      if (done.has(id)) return;
      const p = this.plugins.find((q) => q.id === id && q.status === 'loaded');
      for (const dep of p?.manifest!.pluginDependencies ?? []) visit(dep, [...path, id]);
      done.add(id);
    };
    for (const p of this.loaded()) visit(p.id, []);
  }

  /** Repeats until stable, so a chain A <- B <- C reports C failing because B failed because A failed. */
  private failBrokenDependencies(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const p of this.loaded()) {
        for (const dep of p.manifest!.pluginDependencies ?? []) {
          const target = this.plugins.find((q) => q.id === dep);
          if (target?.status === 'loaded') continue;
          p.status = 'failed';
          p.reason = target ? `dependency ${dep} failed: ${target.reason}` : `dependency ${dep} is not installed`;
          changed = true;
          break;
        }
      }
    }
  }

  private index(p: PluginRecord): void {
    const c = p.manifest!.contributes ?? {};
    for (const point of Object.keys(PROVIDER_POINTS) as ProviderPoint[]) {
      for (const contribution of c[point] ?? []) {
        const fullId = `${p.id}/${contribution.id}`;
        this.providers.set(fullId, { fullId, point, plugin: p, contribution });
      }
    }
    for (const preset of c.presets ?? []) {
      if (this.presets.has(preset.id)) {
        p.problems.push({ severity: 'warning', plugin: p.id, pointer: '/contributes/presets', message: `preset "${preset.id}" is already contributed by ${this.presets.get(preset.id)!.plugin.id}; this one is ignored`, hint: 'rename the preset' });
        continue;
      }
      this.presets.set(preset.id, { name: preset.id, file: path.resolve(p.folder, preset.path), plugin: p, description: preset.description });
    }
  }
}
