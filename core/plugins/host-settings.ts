/** Host settings a plugin (and a contributed command) may read. */
export interface HostSettings {
  /** Where converted models and other derived files are cached. */
  cacheDir: string;
  /** User-supplied models folder (`--models`), if any. */
  modelsDir?: string;
  /** Compute device requested with `--device`. */
  device: 'auto' | 'cpu' | 'webgpu';
  /** onnxruntime intra-op threads per model session (`--model-threads`); undefined: onnxruntime's default. */
  modelThreads?: number;
}
