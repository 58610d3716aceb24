/**
 * CLIP text tokenizer: byte-level BPE (via `@huggingface/tokenizers`), SOT/EOT framing,
 * truncation and padding to a context length, and the EOT position that text pooling reads.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { errors } from '@visage/core';
import { buildClipTokenizerJson, readBpeMerges, EOT_TOKEN, SOT_TOKEN, type TokenizerJson } from './bpe-vocab.ts';
import { clipInputInvalid } from '../errors.ts';

/** CLIP's context length. */
export const CLIP_CONTEXT_LENGTH = 77;
/** File name of OpenAI's BPE vocabulary, looked for when a folder has no tokenizer.json. */
export const BPE_VOCAB_FILE = 'bpe_simple_vocab_16e6.txt.gz';

export interface TokenizeOptions {
  /** Sequence length including SOT and EOT (default 77). Longer texts are cut and end with EOT, like CLIP's `truncate=True`. */
  contextLength?: number;
  /** 'max' pads every row to `contextLength`; 'longest' pads to the longest row of the batch (default 'max'). */
  padding?: 'max' | 'longest';
}

/** A padded batch of token ids, laid out for an ONNX `input_ids` [batch, length] int64 tensor. */
export interface TokenBatch {
  batch: number;
  length: number;
  /** Row-major [batch, length]; padding uses `padId`. */
  ids: BigInt64Array;
  /** 1 for real tokens (SOT..EOT), 0 for padding. */
  attentionMask: BigInt64Array;
  /** Position of the first EOT in each row: the token CLIP's text pooling reads. */
  eotIndex: number[];
}

export class ClipTokenizer {
  readonly sotId: number;
  readonly eotId: number;
  /** Padding id; CLIP (Hugging Face) pads with EOT, so pooling must take the *first* EOT. */
  readonly padId: number;
  readonly vocabSize: number;
  private readonly tokenizer: Tokenizer;

  private constructor(json: TokenizerJson, padId?: number) {
    this.tokenizer = new Tokenizer(json, {});
    const sot = this.tokenizer.token_to_id(SOT_TOKEN);
    const eot = this.tokenizer.token_to_id(EOT_TOKEN);
    if (sot === undefined || eot === undefined) {
      throw errors.modelSignatureMismatch('tokenizer.json', `no ${sot === undefined ? SOT_TOKEN : EOT_TOKEN} token`, `a CLIP vocabulary with ${SOT_TOKEN} and ${EOT_TOKEN}`);
    }
    this.sotId = sot;
    this.eotId = eot;
    this.padId = padId ?? eot;
    this.vocabSize = this.tokenizer.get_vocab(true).size;
  }

  /** From a parsed Hugging Face tokenizer.json (CLIP layout). */
  static fromJson(json: object, opts: { padId?: number } = {}): ClipTokenizer {
    return new ClipTokenizer(json as TokenizerJson, opts.padId);
  }

  /** From a tokenizer.json file. */
  static async fromJsonFile(path: string, opts: { padId?: number } = {}): Promise<ClipTokenizer> {
    if (!existsSync(path)) throw errors.modelNotFound('tokenizer.json', path);
    let json: object;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw errors.modelSignatureMismatch(path, `invalid JSON (${(e as Error).message})`, 'a Hugging Face tokenizer.json');
    }
    return ClipTokenizer.fromJson(json, opts);
  }

  /** From OpenAI's `bpe_simple_vocab_16e6.txt.gz` (or a plain-text vocab of the same format). */
  static async fromBpeVocab(path: string, opts: { mergeCount?: number; padId?: number } = {}): Promise<ClipTokenizer> {
    if (!existsSync(path)) throw errors.modelNotFound('CLIP BPE vocabulary', path);
    return new ClipTokenizer(buildClipTokenizerJson(await readBpeMerges(path, opts.mergeCount)), opts.padId);
  }

  /** Token ids of one text: SOT, BPE ids (lower-cased, whitespace collapsed), EOT; cut to `contextLength`. */
  encode(text: string, contextLength = CLIP_CONTEXT_LENGTH): number[] {
    if (contextLength < 2) throw clipInputInvalid(`context length ${contextLength} leaves no room for SOT and EOT (CLIP uses 77)`);
    const body = this.tokenizer.encode(text.trim(), { add_special_tokens: false }).ids;
    return [this.sotId, ...body.slice(0, contextLength - 2), this.eotId];
  }

  /** Tokenises a batch into a padded [batch, length] int64 layout. */
  tokenize(texts: string[], opts: TokenizeOptions = {}): TokenBatch {
    const contextLength = opts.contextLength ?? CLIP_CONTEXT_LENGTH;
    const rows = texts.map((t) => this.encode(t, contextLength));
    const length = opts.padding === 'longest' ? Math.max(2, ...rows.map((r) => r.length)) : contextLength;
    const ids = new BigInt64Array(rows.length * length).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(rows.length * length);
    rows.forEach((row, b) => {
      row.forEach((id, i) => {
        ids[b * length + i] = BigInt(id);
        attentionMask[b * length + i] = 1n;
      });
    });
    return { batch: rows.length, length, ids, attentionMask, eotIndex: rows.map((r) => r.length - 1) };
  }

  /** Text back from ids (special tokens dropped, `</w>` read as a space). */
  decode(ids: ArrayLike<number | bigint>): string {
    const plain = Array.from(ids, Number).filter((id) => id !== this.sotId && id !== this.eotId && id !== this.padId);
    return plain.length === 0 ? '' : this.tokenizer.decode(plain, { skip_special_tokens: true }).trim();
  }
}
