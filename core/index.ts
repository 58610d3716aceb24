/** Embedding API for applications: create a host, resolve presets, run pipelines. */
export { createHost, Host, defaultCacheDir } from './host/host.ts';
export type { HostOptions } from './host/host-options.ts';
export type { ResolvedPreset, PresetRequest } from './config/resolve-preset.ts';
export type { Pipeline, RunOptions } from './pipeline/pipeline.ts';
export { StageProfiler } from './pipeline/stage-profiler.ts';
export * from './api.ts';
