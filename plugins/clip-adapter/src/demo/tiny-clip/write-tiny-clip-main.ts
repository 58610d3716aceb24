/**
 * Script entry: writes a CLIP-shaped models folder with deterministic weights.
 *
 *   npx tsx plugins/clip-adapter/src/demo/tiny-clip/write-tiny-clip-main.ts OUT_DIR
 *     [--geometry tiny|vit-b-16] [--seed N] [--image-size N] [--patch-size N]
 *     [--layout flat|xenova] [--parts vision,text] [--vocab bpe_simple_vocab_16e6.txt.gz]
 */
import { parseArgs } from 'node:util';
import { writeTinyClip } from './tiny-clip.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    geometry: { type: 'string', default: 'tiny' },
    seed: { type: 'string', default: '0' },
    'image-size': { type: 'string' },
    'patch-size': { type: 'string' },
    layout: { type: 'string', default: 'flat' },
    parts: { type: 'string', default: 'vision,text' },
    vocab: { type: 'string' },
  },
});

const int = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
};
const oneOf = <T extends string>(name: string, v: string, allowed: readonly T[]): T => {
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${v}`);
  return v as T;
};

if (positionals.length !== 1) {
  console.error('usage: write-tiny-clip-main.ts OUT_DIR [--geometry tiny|vit-b-16] [--seed N] [--image-size N] [--layout flat|xenova] [--parts vision,text] [--vocab FILE]');
  process.exit(2);
}
const info = await writeTinyClip(positionals[0], {
  geometry: oneOf('geometry', values.geometry, ['tiny', 'vit-b-16'] as const),
  seed: int('seed', values.seed),
  imageSize: int('image-size', values['image-size']),
  patchSize: int('patch-size', values['patch-size']),
  layout: oneOf('layout', values.layout, ['flat', 'xenova'] as const),
  parts: values.parts.split(',').map((p) => oneOf('parts', p.trim(), ['vision', 'text'] as const)),
  bpeVocabPath: values.vocab,
});
console.log(JSON.stringify({ dir: info.dir, files: info.files, geometry: info.geometry, vocabSize: info.vocabSize }, null, 2));
