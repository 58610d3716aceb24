/**
 * Turns `--preset`, `--config` and `--set` into one validated, fully resolved pipeline: which provider
 * serves each stage, which levels run in which order, every option with its defaults, and the layer each
 * value came from. Loads no plugin code and no model, so `pipeline explain` is instant.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as errors from '../errors/messages.ts';
import { STAGES, STAGE_NAMES, stageOf, stageOfPoint, type ProviderPoint, type Stage, type StageName } from '../pipeline/stages.ts';
import type { PluginRegistry, ProviderEntry } from '../plugins/plugin-registry.ts';
import { mergeLayers, setOverridesLayer, type Layer, type Origins } from './layers.ts';
import { validateOptions } from './options-validator.ts';
import { PRESET_SCHEMA } from './preset-schema.ts';
import { orderLevels } from './order-levels.ts';
import { checkPromptRoles } from './prompt-roles.ts';
import { readJsonFile } from './read-json-file.ts';
import { VisageError } from '../errors/visage-error.ts';

export const DEFAULT_PRESET = 'embedded';
export const DEFAULT_FRAMES = 16;

export interface ResolvedProvider {
  use: string;
  plugin: string;
  pluginVersion: string;
  options: Record<string, unknown>;
}

export interface ResolvedLevel extends ResolvedProvider {
  slot: string;
  weight: number;
  needs: string[];
  /** What the level feeds the fusion, from its contribution: class scores, embeddings, or nothing. */
  feeds: 'scores' | 'embeddings' | 'none';
}

/** The stages served by one provider each (all but levels); prompts is optional, so a preset may leave it out. */
type SingleStage = Exclude<StageName, 'levels'>;
type OptionalStage = Extract<Stage, { required: false }>['name'];
type SingleStageProviders = { [S in Exclude<SingleStage, OptionalStage>]: ResolvedProvider } & { [S in OptionalStage]?: ResolvedProvider };

export type ResolvedPreset = SingleStageProviders & {
  name: string;
  /** Layer names, base first. */
  layers: string[];
  frames: number;
  classes?: string[];
  /** Enabled levels in dependency order. */
  levels: ResolvedLevel[];
  disabledLevels: string[];
  /** Validated plugin-wide configuration of every plugin the preset uses. */
  pluginConfig: Record<string, Record<string, unknown>>;
  /** Dotted path -> layer name, including '(default)' for schema defaults. */
  origins: Origins;
};

export interface PresetRequest {
  preset?: string;
  configFile?: string;
  set?: string[];
}

let presetValidator: ValidateFunction | undefined;

export function resolvePreset(registry: PluginRegistry, req: PresetRequest = {}): ResolvedPreset {
  const layers = collectLayers(registry, req);
  const { value, origins } = mergeLayers(layers);
  presetValidator ??= new Ajv2020({ allErrors: false, strict: true }).compile(PRESET_SCHEMA);
  if (!presetValidator(value)) {
    const e = presetValidator.errors![0];
    const extra = (e.params as { additionalProperty?: string }).additionalProperty;
    const pointer = e.instancePath + (extra ? `/${extra}` : '');
    const layer = origins.get(pointer.slice(1).replaceAll('/', '.'));
    throw errors.presetInvalid(pointer, extra ? `unknown key "${extra}"` : `${e.instancePath || 'preset'} ${e.message}`, hintFor(pointer, extra), layer);
  }
  const v = value as PresetShape;
  const stages = v.stages ?? {};
  const name = v.name ?? layers[layers.length - 1].name;
  const single: Partial<Record<SingleStage, ResolvedProvider>> = {};
  for (const { name: stage, point, required } of STAGES) {
    if (stage === 'levels') continue;
    const ref = stages[stage];
    if (ref) single[stage] = provider(registry, point, ref.use, ref.options, `/stages/${stage}`, origins);
    else if (required) throw errors.presetInvalid(`/stages/${stage}`, `the preset selects no ${stage} provider`, `add stages.${stage}.use, e.g. --set stages.${stage}.use=${registry.providersOf(point)[0]?.fullId ?? 'publisher.plugin/id'}`);
  }

  const levels: ResolvedLevel[] = [];
  const disabledLevels: string[] = [];
  for (const [slot, ref] of Object.entries(stages.levels ?? {})) {
    if (ref.enabled === false) {
      disabledLevels.push(slot);
      continue;
    }
    const use = ref.use ?? defaultLevelProvider(registry, slot);
    const p = provider(registry, 'levels', use, ref.options, `/stages/levels/${slot}`, origins);
    const entry = registry.provider(use)!;
    // A level that gives the fusion nothing to weigh defaults to weight 0; a non-zero weight there would do nothing, so it is refused.
    const feeds = entry.contribution.scores === true ? 'scores' : entry.contribution.embeddings === true ? 'embeddings' : 'none';
    if (feeds === 'none' && ref.weight !== undefined && ref.weight !== 0) throw errors.levelWeightWithoutScores(slot, use, ref.weight);
    levels.push({ ...p, slot, weight: ref.weight ?? (feeds === 'none' ? 0 : 1), needs: entry.contribution.needs ?? [], feeds });
    if (ref.weight === undefined) origins.set(`stages.levels.${slot}.weight`, '(default)');
  }
  if (levels.length === 0) throw errors.presetInvalid('/stages/levels', 'the preset enables no level', 'enable at least one level, e.g. --set stages.levels.expression.enabled=true');

  const resolved: ResolvedPreset = {
    ...(single as SingleStageProviders),
    name,
    layers: layers.map((l) => l.name),
    frames: v.frames ?? DEFAULT_FRAMES,
    classes: v.classes,
    levels: orderLevels(levels),
    disabledLevels,
    pluginConfig: {},
    origins,
  };
  if (v.frames === undefined) origins.set('frames', '(default)');
  checkPromptRoles(registry, resolved.prompts, resolved.fusion);
  for (const id of usedPlugins(registry, resolved)) {
    const schema = registry.plugin(id)!.manifest!.contributes?.configuration;
    const { value: cfg, defaulted } = validateOptions(schema, v.plugins?.[id], `/plugins/${id}`);
    for (const d of defaulted) origins.set(`plugins.${id}.${d}`, '(default)');
    resolved.pluginConfig[id] = cfg;
  }
  return resolved;
}

export interface SelectedProvider {
  stage: StageName;
  provider: ResolvedProvider;
  path: string;
}

/**
 * Each provider the preset selects, with its stage and its dotted path in the preset
 * (`stages.fusion`, `stages.levels.<slot>`), in run order; the levels in dependency order.
 */
export function selectedProviders(preset: ResolvedPreset): SelectedProvider[] {
  return STAGES.flatMap(({ name: stage }): SelectedProvider[] => {
    if (stage === 'levels') return preset.levels.map((l) => ({ stage, provider: l, path: `stages.levels.${l.slot}` }));
    const one = preset[stage];
    return one ? [{ stage, provider: one, path: `stages.${stage}` }] : [];
  });
}

/**
 * The activation events a preset fires (VS Code's model): `*`, `onStage:<stage>` for each stage it
 * serves, and `<event>:<publisher.name/id>` for each provider it selects (the STAGES table names the event).
 */
export function activationEvents(preset: ResolvedPreset): Set<string> {
  const events = new Set(['*']);
  for (const { stage, provider } of selectedProviders(preset)) {
    events.add(`onStage:${stage}`);
    events.add(`${stageOf(stage).event}:${provider.use}`);
  }
  return events;
}

/**
 * Every plugin the preset activates, plus their pluginDependencies, transitively: the plugins
 * serving its providers (the events their contributions imply, so no contribution point needs to
 * generate them), then those whose manifest `activationEvents` name an event the preset fires.
 */
export function usedPlugins(registry: PluginRegistry, preset: ResolvedPreset): string[] {
  const out = new Set<string>();
  const visit = (id: string) => {
    if (out.has(id)) return;
    out.add(id);
    for (const dep of registry.plugin(id)?.manifest?.pluginDependencies ?? []) visit(dep);
  };
  for (const { provider } of selectedProviders(preset)) visit(provider.plugin);
  const fired = activationEvents(preset);
  for (const p of registry.loaded()) if (p.manifest!.activationEvents?.some((e) => fired.has(e))) visit(p.id);
  return [...out];
}

interface PresetShape {
  name?: string;
  frames?: number;
  classes?: string[];
  stages?: { [S in SingleStage]?: { use: string; options?: object } } & {
    levels?: Record<string, { use?: string; enabled?: boolean; weight?: number; options?: object }>;
  };
  plugins?: Record<string, object>;
}

function provider(registry: PluginRegistry, point: ProviderPoint, use: string, options: object | undefined, pointer: string, origins: Origins): ResolvedProvider {
  const entry: ProviderEntry | undefined = registry.provider(use);
  if (!entry || entry.point !== point) {
    const pluginId = use.split('/')[0];
    const failed = registry.failed().find((p) => p.id === pluginId);
    throw errors.providerNotFound(`${pointer}/use`, use, stageOfPoint(point).noun, registry.providersOf(point).map((p) => p.fullId), failed ? `plugin ${pluginId} failed to load: ${failed.reason}` : entry ? `it is a ${stageOfPoint(entry.point).noun} provider` : undefined);
  }
  const { value, defaulted } = validateOptions(entry.contribution.options, options, `${pointer}/options`);
  const dotted = pointer.slice(1).replaceAll('/', '.');
  for (const d of defaulted) origins.set(`${dotted}.options.${d}`, '(default)');
  return { use, plugin: entry.plugin.id, pluginVersion: entry.plugin.manifest!.version, options: value };
}

function defaultLevelProvider(registry: PluginRegistry, slot: string): string {
  const candidates = registry.providersOf('levels').filter((p) => p.contribution.id === slot).map((p) => p.fullId);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) throw errors.levelAmbiguous(slot, candidates);
  throw errors.providerNotFound(`/stages/levels/${slot}/use`, slot, stageOfPoint('levels').noun, registry.providersOf('levels').map((p) => p.fullId), 'no provider has this id; name one with "use"');
}

/** Caps on `extends`: deep chains would overflow the stack, and diamonds grow exponentially. */
export const MAX_EXTENDS_DEPTH = 32;
export const MAX_PRESET_LAYERS = 256;

function collectLayers(registry: PluginRegistry, req: PresetRequest): Layer[] {
  const layers: Layer[] = [];
  const visiting: string[] = [];
  let expanded = 0;
  const expand = (ref: string, fromDir: string) => {
    if (visiting.length >= MAX_EXTENDS_DEPTH || ++expanded > MAX_PRESET_LAYERS) {
      const chain = visiting.map((f) => path.basename(f));
      const detail = visiting.length >= MAX_EXTENDS_DEPTH
        ? `${chain.slice(0, 2).join(' -> ')} -> ... -> ${chain[chain.length - 1]} -> ${ref} is over ${MAX_EXTENDS_DEPTH} levels`
        : `over ${MAX_PRESET_LAYERS} layers in all (reached at ${ref}, extended by ${chain[chain.length - 1] ?? 'the request'})`;
      throw errors.presetExtendsTooDeep(detail, MAX_EXTENDS_DEPTH, MAX_PRESET_LAYERS);
    }
    const { file, name } = presetFile(registry, ref, fromDir);
    if (visiting.includes(file)) throw errors.presetCycle([...visiting.map((f) => path.basename(f)), path.basename(file)]);
    visiting.push(file);
    const data = readJson(file);
    const ext = data.extends;
    for (const parent of typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext : []) expand(String(parent), path.dirname(file));
    layers.push({ name, data });
    visiting.pop();
  };
  const configData = req.configFile ? readJson(path.resolve(req.configFile)) : undefined;
  if (req.preset || !configData?.extends) expand(req.preset ?? DEFAULT_PRESET, process.cwd());
  if (req.configFile) expand(req.configFile, process.cwd());
  if (req.set?.length) {
    try {
      layers.push(setOverridesLayer(req.set, registry.loaded().map((p) => p.id)));
    } catch (e) {
      if (e instanceof VisageError) throw e;
      throw errors.setOverrideInvalid(req.set.join(' '), (e as Error).message);
    }
  }
  return layers;
}

function readJson(file: string): Record<string, unknown> {
  const v = readJsonFile(file, { jsonc: true, what: 'preset' });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw errors.presetFileUnreadable(file, 'not a JSON object');
  return v as Record<string, unknown>;
}

/**
 * A preset reference is a contributed preset's name, a pipeline.json file, or a folder holding one.
 * A name wins over a same-named relative path only when it has no path syntax.
 */
function presetFile(registry: PluginRegistry, ref: string, fromDir: string): { file: string; name: string } {
  const local = path.resolve(fromDir, ref);
  const looksLikePath = /^[./~]|[\\/]|\.jsonc?$/.test(ref);
  if (!looksLikePath && registry.preset(ref)) return { file: registry.preset(ref)!.file, name: `preset:${ref} (${registry.preset(ref)!.plugin.id})` };
  if (existsSync(local)) {
    const file = statSync(local).isDirectory() ? path.join(local, 'pipeline.json') : local;
    if (!existsSync(file)) throw errors.presetFileUnreadable(local, 'the folder has no pipeline.json');
    return { file, name: `file:${path.relative(process.cwd(), file) || file}` };
  }
  if (looksLikePath) throw errors.presetFileUnreadable(local, 'no such file or folder');
  throw errors.presetNotFound(ref, registry.presetNames());
}

function hintFor(pointer: string, extra?: string): string {
  if (pointer === `/${extra}`) return 'top-level keys are: name, description, extends, frames, classes, stages, plugins';
  if (pointer.startsWith('/stages/') && pointer.split('/').length === 3) return `stages are: ${STAGE_NAMES.join(', ')}`;
  if (pointer.startsWith('/stages/levels/')) return 'a level entry has: use, enabled, weight, options';
  return 'see the preset format in README (Presets)';
}
