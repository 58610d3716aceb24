/**
 * onnxruntime-node sessions, created once per model and shared by every caller in the process.
 * This is the "model store" a plugin receives: `store.faceModel('facemesh')` converts (or reads
 * the cached conversion of) the pretrained face model and returns a ready InferenceSession.
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { CHUNKS_IN_FLIGHT } from './chunked-calls.ts';
import { errors } from '../errors/index.ts';
import { ortWorkersInvalid } from '../errors/messages.ts';
import { type FaceModelName, faceModelOnnx, humanModelsDir } from './face-model-sources.ts';
import { ModelCache } from './model-cache.ts';
import { chooseOrtProvider, providerSessionOptions, type DeviceRequest, type ProviderChoice } from './ort-provider.ts';
import { WorkerSessionPool } from './worker-sessions.ts';

/** Execution device for onnxruntime (`--device`): see ort-provider.ts for what auto picks. */
export type OrtDevice = DeviceRequest;

/** Options of `OnnxSessionStore`. */
export interface SessionStoreOptions {
  /** `--device`; default 'cpu'. 'webgpu' without an adapter fails with ORT_WEBGPU_UNAVAILABLE. */
  device?: OrtDevice;
  /** Called once with the provider chosen (the host logs it at debug level). */
  onProvider?: (choice: ProviderChoice) => void;
  /** onnxruntime intra-op threads; default: onnxruntime's choice (one per physical core). */
  intraOpNumThreads?: number;
  /**
   * Worker threads that run the sessions of `get`/`faceModel` on the CPU EP, started as concurrent
   * calls need them; 0 runs them on the calling thread. Default `VISAGE_ORT_WORKERS`, else
   * `defaultOrtWorkers()` (2): onnxruntime-node runs `session.run` synchronously on the calling
   * thread, which made the JS thread the bottleneck of `pipeline run` (README, "Front end").
   */
  workers?: number;
  /** Cache for converted models; default `new ModelCache()` (VISAGE_CACHE_DIR aware). */
  cache?: ModelCache;
  /** Folder with the TFJS face models; default the installed @vladmandic/human `models/`. */
  faceModelsDir?: string;
}

/** Memoising store of onnxruntime sessions. */
export class OnnxSessionStore {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly faceHashes = new Map<FaceModelName, string>();
  readonly cache: ModelCache;
  readonly device: OrtDevice;
  private choice: Promise<ProviderChoice> | undefined;
  private chosen: ProviderChoice | undefined;
  private readonly pool: WorkerSessionPool | null;
  /** Worker threads for the sessions on the CPU EP (0: on the calling thread). */
  readonly workers: number;

  constructor(private readonly options: SessionStoreOptions = {}) {
    this.cache = options.cache ?? new ModelCache();
    this.device = options.device ?? 'cpu';
    this.workers = options.workers ?? ortWorkers();
    this.pool = this.workers > 0 ? new WorkerSessionPool(this.workers) : null;
  }

  /** The execution provider of this store's sessions, decided on first call (auto probes for a GPU). */
  provider(): Promise<ProviderChoice> {
    this.choice ??= chooseOrtProvider(this.device).then((c) => {
      this.chosen = c;
      this.options.onProvider?.(c);
      return c;
    });
    return this.choice;
  }

  /** The provider chosen so far; undefined before any session was created. */
  get chosenProvider(): ProviderChoice | undefined {
    return this.chosen;
  }

  /** onnxruntime session options for every session of this store (and for plugins opening their own ONNX files). */
  async sessionOptions(): Promise<ort.InferenceSession.SessionOptions> {
    const { provider } = await this.provider();
    return {
      ...providerSessionOptions(provider),
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: clips in flight, ffmpeg and the JS thread
      // need those cores. Spinning cost 1.24 CPU-s per clip in bench:frontend on a loaded 2-core
      // machine against 0.79 without, for the same results and a higher clips/s.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(this.options.intraOpNumThreads !== undefined && { intraOpNumThreads: this.options.intraOpNumThreads }),
    };
  }

  /**
   * The session for `key`, created from `load()` on first use. Concurrent callers share one. On
   * the CPU EP its calls run in the worker pool (GPU EPs do their work off the CPU already).
   */
  get(key: string, load: () => Promise<Uint8Array>): Promise<ort.InferenceSession> {
    let session = this.sessions.get(key);
    if (!session) {
      session = Promise.all([load(), this.sessionOptions(), this.provider()]).then(([bytes, options, { provider }]) =>
        this.pool && provider === 'cpu'
          // The workers are the parallelism: the cores shared among them (one intra-op thread
          // each on 2 cores). onnxruntime's CPU arena stays on (without it every run faulted in
          // fresh pages: 1100-6000 minor faults per round of the four face models against 50, and
          // 4-15% more CPU), but without memory patterns: a pattern is one block per input shape
          // that the arena keeps, which took peak RSS from about 440 to 520 MiB in bench:frontend.
          // Arena without patterns reuses freed blocks instead (README, "Face models and plumbing
          // per clip").
          ? this.pool.open(key, bytes, { intraOpNumThreads: threadsPerWorkerSession(this.workers), enableMemPattern: false, ...options })
          : ort.InferenceSession.create(bytes, options));
      // A failed load must not poison the store: the next call retries.
      session.catch(() => this.sessions.delete(key));
      this.sessions.set(key, session);
    }
    return session;
  }

  /** The session of a pretrained face model (converted from TFJS and cached on first use). */
  faceModel(name: FaceModelName): Promise<ort.InferenceSession> {
    return this.get(`face:${name}`, async () => {
      const onnx = await faceModelOnnx(name, this.cache, this.options.faceModelsDir ?? humanModelsDir());
      this.faceHashes.set(name, onnx.sourceSha256);
      return onnx.bytes;
    });
  }

  /** sha256 of a loaded face model's source (for feature-cache keys); undefined before loading. */
  faceModelHash(name: FaceModelName): string | undefined {
    return this.faceHashes.get(name);
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s.catch(() => null))?.release()));
    await this.pool?.terminate();
  }
}

/**
 * Worker threads for a store's sessions when neither `workers` nor VISAGE_ORT_WORKERS says: one per
 * chunk a model call site keeps in flight (chunked-calls.ts), at most one per core.
 */
export function defaultOrtWorkers(cores = os.availableParallelism()): number {
  return Math.min(CHUNKS_IN_FLIGHT, cores);
}

/** Intra-op threads of each CPU session in `workers` worker threads: the cores shared among them. */
export function threadsPerWorkerSession(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/** The intra-op threads a session gets without --model-threads, in words (the host's debug line). */
export function defaultThreadsText(provider: string, workers: number): string {
  return provider === 'cpu' && workers > 0 ? `${threadsPerWorkerSession(workers)} (cores ÷ ${workers} worker threads)` : "onnxruntime's default";
}

/** Worker threads for a store's sessions unless its options say: VISAGE_ORT_WORKERS, else the default. */
export function ortWorkers(): number {
  return workersFromEnv() ?? defaultOrtWorkers();
}

/** VISAGE_ORT_WORKERS: worker threads for the store's sessions (unset: undefined, the default). */
function workersFromEnv(value = process.env.VISAGE_ORT_WORKERS): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw ortWorkersInvalid(value);
  return Number(value);
}

/** Cumulative onnxruntime time per model name in this process (for timings and benchmarks). */
export const modelRunStats = new Map<string, { calls: number; ms: number }>();

/**
 * Runs a session, wraps onnxruntime failures as MODEL_RUN_FAILED, and adds the call's wall time
 * to `modelRunStats`.
 */
export async function runSession(
  session: ort.InferenceSession,
  model: string,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const t0 = performance.now();
  try {
    return await session.run(feeds);
  } catch (e) {
    throw Object.assign(errors.modelRunFailed(model, (e as Error).message), { cause: e });
  } finally {
    const stat = modelRunStats.get(model) ?? { calls: 0, ms: 0 };
    stat.calls++;
    stat.ms += performance.now() - t0;
    modelRunStats.set(model, stat);
  }
}
