/**
 * Do two onnxruntime-node sessions' `run` calls overlap in time on the main thread? Runs 20
 * FaceMesh calls (4 faces each) on each of two sessions, one after the other, then concurrently,
 * and counts a 1-ms timer's ticks meanwhile. onnxruntime-node runs `session.run` synchronously
 * inside a setImmediate, so the concurrent wall time is no shorter and the timer only ticks
 * between calls (what core/models/worker-sessions.ts works around). Then the same on a store's
 * default sessions in 2 worker threads, where the concurrent calls overlap.
 *
 *   npx tsx bench/frontend/js-thread-check.ts [intra-op threads, default 1]
 */
import * as ort from 'onnxruntime-node';
import { OnnxSessionStore } from '../../core/models/session-store.ts';

const threads = Number(process.argv[2] ?? 1);
const stores = [0, 1].map(() => new OnnxSessionStore({ intraOpNumThreads: threads, workers: 0 }));
const [a, b] = await Promise.all(stores.map((s) => s.faceModel('facemesh')));
const feeds = () => ({ [a.inputNames[0]]: new ort.Tensor('float32', new Float32Array(4 * 192 * 192 * 3).fill(0.5), [4, 192, 192, 3]) });
const loop = async (s: ort.InferenceSession) => { for (let i = 0; i < 20; i++) await s.run(feeds()); };
await loop(a); await loop(b); // warm-up

let ticks = 0;
const timer = setInterval(() => ticks++, 1);
let t = performance.now();
await loop(a); await loop(b);
const serial = performance.now() - t, serialTicks = ticks;
ticks = 0;
t = performance.now();
await Promise.all([loop(a), loop(b)]);
const concurrent = performance.now() - t;
clearInterval(timer);
console.log(`intra-op threads ${threads}: serial ${serial.toFixed(0)} ms, concurrent ${concurrent.toFixed(0)} ms (ratio ${(concurrent / serial).toFixed(2)}); 1-ms timer ticks ${serialTicks} serial, ${ticks} concurrent (80 calls: ticks only between calls)`);

// The same calls on sessions in worker threads (the default store): concurrent calls overlap.
const pooled = new OnnxSessionStore({ workers: 2 });
const w = await pooled.faceModel('facemesh');
await Promise.all([loop(w), loop(w)]); // warm-up: both workers open their session
t = performance.now();
await loop(w); await loop(w);
const wSerial = performance.now() - t;
t = performance.now();
await Promise.all([loop(w), loop(w)]);
const wConcurrent = performance.now() - t;
console.log(`2 worker threads (core/models/worker-sessions.ts): serial ${wSerial.toFixed(0)} ms, concurrent ${wConcurrent.toFixed(0)} ms (ratio ${(wConcurrent / wSerial).toFixed(2)})`);
await Promise.all([...stores, pooled].map((s) => s.dispose()));
