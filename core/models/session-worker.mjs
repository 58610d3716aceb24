// One onnxruntime worker thread of core/models/worker-sessions.ts: it holds its own sessions,
// created from the model bytes and session options the main thread sends, and runs them off the
// main thread (onnxruntime-node runs `session.run` synchronously on the calling thread).
// Plain JavaScript so that it starts the same under tsx, vitest and bin/visage.js: a worker thread
// does not inherit the TypeScript loader of the thread that starts it.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** key -> Promise<ort.InferenceSession> */
const sessions = new Map();

/** byteLength -> free ArrayBuffers: the private copies of shared inputs, reused call after call. */
const freeCopies = new Map();

/** `view`'s bytes in a private buffer of this thread (one per call in flight), as the same typed array. */
function privateCopy(view, copies) {
  const buffer = freeCopies.get(view.byteLength)?.pop() ?? new ArrayBuffer(view.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  copies.push(buffer);
  return new view.constructor(buffer);
}

function freeCopy(buffer) {
  const list = freeCopies.get(buffer.byteLength) ?? [];
  if (list.length < 4) list.push(buffer);
  freeCopies.set(buffer.byteLength, list);
}

const reply = (id, body, transfer = []) => parentPort.postMessage({ id, ...body }, transfer);
const failure = (e) => ({ error: { message: e instanceof Error ? e.message : String(e) } });

parentPort.on('message', async (msg) => {
  try {
    if (msg.op === 'open') {
      let session = sessions.get(msg.key);
      if (!session) {
        session = ort.InferenceSession.create(msg.bytes, msg.options);
        sessions.set(msg.key, session);
        session.catch(() => sessions.delete(msg.key));
      }
      const s = await session;
      reply(msg.id, { names: { inputNames: s.inputNames, outputNames: s.outputNames, inputMetadata: s.inputMetadata, outputMetadata: s.outputMetadata } });
    } else if (msg.op === 'run') {
      const session = await sessions.get(msg.key);
      const feeds = {};
      const copies = [];
      for (const [name, t] of Object.entries(msg.feeds)) {
        // Inputs come in the main thread's shared staging buffers (worker-sessions.ts `stage`).
        const data = ArrayBuffer.isView(t.data) && t.data.buffer instanceof SharedArrayBuffer ? privateCopy(t.data, copies) : t.data;
        feeds[name] = new ort.Tensor(t.type, data, t.dims);
      }
      let result;
      try {
        result = await session.run(feeds);
      } catch (e) {
        reply(msg.id, failure(e));
        return;
      } finally {
        for (const c of copies) freeCopy(c);
      }
      const outputs = {};
      const transfer = [];
      for (const [name, t] of Object.entries(result)) {
        outputs[name] = { type: t.type, data: t.data, dims: t.dims };
        if (t.data.buffer && !transfer.includes(t.data.buffer)) transfer.push(t.data.buffer);
      }
      reply(msg.id, { outputs }, transfer);
    } else if (msg.op === 'release') {
      const session = sessions.get(msg.key);
      sessions.delete(msg.key);
      await (await session?.catch(() => null))?.release();
      reply(msg.id, {});
    }
  } catch (e) {
    reply(msg.id, failure(e));
  }
});
