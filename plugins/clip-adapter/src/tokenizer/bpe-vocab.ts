/**
 * Builds a Hugging Face `tokenizer.json` for CLIP's byte-level BPE from a merges list, so one
 * well-kept library (`@huggingface/tokenizers`) does the tokenising whether a models folder ships
 * tokenizer.json or only OpenAI's `bpe_simple_vocab_16e6.txt.gz`.
 *
 * The vocabulary layout is CLIP's: 256 byte characters, the same 256 with `</w>`, one token per merge,
 * then `<|startoftext|>` and `<|endoftext|>` (so EOT is the highest id, which argmax pooling relies on).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** Merges CLIP uses from the OpenAI vocabulary file: 49152 - 256 - 2. */
export const CLIP_MERGE_COUNT = 48_894;
export const SOT_TOKEN = '<|startoftext|>';
export const EOT_TOKEN = '<|endoftext|>';
const END_OF_WORD = '</w>';

/**
 * The 256 characters of GPT-2/CLIP `bytes_to_unicode`, in CLIP's vocabulary order: printable bytes
 * first as themselves, then the rest mapped to U+0100 onwards. Kept as an array: a plain object
 * would reorder integer keys and shift every id (the "a" -> 353 instead of 320 pitfall).
 */
export function byteVocabOrder(): string[] {
  const printable = new Set<number>();
  for (let b = 0x21; b <= 0x7e; b++) printable.add(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.add(b);
  for (let b = 0xae; b <= 0xff; b++) printable.add(b);
  const chars = [...printable].map((b) => String.fromCodePoint(b));
  let n = 0;
  for (let b = 0; b < 256; b++) if (!printable.has(b)) chars.push(String.fromCodePoint(256 + n++));
  return chars;
}

/**
 * Reads merges from an OpenAI BPE vocabulary file (gzip or plain text; first line is a header).
 * @param count how many merges to keep; CLIP uses the first 48,894.
 */
export async function readBpeMerges(path: string, count = CLIP_MERGE_COUNT): Promise<[string, string][]> {
  let bytes: Buffer = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const lines = bytes.toString('utf8').split('\n');
  const merges: [string, string][] = [];
  for (let i = 1; i < lines.length && merges.length < count; i++) {
    const parts = lines[i].split(' ');
    if (parts.length !== 2) continue;
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}

/** The JSON structure `@huggingface/tokenizers` and Transformers.js read (the subset CLIP needs). */
export interface TokenizerJson {
  version: string;
  added_tokens: Array<{ id: number; content: string; single_word: boolean; lstrip: boolean; rstrip: boolean; normalized: boolean; special: boolean }>;
  normalizer: unknown;
  pre_tokenizer: unknown;
  post_processor: unknown;
  decoder: unknown;
  model: {
    type: 'BPE';
    vocab: Record<string, number>;
    merges: [string, string][] | string[];
    unk_token: string;
    end_of_word_suffix: string;
    continuing_subword_prefix: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/**
 * The tokenizer.json that Hugging Face ships for CLIP, built from a merges list.
 * Normaliser: NFC, runs of whitespace to one space, lower case (CLIP's whitespace_clean + lower;
 * ftfy and html.unescape from the Python original are not applied).
 */
export function buildClipTokenizerJson(merges: [string, string][]): TokenizerJson {
  const entries: [string, number][] = [];
  let id = 0;
  // Like CLIP's dict(zip(vocab, range(n))): ids are positions, a repeated token keeps its last id.
  // Collected as entries: a plain assignment of a token "__proto__" would set the prototype instead.
  const add = (token: string) => { entries.push([token, id++]); };
  const bytes = byteVocabOrder();
  for (const c of bytes) add(c);
  for (const c of bytes) add(c + END_OF_WORD);
  for (const [a, b] of merges) add(a + b);
  const sot = id;
  add(SOT_TOKEN);
  const eot = id;
  add(EOT_TOKEN);
  const vocab: Record<string, number> = Object.fromEntries(entries);
  const special = (tokenId: number, content: string) =>
    ({ id: tokenId, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(sot, SOT_TOKEN), special(eot, EOT_TOKEN)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [EOT_TOKEN, eot],
      cls: [SOT_TOKEN, sot],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: EOT_TOKEN,
      continuing_subword_prefix: '',
      end_of_word_suffix: END_OF_WORD,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/**
 * Learns BPE merges (greedy, most frequent pair first) until every given word is one token.
 * Used for small test tokenizers: a few hundred ids instead of 49,408. Because the merges are learned
 * the way BPE learns them, encoding applies them in the same order and each word comes out whole.
 * Words are lower-cased ASCII letters; anything else is left to byte tokens.
 */
export function wholeWordMerges(words: string[]): [string, string][] {
  const unique = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => /^[a-z]+$/.test(w));
  const symbols = unique.map((w) => {
    const chars = Array.from(w);
    chars[chars.length - 1] += END_OF_WORD;
    return chars;
  });
  const merges: [string, string][] = [];
  for (;;) {
    // Pair counts in first-seen order, so ties break the same way on every run.
    const counts = new Map<string, number>();
    for (const word of symbols) for (let i = 0; i + 1 < word.length; i++) {
      const key = `${word[i]} ${word[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let best = '';
    let bestCount = 0;
    for (const [key, n] of counts) if (n > bestCount) { best = key; bestCount = n; }
    if (!best) return merges;
    const [a, b] = best.split(' ') as [string, string];
    merges.push([a, b]);
    for (const word of symbols) {
      for (let i = 0; i + 1 < word.length; i++) {
        if (word[i] === a && word[i + 1] === b) word.splice(i, 2, a + b);
      }
    }
  }
}
