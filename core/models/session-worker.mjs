// One onnxruntime worker thread of core/models/worker-sessions.ts: it holds its own sessions,
// created from the model bytes and session options the main thread sends, and runs them off the
// main thread (onnxruntime-node runs `session.run` synchronously on the calling thread).
// Plain JavaScript so that it starts the same under tsx, vitest and bin/visage.js: a worker thread
// does not inherit the TypeScript loader of the thread that starts it.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** key -> Promise<ort.InferenceSession> */
const sessions = new Map();

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
      // The inputs' staging buffers go back with the reply (worker-sessions.ts `stage`), also when the run fails.
      const staged = Object.values(msg.feeds).flatMap((t) => (ArrayBuffer.isView(t.data) ? [t.data.buffer] : []));
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      let result;
      try {
        result = await session.run(feeds);
      } catch (e) {
        reply(msg.id, { ...failure(e), staged }, staged);
        return;
      }
      const outputs = {};
      const transfer = [...staged];
      for (const [name, t] of Object.entries(result)) {
        outputs[name] = { type: t.type, data: t.data, dims: t.dims };
        if (t.data.buffer && !transfer.includes(t.data.buffer)) transfer.push(t.data.buffer);
      }
      reply(msg.id, { outputs, staged }, transfer);
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
