/**
 * Splits a description into sentences. CLIP's text encoder stops at 77 tokens, so long descriptions
 * are encoded sentence by sentence and the embeddings pooled (method.md A.2 item 4, [inferred]).
 */

/**
 * Sentences of `text`: split after . ! ? followed by white space, and at line breaks; list markers
 * ("1.", "-", "*") and surrounding white space are removed; empty pieces are dropped.
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/\r?\n+/)
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((s) => s.replace(/^\s*(?:[-*\u2022]|\d+[.)])\s+/, '').trim())
    .filter((s) => /[A-Za-z0-9]/.test(s));
}
