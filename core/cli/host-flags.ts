/** Options shared by every command that builds a host or resolves a preset. */
import { Command, Option } from 'commander';
import { createHost, type Host } from '../host/host.ts';
import type { PresetRequest } from '../config/resolve-preset.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addPresetFlags(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'preset to run (default: embedded)')
    .option('--config <file>', 'a pipeline.json layered on top of the preset')
    .option('--set <path=value>', 'override one preset value, e.g. stages.levels.expression.weight=0.5 (repeatable)', collect, []);
}

export function addHostFlags(cmd: Command): Command {
  return cmd
    .option('--plugin-dir <dir>', 'extra folder with plugins, or a plugin folder (repeatable)', collect, [])
    .option('--models <dir>', 'folder with user-supplied models (e.g. CLIP ONNX exports)')
    .addOption(new Option('--device <device>', 'compute device').choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .option('--cache-dir <dir>', 'cache for converted models and features (default ~/.cache/visage or $VISAGE_CACHE_DIR)')
    .addOption(new Option('--log-level <level>', 'log verbosity on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'));
}

export interface HostFlagValues {
  pluginDir: string[];
  models?: string;
  device: 'auto' | 'cpu' | 'webgpu';
  cacheDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  preset?: string;
  config?: string;
  set: string[];
}

export function hostFromFlags(o: HostFlagValues): Host {
  return createHost({ pluginDirs: o.pluginDir, modelsDir: o.models, device: o.device, cacheDir: o.cacheDir, logLevel: o.logLevel });
}

export function presetRequest(o: HostFlagValues): PresetRequest {
  return { preset: o.preset, configFile: o.config, set: o.set };
}
