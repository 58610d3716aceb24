/**
 * onnxruntime sessions that run in worker threads. onnxruntime-node runs `session.run`
 * synchronously on the calling thread (inside a setImmediate), so on the main thread the model
 * calls of the clips in flight take turns with each other and with all other JS work (warps,
 * parsing, plumbing): `bench/frontend/js-thread-check.ts` shows two sessions' calls do not overlap.
 *
 * A `WorkerSessionPool` starts workers as calls need them, up to `size`: a call goes to an idle
 * worker, else a new one while under `size`, else the worker with the fewest calls queued. So
 * `--jobs 1` uses one worker and `--jobs 2` two. Each worker creates its own session of a model on
 * its first call, from the same bytes and session options. Workers keep the process alive only
 * while calls are pending; one that dies fails its pending calls and is replaced.
 *
 * On by default with 2 workers (OnnxSessionStore `workers`, VISAGE_ORT_WORKERS; 0 turns it off):
 * with a clip's model calls two chunks at a time (chunked-calls.ts), the JS thread of `--jobs 2`
 * went from 95% to about 50% busy in bench:frontend, at the same CPU per clip. Each worker keeps its
 * own sessions (110-150 MiB more RSS in all), and under heavy load every hand-over waits for the
 * scheduler (README, "Front end", for both).
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

type Feeds = ort.InferenceSession.FeedsType;
type Outputs = ort.InferenceSession.OnnxValueMapType;
interface WireTensor { type: ort.Tensor.Type; data: ort.Tensor.DataType; dims: readonly number[] }
interface Reply {
  id: number;
  error?: { message: string };
  names?: Pick<ort.InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata'>;
  outputs?: Record<string, WireTensor>;
}
interface Model { bytes: Uint8Array; options: ort.InferenceSession.SessionOptions }

const WORKER_URL = new URL('./session-worker.mjs', import.meta.url);

/** One worker thread and the calls it has not answered yet. */
class SessionWorker {
  private readonly worker = new Worker(WORKER_URL);
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; staged: SharedArrayBuffer[] }>();
  private readonly opened = new Map<string, Promise<Reply>>();
  private nextId = 0;
  /** Free input staging buffers by byte length (see `stage`). */
  private readonly staging = new Map<number, SharedArrayBuffer[]>();
  /** Runs asked of this worker and not finished (counted from the call, before the session opens). */
  private running = 0;
  /** False once the thread has exited (crashed or terminated): the pool replaces it. */
  alive = true;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const call = this.pending.get(r.id);
      this.pending.delete(r.id);
      this.unstage(call?.staged);
      if (this.pending.size === 0) this.worker.unref();
      if (r.error) call?.reject(new Error(r.error.message));
      else call?.resolve(r);
    });
    const failAll = (e: Error) => {
      // The staging buffers of these calls are not reused: the dead thread may still be reading them.
      for (const call of this.pending.values()) call.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => {
      this.alive = false;
      failAll(new Error(`onnxruntime worker thread exited (code ${code})`));
    });
  }

  get load(): number {
    return this.running;
  }

  private call(message: Record<string, unknown>, staged: SharedArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, staged });
      this.worker.ref();
      this.worker.postMessage({ id, ...message });
    });
  }

  /**
   * A copy of a numeric input in shared memory that this thread keeps and reuses, call after
   * call: the worker copies it out (onnxruntime-node refuses tensors on shared memory). A
   * structured clone allocated and copied each input twice; buffers transferred there and back
   * arrived here as new external memory on every reply (some 20 MB per clip in bench:frontend),
   * and that external memory made V8 run a full garbage collection about every clip. The caller
   * keeps its own array.
   */
  private stage(t: ort.Tensor, staged: SharedArrayBuffer[]): WireTensor {
    const data = t.data;
    if (!ArrayBuffer.isView(data)) return { type: t.type, data, dims: t.dims };
    const buffer = this.staging.get(data.byteLength)?.pop() ?? new SharedArrayBuffer(data.byteLength);
    new Uint8Array(buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    staged.push(buffer);
    const Typed = data.constructor as new (b: SharedArrayBuffer) => ort.Tensor.DataType;
    return { type: t.type, data: new Typed(buffer), dims: t.dims };
  }

  /** Takes back the staging buffers of an answered call (a few of each size: the calls in flight). */
  private unstage(buffers: SharedArrayBuffer[] = []): void {
    for (const b of buffers) {
      const list = this.staging.get(b.byteLength) ?? [];
      if (list.length < 4) list.push(b);
      this.staging.set(b.byteLength, list);
    }
  }

  /** Creates the session of `key` in this worker once; its input and output names. */
  open(key: string, model: Model): Promise<Reply> {
    let opened = this.opened.get(key);
    if (!opened) {
      opened = this.call({ op: 'open', key, bytes: model.bytes, options: model.options });
      opened.catch(() => this.opened.delete(key));
      this.opened.set(key, opened);
    }
    return opened;
  }

  async run(key: string, model: Model, feeds: Feeds): Promise<Outputs> {
    this.running++;
    try {
      await this.open(key, model);
      const wire: Record<string, WireTensor> = {};
      const staged: SharedArrayBuffer[] = [];
      for (const [name, t] of Object.entries(feeds)) wire[name] = this.stage(t, staged);
      const { outputs } = await this.call({ op: 'run', key, feeds: wire }, staged);
      const result: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(outputs!)) result[name] = new ort.Tensor(t.type, t.data as Float32Array, t.dims);
      return result;
    } finally {
      this.running--;
    }
  }

  async release(key: string): Promise<void> {
    if (!this.opened.delete(key)) return;
    await this.call({ op: 'release', key }).catch(() => undefined);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Worker threads shared by the sessions of one store. */
export class WorkerSessionPool {
  private readonly workers: SessionWorker[] = [];

  constructor(readonly size: number) {}

  /** Workers started so far. */
  get started(): number {
    return this.workers.length;
  }

  /** The worker for the next call (see the file comment). */
  private pick(): SessionWorker {
    for (let i = this.workers.length - 1; i >= 0; i--) if (!this.workers[i].alive) this.workers.splice(i, 1);
    const idle = this.workers.find((w) => w.load === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) {
      const w = new SessionWorker();
      this.workers.push(w);
      return w;
    }
    return this.workers.reduce((a, b) => (b.load < a.load ? b : a));
  }

  /** A session of `bytes` whose calls run in the pool; created (and checked) in one worker now. */
  async open(key: string, bytes: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<WorkerSession> {
    const model = { bytes, options };
    const { names } = await this.pick().open(key, model);
    return new WorkerSession(this, key, model, names!);
  }

  /** @internal */
  run(key: string, model: Model, feeds: Feeds): Promise<Outputs> {
    return this.pick().run(key, model, feeds);
  }

  /** @internal */
  async release(key: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.release(key)));
  }

  /** Stops every worker (their sessions go with them). */
  async terminate(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/**
 * A session whose `run` executes in the pool's workers; to its callers it is an
 * `ort.InferenceSession` like any other (profiling excepted).
 */
export class WorkerSession implements ort.InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];

  constructor(
    private readonly pool: WorkerSessionPool,
    private readonly key: string,
    private readonly model: Model,
    names: NonNullable<Reply['names']>,
  ) {
    ({ inputNames: this.inputNames, outputNames: this.outputNames, inputMetadata: this.inputMetadata, outputMetadata: this.outputMetadata } = names);
  }

  /** Runs the model on every output (fetches and run options are not supported across threads). */
  run(feeds: Feeds): Promise<Outputs> {
    return this.pool.run(this.key, this.model, feeds);
  }

  release(): Promise<void> {
    return this.pool.release(this.key);
  }

  startProfiling(): void {
    throw new Error('onnxruntime profiling is not available for sessions in worker threads');
  }

  endProfiling(): void {
    this.startProfiling();
  }
}
