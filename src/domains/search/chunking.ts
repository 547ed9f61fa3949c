// Splitting an artifact's text into chunks for embedding, with token counts. Deterministic: the same text
// always gives the same chunks, so a caller that brings its own embeddings (one per chunk) can compute the
// split itself, or read `expectedChunks` from the error when the count is off.
//
// Token counts are an approximation of a BPE tokenizer (cl100k-like) that needs no vocabulary:
//   - a run of letters, digits and combining marks counts ceil(length / 4) tokens ("the" 1, "research" 2),
//   - each CJK character (Han, Hiragana, Katakana, Hangul) counts 1,
//   - every other non-space character (punctuation, symbols, emoji) counts 1,
//   - whitespace counts 0.
// On English prose this lands within ~15 % of cl100k, erring high, which is the safe side for budgets.
//
// The split:
//   1. The text is cut into sentences: a piece runs from a non-space character to the first `.`, `!` or `?`
//      followed by whitespace, or to the end of its line. A Markdown heading line (`# …` to `###### …`) is
//      a piece of its own and starts a new chunk; it becomes the `heading` of the chunks that follow it.
//   2. A sentence longer than `maxTokens` is cut between words (a single overlong word between characters).
//   3. Sentences are packed greedily, in order, into chunks of at most `maxTokens` tokens. No overlap.
// Each chunk's content is the original text from its first piece's start to its last piece's end
// (offsets are UTF-16 indexes into the text as given).

export interface TextChunk {
  index: number;
  content: string;
  tokenCount: number;
  startOffset: number;
  endOffset: number;
  /** The nearest Markdown heading above the chunk, if any. */
  heading?: string;
}

export interface ChunkingOptions {
  /** Upper bound of a chunk's token count (default 256). */
  maxTokens?: number;
}

export const defaultChunkMaxTokens = 256;

const tokenPattern =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]/gu;
const cjkPattern = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;
const wordPattern = /^[\p{L}\p{M}\p{N}_]+$/u;
/** A sentence: from a non-space character to a terminator followed by whitespace (or the end), or the line's end. */
const sentencePattern = /\S(?:[^\n]*?[.!?](?=\s|$)|[^\n]*)/g;
const headingPattern = /^#{1,6}[ \t]+(.*\S)/;

function tokensOfMatch(match: string): number {
  if (cjkPattern.test(match)) return 1;
  if (wordPattern.test(match)) return Math.ceil(match.length / 4);
  return 1;
}

/** The approximate token count of `text` (see the top of this file). */
export function countTokens(text: string): number {
  let count = 0;
  for (const match of text.matchAll(tokenPattern)) count += tokensOfMatch(match[0]);
  return count;
}

interface Piece {
  start: number;
  end: number;
  tokens: number;
  heading?: string;
}

/** Cuts an overlong sentence between words (an overlong word between characters): pieces of ≤ maxTokens. */
function splitLongPiece(text: string, piece: Piece, maxTokens: number): Piece[] {
  const out: Piece[] = [];
  let start = -1;
  let end = -1;
  let tokens = 0;
  const flush = () => {
    if (start >= 0) out.push({ start, end, tokens });
    start = -1;
    tokens = 0;
  };
  const slice = text.slice(piece.start, piece.end);
  for (const match of slice.matchAll(tokenPattern)) {
    const matchStart = piece.start + (match.index ?? 0);
    const value = match[0];
    const cost = tokensOfMatch(value);
    if (cost > maxTokens) {
      // One word longer than a chunk: whole slices of 4 × maxTokens characters.
      flush();
      const width = 4 * maxTokens;
      for (let offset = 0; offset < value.length; offset += width) {
        const part = value.slice(offset, offset + width);
        out.push({ start: matchStart + offset, end: matchStart + offset + part.length, tokens: tokensOfMatch(part) });
      }
      continue;
    }
    if (tokens + cost > maxTokens) flush();
    if (start < 0) start = matchStart;
    end = matchStart + value.length;
    tokens += cost;
  }
  flush();
  return out;
}

/** Splits `text` into chunks (see the top of this file). Whitespace-only text gives no chunks. */
export function chunkText(text: string, options: ChunkingOptions = {}): TextChunk[] {
  const maxTokens = options.maxTokens ?? defaultChunkMaxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError("maxTokens must be a positive integer");

  const pieces: Piece[] = [];
  for (const match of text.matchAll(sentencePattern)) {
    const start = match.index ?? 0;
    const raw = match[0];
    const end = start + raw.trimEnd().length;
    const content = text.slice(start, end);
    const atLineStart = text.slice(text.lastIndexOf("\n", start - 1) + 1, start).trim() === "";
    const heading = atLineStart ? headingPattern.exec(content)?.[1] : undefined;
    const piece: Piece = { start, end, tokens: countTokens(content), ...(heading ? { heading } : {}) };
    if (piece.tokens > maxTokens) pieces.push(...splitLongPiece(text, piece, maxTokens));
    else if (piece.tokens > 0) pieces.push(piece);
  }

  const chunks: TextChunk[] = [];
  let currentHeading: string | undefined;
  let open: { start: number; end: number; tokens: number; heading: string | undefined } | null = null;
  const close = () => {
    if (!open) return;
    const content = text.slice(open.start, open.end);
    chunks.push({
      index: chunks.length,
      content,
      tokenCount: countTokens(content),
      startOffset: open.start,
      endOffset: open.end,
      ...(open.heading !== undefined ? { heading: open.heading } : {}),
    });
    open = null;
  };
  for (const piece of pieces) {
    if (piece.heading !== undefined) {
      close();
      currentHeading = piece.heading;
    }
    if (open && open.tokens + piece.tokens > maxTokens) close();
    if (open) {
      open.end = piece.end;
      open.tokens += piece.tokens;
    } else {
      open = { start: piece.start, end: piece.end, tokens: piece.tokens, heading: currentHeading };
    }
  }
  close();
  return chunks;
}
