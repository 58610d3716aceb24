/**
 * Description-level benchmark (no model inference): AU maths, the AU describer, the AU plot, the
 * cache key of a clip, frame encoding for the endpoint, and one endpoint round trip against a
 * loopback server that answers at once (the client's own overhead). Prints medians over runs.
 * Run: npx tsx bench/mllm/run.ts [frames=16] [runs=15]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaceFrame, Frame } from '../../core/types.ts';
import { computeActionUnits } from '../../plugins/mllm/src/action-units.ts';
import { describeActionUnits } from '../../plugins/mllm/src/au-describer.ts';
import { renderAuPlot } from '../../plugins/mllm/src/au-plot.ts';
import { clipContentHash } from '../../plugins/mllm/src/description-cache.ts';
import { EndpointClient } from '../../plugins/mllm/src/endpoint-client.ts';
import { frameToDataUrl } from '../../plugins/mllm/src/frame-encoding.ts';
import { median, printTable } from '../lib/table.ts';

const T = Number(process.argv[2] ?? 16);
const RUNS = Number(process.argv[3] ?? 15);

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

// Meshes: a random 468-point cloud per frame with small per-frame jitter (AU maths cost does not depend on the face).
const baseMesh = Float32Array.from({ length: 468 * 3 }, () => 100 + rand() * 200);
const faces: FaceFrame[] = Array.from({ length: T }, () => ({
  box: [0, 0, 1, 1], score: 1, mesh: baseMesh.map((v) => v + (rand() - 0.5) * 2),
}));
const frame = (w: number, h: number, k: number): Frame => ({ width: w, height: h, rgb: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7 + k * 13) & 255), sourceIndex: k });
const frames224 = Array.from({ length: T }, (_, k) => frame(224, 224, k));
const frames720 = Array.from({ length: T }, (_, k) => frame(720, 528, k));
const series = computeActionUnits(faces);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'The lips part.' } }] }));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const client = new EndpointClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });

const cases: [string, () => unknown][] = [
  [`computeActionUnits (${T} frames)`, () => computeActionUnits(faces)],
  ['describeActionUnits', () => describeActionUnits(series)],
  ['renderAuPlot (360x180 PNG)', () => renderAuPlot(series)],
  [`clipContentHash (${T} x 224x224)`, () => clipContentHash(frames224)],
  [`clipContentHash (${T} x 720x528)`, () => clipContentHash(frames720)],
  ['frameToDataUrl (720x528 -> 448 JPEG)', () => frameToDataUrl(frames720[0], { format: 'jpeg', jpegQuality: 85, maxSide: 448 })],
  [`endpoint round trip (8 of ${T} x 720x528, loopback)`, () => client.describe(frames720)],
];

console.log(`mllm benchmark: T=${T} frames, runs=${RUNS} (+2 warm-up), node ${process.version}`);
const rows: string[][] = [];
for (const [name, fn] of cases) {
  await fn(); await fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  rows.push([name, median(times).toFixed(3), Math.min(...times).toFixed(3), Math.max(...times).toFixed(3)]);
}
server.close();
printTable(['operation', 'median ms', 'min ms', 'max ms'], rows);
