/** Options shared by every command that builds a host or resolves a preset. */
import { Command, Option } from 'commander';
import { createHost, type Host } from '../host/host.ts';
import type { PresetRequest } from '../config/resolve-preset.ts';
import { DEFAULT_LIMITS } from '../pipeline/pipeline.ts';
import { parseIntIn, parseSecondsAsMs } from './option-parsers.ts';
import { modelThreadsFor, type ModelThreadsRequest } from '../models/model-threads.ts';

/** `--model-threads auto|N`. */
const parseModelThreads = (value: string): ModelThreadsRequest => (String(value).trim() === 'auto' ? 'auto' : parseIntIn('--model-threads', 0, 256)(value));

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
    .addOption(new Option('--device <device>', "device for onnxruntime's models and the compute engine: auto (webgpu on a GPU, else cpu), cpu, or webgpu (an error when no adapter starts)").choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .addOption(new Option('--model-threads <n>', "onnxruntime threads per model session: 0 for onnxruntime's default (one per physical core), a number, or auto (cores / clips in flight, at least 1)")
      .argParser(parseModelThreads).default(0))
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
  modelThreads: ModelThreadsRequest;
  cacheDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** ms (parsed from seconds). */
  stageTimeout: number;
  activationTimeout: number;
  preset?: string;
  config?: string;
  set: string[];
}

/** The host of a command that runs `clipsInFlight` clips at once (`--jobs`, `--concurrency`). */
export function hostFromFlags(o: HostFlagValues, clipsInFlight = 1): Host {
  const modelThreads = modelThreadsFor(o.modelThreads ?? 0, clipsInFlight);
  return createHost({ pluginDirs: o.pluginDir, modelsDir: o.models, device: o.device, modelThreads, cacheDir: o.cacheDir, logLevel: o.logLevel, stageTimeoutMs: o.stageTimeout, activationTimeoutMs: o.activationTimeout });
}

export function presetRequest(o: HostFlagValues): PresetRequest {
  return { preset: o.preset, configFile: o.config, set: o.set };
}
