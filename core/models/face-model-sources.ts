/**
 * Where the pretrained face models come from: the TFJS graph models shipped in the npm package
 * `@vladmandic/human` (MIT), folder `models/`. Provenance (model.json `generatedBy`): blazeface,
 * facemesh and iris from google/mediapipe; emotion from oarriaga/face_classification.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModelCache } from './model-cache.ts';
import { readTfjsGraphModel } from './tfjs-graph.ts';
import { nchwcChannelBlock } from './nchwc-block.ts';
import { CONVERTER_VERSION, convertTfjsToOnnx } from './tfjs-to-onnx.ts';

/** The face models Visage converts and runs. */
export const FACE_MODEL_NAMES = ['blazeface', 'facemesh', 'emotion', 'iris'] as const;
export type FaceModelName = (typeof FACE_MODEL_NAMES)[number];

/** The `models/` folder of the installed `@vladmandic/human` package. */
export function humanModelsDir(): string {
  // The package's "exports" hide package.json; its node entry lives in dist/, next to models/.
  const entry = createRequire(import.meta.url).resolve('@vladmandic/human');
  return join(dirname(entry), '..', 'models');
}

/** Path of a face model's model.json (in `sourceDir`, default the human package). */
export function faceModelJsonPath(name: FaceModelName, sourceDir = humanModelsDir()): string {
  return join(sourceDir, `${name}.json`);
}

/** A converted face model ready for onnxruntime. */
export interface FaceModelOnnx {
  name: FaceModelName;
  /** Path of the cached .onnx file. */
  path: string;
  bytes: Uint8Array;
  /** sha256 of the TFJS source files (model.json + shards). */
  sourceSha256: string;
  /** Whether the .onnx came from the cache. */
  cacheHit: boolean;
}

/**
 * Returns the ONNX form of a face model: converts the TFJS source on the first call and caches
 * the .onnx keyed by the source hash and converter version.
 */
export async function faceModelOnnx(
  name: FaceModelName,
  cache: ModelCache = new ModelCache(),
  sourceDir = humanModelsDir(),
): Promise<FaceModelOnnx> {
  // Reading the source is needed anyway to hash it; conversion itself only runs on a miss.
  const source = await readTfjsGraphModel(faceModelJsonPath(name, sourceDir));
  // The graph depends on the CPU's conv block (a cache shared by machines keeps one per block).
  const channelBlock = nchwcChannelBlock();
  const cached = await cache.getOrBuild(
    name,
    source.sha256,
    () => convertTfjsToOnnx(source, { modelName: name, channelBlock }).bytes,
    `c${CONVERTER_VERSION}${channelBlock ? `-b${channelBlock}` : ''}`,
  );
  return { name, path: cached.path, bytes: cached.bytes, sourceSha256: source.sha256, cacheHit: cached.hit };
}
