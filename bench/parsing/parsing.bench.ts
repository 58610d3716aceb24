/**
 * Speed of the parsing level's pure parts and of the render output, per frame.
 * Run: npx tsx bench/parsing/parsing.bench.ts
 *
 * The ONNX row uses a generated 1x1-conv stand-in with BiSeNet's input/output shapes, so it
 * measures the adapter's own work (crop, normalise, argmax, label mapping) plus a near-free model,
 * not BiSeNet's compute.
 */
import { encodePng, drawFaceOverlay } from '../../core/media/png.ts';
import { OnnxGraphBuilder } from '../../core/models/onnx-builder.ts';
import type { Frame } from '../../core/types.ts';
import { OnnxFaceParser } from '../../plugins/parsing/src/onnx-face-parser.ts';
import { parseFromMesh } from '../../plugins/parsing/src/parse-from-mesh.ts';
import { renderParsing } from '../../plugins/parsing/src/render-parsing.ts';
import { canonicalFace } from '../../plugins/parsing/test/canonical-face.ts';
import { median, timeRuns } from '../lib/table.ts';

async function timeIt(run: () => unknown, repeats: number): Promise<{ median: number; p90: number }> {
  const ms = (await timeRuns(run, repeats, 3)).sort((a, b) => a - b); // 3 warm-ups: JIT, sessions
  return { median: median(ms), p90: ms[Math.floor(ms.length * 0.9)] };
}

function standInParser(): Uint8Array {
  const g = new OnnxGraphBuilder('bench-parser');
  g.addInput('input', 'float32', [1, 3, 512, 512]);
  g.addInitializer('w', new Float32Array(19 * 3).map((_, k) => ((k * 37) % 11) / 11 - 0.5), [19, 3, 1, 1]);
  const conv = g.op('Conv', ['input', 'w']);
  g.op('AveragePool', [conv], { kernel_shape: [2, 2], strides: [2, 2] }, 'logits'); // 256x256 logits
  g.addOutput('logits', 'float32', [1, 19, 256, 256]);
  return g.serialize();
}

const width = 1280;
const height = 720;
const rgb = new Uint8Array(width * height * 3).map((_, k) => (k * 31) % 251);
const frame: Frame = { width, height, rgb, sourceIndex: 0 };
const face = canonicalFace(440, 160, 400);
const map = parseFromMesh(face);
const render = renderParsing(map);
const parser = await OnnxFaceParser.load(standInParser(), { sessionOptions: { intraOpNumThreads: 1 } });

const rows: [string, () => unknown][] = [
  ['parseFromMesh 224', () => parseFromMesh(face)],
  ['parseFromMesh 512', () => parseFromMesh(face, 512)],
  ['renderParsing 224', () => renderParsing(map)],
  ['drawFaceOverlay 1280x720', () => drawFaceOverlay(frame, face)],
  ['encodePng 224x224', () => encodePng(render.rgb, 224, 224)],
  ['encodePng 1280x720', () => encodePng(frame.rgb, width, height)],
  ['OnnxFaceParser.parse (stand-in model)', () => parser.parse(frame, face)],
];
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cpus`);
console.log('| operation | median ms | p90 ms |');
console.log('|---|---:|---:|');
for (const [name, run] of rows) {
  const { median, p90 } = await timeIt(run, name.startsWith('Onnx') || name.includes('1280x720') ? 30 : 200);
  console.log(`| ${name} | ${median.toFixed(3)} | ${p90.toFixed(3)} |`);
}
await parser.release();
