import { describe, expect, it, beforeAll } from 'vitest';
import { ClipTokenizer, CLIP_CONTEXT_LENGTH } from '../src/tokenizer/clip-tokenizer.ts';
import { buildClipTokenizerJson, byteVocabOrder, readBpeMerges, wholeWordMerges, CLIP_MERGE_COUNT } from '../src/tokenizer/bpe-vocab.ts';
import { clipVocabPath, haveSharedFile } from './shared-data.ts';

const haveVocab = haveSharedFile(clipVocabPath);

describe.runIf(haveVocab)('ClipTokenizer with the real CLIP vocabulary', () => {
  let tok: ClipTokenizer;
  beforeAll(async () => { tok = await ClipTokenizer.fromBpeVocab(clipVocabPath); });

  it('gives the reference ids', () => {
    expect(tok.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(tok.encode('A photo of a face showing happiness.')).toEqual([49406, 320, 1125, 539, 320, 1710, 3649, 5096, 269, 49407]);
  });

  it('has CLIP\'s vocabulary layout: 49,408 ids, SOT 49406, EOT 49407', () => {
    expect(tok.vocabSize).toBe(49_408);
    expect([tok.sotId, tok.eotId, tok.padId]).toEqual([49406, 49407, 49407]);
  });

  it('lower-cases and collapses whitespace before BPE', () => {
    expect(tok.encode('  A   PHOTO\n\tof a CAT  ')).toEqual(tok.encode('a photo of a cat'));
  });

  it('round-trips text through decode', () => {
    expect(tok.decode(tok.encode('A photo of a face showing happiness.'))).toBe('a photo of a face showing happiness.');
  });

  it('truncates to 77 tokens ending in EOT', () => {
    const ids = tok.encode('happy '.repeat(200));
    expect(ids).toHaveLength(CLIP_CONTEXT_LENGTH);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(ids.filter((id) => id === 49407)).toHaveLength(1);
  });

  it('pads a batch with EOT, so the first EOT is the pooling position', () => {
    const batch = tok.tokenize(['a photo of a cat', 'A photo of a face showing happiness.']);
    expect([batch.batch, batch.length]).toEqual([2, 77]);
    expect(batch.eotIndex).toEqual([6, 9]);
    for (let b = 0; b < 2; b++) {
      const row = Array.from(batch.ids.subarray(b * 77, (b + 1) * 77), Number);
      // argmax of the ids (first maximum) is what the ONNX export pools at.
      expect(row.indexOf(Math.max(...row))).toBe(batch.eotIndex[b]);
      expect(row.slice(batch.eotIndex[b]).every((id) => id === 49407)).toBe(true);
      const mask = Array.from(batch.attentionMask.subarray(b * 77, (b + 1) * 77), Number);
      expect(mask.reduce((a, m) => a + m, 0)).toBe(batch.eotIndex[b] + 1);
    }
  });

  it('pads to the longest row on request', () => {
    const batch = tok.tokenize(['a photo of a cat', 'a cat'], { padding: 'longest' });
    expect(batch.length).toBe(7);
    expect(Array.from(batch.ids.subarray(7), Number)).toEqual([49406, 320, 2368, 49407, 49407, 49407, 49407]);
  });

  it('gives the same ids from a serialised tokenizer.json', async () => {
    const json = JSON.parse(JSON.stringify(buildClipTokenizerJson(await readBpeMerges(clipVocabPath))));
    const fromJson = ClipTokenizer.fromJson(json);
    for (const text of ['a photo of a cat', "It's a DOG's life!! 123", 'café naïve 😀']) {
      expect(fromJson.encode(text)).toEqual(tok.encode(text));
    }
  });

  it('reads exactly CLIP\'s merge count', async () => {
    expect(await readBpeMerges(clipVocabPath)).toHaveLength(CLIP_MERGE_COUNT);
  });
});

describe('small whole-word tokenizers', () => {
  it('maps bytes in GPT-2 order: printable ASCII first', () => {
    const order = byteVocabOrder();
    expect(order).toHaveLength(256);
    expect(new Set(order).size).toBe(256);
    expect(order[0]).toBe('!');
    expect(order.indexOf('a')).toBe(64);
    expect(order[188]).toBe('Ā'); // byte 0 comes after the 188 printable bytes
  });

  it('learns merges that make every word one token', () => {
    const words = ['red', 'green', 'greenery', 'happiness', 'happy', 'sad', 'sadness'];
    const tok = ClipTokenizer.fromJson(buildClipTokenizerJson(wholeWordMerges(words)));
    for (const w of words) expect(tok.encode(w)).toHaveLength(3);
    expect(tok.encode('red green')).toHaveLength(4);
    // Unknown words fall back to smaller pieces, never to nothing.
    expect(tok.encode('blue').length).toBeGreaterThan(3);
    expect(tok.eotId).toBe(tok.vocabSize - 1);
  });

  it('rejects a context length with no room for SOT and EOT', () => {
    const tok = ClipTokenizer.fromJson(buildClipTokenizerJson([]));
    expect(() => tok.encode('a', 1)).toThrow(/context length/);
  });
});
