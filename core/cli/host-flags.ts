/** Options shared by every command that builds a host or resolves a preset. */
import { Command, Option } from 'commander';
import { createHost, type Host } from '../host/host.ts';
import type { PresetRequest } from '../config/resolve-preset.ts';
import { DEFAULT_LIMITS } from '../pipeline/pipeline.ts';
import { parseSecondsAsMs } from './option-parsers.ts';

/** Commander parser of a repeatable option: every occurrence adds one value. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

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
    .addOption(new Option('--log-level <level>', 'log verbosity on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']).default('warn'))
    .addOption(new Option('--stage-timeout <seconds>', 'time limit on one provider call; a clip that exceeds it gets a STAGE_TIMEOUT row (0: none)')
      .argParser(parseSecondsAsMs('--stage-timeout')).default(DEFAULT_LIMITS.stageMs, `${DEFAULT_LIMITS.stageMs / 1000}`))
    .addOption(new Option('--activation-timeout <seconds>', "time limit on one plugin's activate() (0: none)")
      .argParser(parseSecondsAsMs('--activation-timeout')).default(DEFAULT_LIMITS.activationMs, `${DEFAULT_LIMITS.activationMs / 1000}`));
}

export interface HostFlagValues {
  pluginDir: string[];
  models?: string;
  device: 'auto' | 'cpu' | 'webgpu';
  cacheDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** ms (parsed from seconds). */
  stageTimeout: number;
  activationTimeout: number;
  preset?: string;
  config?: string;
  set: string[];
}

export function hostFromFlags(o: HostFlagValues): Host {
  return createHost({ pluginDirs: o.pluginDir, modelsDir: o.models, device: o.device, cacheDir: o.cacheDir, logLevel: o.logLevel, stageTimeoutMs: o.stageTimeout, activationTimeoutMs: o.activationTimeout });
}

export function presetRequest(o: HostFlagValues): PresetRequest {
  return { preset: o.preset, configFile: o.config, set: o.set };
}
