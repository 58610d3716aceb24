import type { LogLevel } from '../logging/logger.ts';

export interface HostOptions {
  /** Extra plugin folders (`--plugin-dir`). */
  pluginDirs?: string[];
  /** Folders whose node_modules are searched for plugins; default: cwd and the Visage root. */
  projectDirs?: string[];
  /** Include the plugins shipped with Visage (default true). */
  builtins?: boolean;
  logLevel?: LogLevel;
  /** Sink for log lines (default stderr). */
  logSink?: (line: string) => void;
  cacheDir?: string;
  modelsDir?: string;
  device?: 'auto' | 'cpu' | 'webgpu';
  /** onnxruntime intra-op threads per model session (`--model-threads`); undefined or 0: onnxruntime's default. */
  modelThreads?: number;
  /** Time limit on one provider call, ms (default 300 s; 0: none). */
  stageTimeoutMs?: number;
  /** Time limit on one plugin's activate(), ms (default 300 s; 0: none). */
  activationTimeoutMs?: number;
}
