/**
 * Sessions in worker threads (worker-sessions.ts): the same outputs as a session on the calling
 * thread, the calling thread free while a model runs, workers started only as concurrent calls
 * need them, failures reported.
 */
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../onnx-builder.ts';
import { defaultOrtWorkers, OnnxSessionStore, runSession } from '../session-store.ts';
import { WorkerSession, WorkerSessionPool } from '../worker-sessions.ts';

const N = 384;

/** y = x W W ... W (`depth` MatMuls of N x N): tens to hundreds of ms on one thread. */
function matMulChain(depth: number): Uint8Array {
  const g = new OnnxGraphBuilder('chain');
  g.addInput('x', 'float32', [N, N]);
  g.addInitializer('w', Float32Array.from({ length: N * N }, (_, i) => ((i * 7919) % 13) / (13 * N)), [N, N]);
  let y = 'x';
  for (let i = 0; i < depth; i++) y = g.op('MatMul', [y, 'w'], {}, i === depth - 1 ? 'y' : undefined);
  g.addOutput('y', 'float32', [N, N]);
  return g.serialize();
}

const input = () => ({ x: new ort.Tensor('float32', Float32Array.from({ length: N * N }, (_, i) => (i % 17) / 17), [N, N]) });
const single = { intraOpNumThreads: 1, executionProviders: ['cpu'] };

/** Timer ticks on this thread while `work` runs. */
async function ticksDuring(work: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return ticks;
}

let pool: WorkerSessionPool | undefined;
afterEach(async () => pool?.terminate());

describe('WorkerSessionPool', () => {
  it('gives the outputs of an in-thread session, bit for bit, and leaves this thread free meanwhile', async () => {
    const bytes = matMulChain(24);
    pool = new WorkerSessionPool(2);
    const inWorker = await pool.open('chain', bytes, single);
    const inThread = await ort.InferenceSession.create(bytes, single);
    expect([inWorker.inputNames, inWorker.outputNames]).toEqual([inThread.inputNames, inThread.outputNames]);
    let a: ort.InferenceSession.OnnxValueMapType | undefined, b: ort.InferenceSession.OnnxValueMapType | undefined;
    const threadTicks = await ticksDuring(async () => (b = await inThread.run(input())));
    const workerTicks = await ticksDuring(async () => (a = await inWorker.run(input())));
    expect(a!.y.dims).toEqual([N, N]);
    expect(Buffer.from((a!.y.data as Float32Array).buffer).equals(Buffer.from((b!.y.data as Float32Array).buffer))).toBe(true);
    // In-thread, onnxruntime-node blocks the event loop for the whole run (a tick at most before it).
    expect(threadTicks).toBeLessThanOrEqual(1);
    expect(workerTicks).toBeGreaterThan(threadTicks + 3);
    await inThread.release();
  }, 60_000);

  it("leaves the caller's input intact (a staged copy goes to the worker), call after call and after a failed call", async () => {
    pool = new WorkerSessionPool(1);
    const s = await pool.open('chain', matMulChain(2), single);
    const feeds = input();
    const before = Float32Array.from(feeds.x.data as Float32Array);
    const first = await s.run(feeds);
    await expect(s.run({ x: new ort.Tensor('float32', new Float32Array(4), [2, 2]) })).rejects.toThrow();
    for (let i = 0; i < 3; i++) {
      expect(feeds.x.data).toEqual(before); // not detached, not overwritten
      expect(Buffer.from((await s.run(feeds)).y.data as Float32Array).equals(Buffer.from(first.y.data as Float32Array))).toBe(true);
    }
  }, 60_000);

  it('gives each of several calls in flight its own input, in one worker and in two', async () => {
    const bytes = matMulChain(1);
    const inThread = await ort.InferenceSession.create(bytes, single);
    const inputs = [3, 5, 7, 11].map((k) => ({ x: new ort.Tensor('float32', Float32Array.from({ length: N * N }, (_, i) => ((i * k) % 23) / 23), [N, N]) }));
    const expected = await Promise.all(inputs.map(async (f) => Buffer.from((await inThread.run(f)).y.data as Float32Array)));
    for (const size of [1, 2]) {
      pool = new WorkerSessionPool(size);
      const s = await pool.open('chain', bytes, single);
      for (let round = 0; round < 2; round++) {
        const outputs = await Promise.all(inputs.map((f) => s.run(f)));
        outputs.forEach((o, k) => expect(Buffer.from(o.y.data as Float32Array).equals(expected[k])).toBe(true));
      }
      await pool.terminate();
    }
    await inThread.release();
  }, 60_000);

  it('starts a second worker only for a second call in flight', async () => {
    pool = new WorkerSessionPool(2);
    const s = await pool.open('chain', matMulChain(4), single);
    for (let i = 0; i < 3; i++) await s.run(input());
    expect(pool.started).toBe(1);
    await Promise.all([s.run(input()), s.run(input()), s.run(input())]);
    expect(pool.started).toBe(2);
  }, 60_000);

  it('rejects a model onnxruntime cannot load, and a bad call through runSession as MODEL_RUN_FAILED', async () => {
    pool = new WorkerSessionPool(1);
    await expect(pool.open('bad', new Uint8Array([1, 2, 3]), single)).rejects.toThrow();
    const s = await pool.open('chain', matMulChain(1), single);
    const wrong = { x: new ort.Tensor('float32', new Float32Array(4), [2, 2]) };
    const err = await runSession(s, 'chain', wrong).catch((e) => e);
    expect(err.code).toBe('MODEL_RUN_FAILED');
    expect((await s.run(input())).y.dims).toEqual([N, N]); // the worker survives a failed call
  }, 60_000);
});

describe('OnnxSessionStore on the CPU EP', () => {
  it('runs its sessions in defaultOrtWorkers() (2) worker threads by default, on this thread with workers: 0 or VISAGE_ORT_WORKERS=0', async () => {
    const saved = process.env.VISAGE_ORT_WORKERS;
    const stores: OnnxSessionStore[] = [];
    const session = async (options: ConstructorParameters<typeof OnnxSessionStore>[0]) => {
      const store = new OnnxSessionStore(options);
      stores.push(store);
      return store.get('chain', async () => matMulChain(1));
    };
    try {
      delete process.env.VISAGE_ORT_WORKERS;
      expect([defaultOrtWorkers(2), defaultOrtWorkers(16), defaultOrtWorkers(1)]).toEqual([2, 2, 1]);
      expect(await session({})).toBeInstanceOf(WorkerSession);
      expect(stores[0].workers).toBe(defaultOrtWorkers());
      expect(await session({ workers: 0 })).not.toBeInstanceOf(WorkerSession);
      process.env.VISAGE_ORT_WORKERS = '0';
      expect(await session({})).not.toBeInstanceOf(WorkerSession);
      expect(await session({ workers: 2 })).toBeInstanceOf(WorkerSession);
      process.env.VISAGE_ORT_WORKERS = '3';
      expect(await session({})).toBeInstanceOf(WorkerSession);
      expect(stores[stores.length - 1].workers).toBe(3);
      process.env.VISAGE_ORT_WORKERS = 'two';
      expect(() => new OnnxSessionStore()).toThrow(expect.objectContaining({ code: 'ORT_WORKERS_INVALID', exitCode: 2 }));
    } finally {
      if (saved === undefined) delete process.env.VISAGE_ORT_WORKERS;
      else process.env.VISAGE_ORT_WORKERS = saved;
      await Promise.all(stores.map((s) => s.dispose()));
    }
  }, 60_000);
});
