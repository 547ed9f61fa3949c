import { eq, sql } from "drizzle-orm";
import { documentChunk, researchArtifact } from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError, isGatewayError } from "../../platform/errors.js";
import { type ChunkingOptions, chunkText, type TextChunk } from "./chunking.js";
import { type EmbeddingProvider, requireEmbeddingProvider } from "./embedding-provider.js";
import { validateEmbedding, vectorLiteral } from "./vectors.js";

// Ingesting an artifact's text: split it into chunks (chunking.ts), get one embedding per chunk (from the
// caller, or from the configured provider), and make those chunks the artifact's chunks. Everything is written
// on the caller's transaction (the operation's): the old chunks go and the new ones arrive together, or
// nothing changes. Every check and the provider call happen before the first write.

export const maxIngestTextLength = 200_000;
export const maxIngestChunks = 1_000;

export type EmbeddingSource = "caller" | "provider";

export interface IngestInput {
  artifactId: string;
  text: string;
  /** One vector per chunk, in chunk order; absent or null: ask the provider. */
  embeddings?: readonly unknown[] | null | undefined;
}

export interface IngestOptions {
  /** The provider to ask when the caller brings no embeddings (null: none is configured). */
  provider: EmbeddingProvider | null;
  chunking?: ChunkingOptions | undefined;
}

export interface IngestResult {
  artifactId: string;
  chunkCount: number;
  tokenCount: number;
  /** Chunks the artifact had before (replaced). */
  replacedChunkCount: number;
  embeddingSource: EmbeddingSource;
}

const insertBatchSize = 100;

function badInput(field: string, message: string, extra: Record<string, unknown> = {}): GatewayError {
  return new GatewayError("BAD_USER_INPUT", `${field}: ${message}`, { field, ...extra });
}

/** C0 controls and DEL, except tab, newline and carriage return. */
function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 127) return true;
  }
  return false;
}

/** The text's chunks, or BAD_USER_INPUT (empty, too long, control characters, too many chunks). */
export function chunksForIngestion(text: string, options: ChunkingOptions = {}): TextChunk[] {
  if (text.trim() === "") throw badInput("text", "must not be empty");
  if (text.length > maxIngestTextLength) {
    throw badInput("text", `must be at most ${maxIngestTextLength} characters`, { maxLength: maxIngestTextLength });
  }
  if (hasControlCharacters(text)) throw badInput("text", "must not contain control characters");
  const chunks = chunkText(text, options);
  if (chunks.length > maxIngestChunks) {
    throw badInput("text", `splits into ${chunks.length} chunks, at most ${maxIngestChunks} are allowed`);
  }
  return chunks;
}

/** The caller's vectors, checked against the chunks (count, then each vector) and normalized. */
function callerEmbeddings(embeddings: readonly unknown[], chunks: readonly TextChunk[]): number[][] {
  if (embeddings.length !== chunks.length) {
    throw badInput(
      "embeddings",
      `the text splits into ${chunks.length} chunks, so ${chunks.length} embeddings are needed (one per chunk, in order), got ${embeddings.length}`,
      { expectedChunks: chunks.length, actualEmbeddings: embeddings.length },
    );
  }
  return embeddings.map((vector, i) => validateEmbedding(vector, `embeddings.${i}`));
}

async function providerEmbeddings(provider: EmbeddingProvider, chunks: readonly TextChunk[]): Promise<number[][]> {
  const vectors = await provider.embed(chunks.map((chunk) => chunk.content));
  return vectors.map((vector) => {
    try {
      return validateEmbedding(vector);
    } catch (error) {
      if (isGatewayError(error)) {
        throw new GatewayError("EMBEDDING_PROVIDER_ERROR", "The embedding provider returned an unusable vector.", {
          reason: "invalid_response",
        });
      }
      throw error;
    }
  });
}

/**
 * Makes `text` the artifact's chunks, with embeddings. NOT_FOUND when the artifact does not exist or belongs to
 * another tenant (RLS hides it); BAD_USER_INPUT for bad text or vectors; EMBEDDING_PROVIDER_* when the provider
 * is needed and missing or failing. Nothing is written unless everything succeeds.
 */
export async function ingestArtifactText(
  tx: TenantTransaction,
  input: IngestInput,
  options: IngestOptions,
): Promise<IngestResult> {
  const chunks = chunksForIngestion(input.text, options.chunking);
  const given = input.embeddings ?? null;
  let vectors = given ? callerEmbeddings(given, chunks) : null;

  // Serializes ingestions of one artifact (FOR NO KEY UPDATE does not block rows that reference it).
  const [artifact] = await tx
    .select({ id: researchArtifact.id })
    .from(researchArtifact)
    .where(eq(researchArtifact.id, input.artifactId))
    .for("no key update");
  if (!artifact) throw new GatewayError("NOT_FOUND", "No research artifact with this ID.");

  if (!vectors) {
    const provider = requireEmbeddingProvider("Ingesting text without embeddings", options.provider);
    vectors = await providerEmbeddings(provider, chunks);
  }

  const replaced = await tx
    .delete(documentChunk)
    .where(eq(documentChunk.artifactId, artifact.id))
    .returning({ id: documentChunk.id });
  for (let start = 0; start < chunks.length; start += insertBatchSize) {
    const rows = chunks.slice(start, start + insertBatchSize).map((chunk) => ({
      artifactId: artifact.id,
      chunkIndex: chunk.index,
      content: chunk.content,
      tokenCount: chunk.tokenCount,
      // Text input of halfvec, cast by the column: six decimals, as a search's query vector.
      embedding: sql`${vectorLiteral(vectors[chunk.index] ?? [])}::halfvec(1536)`,
      metadata: {
        startOffset: chunk.startOffset,
        endOffset: chunk.endOffset,
        ...(chunk.heading !== undefined ? { heading: chunk.heading } : {}),
      },
    }));
    await tx.insert(documentChunk).values(rows);
  }
  return {
    artifactId: artifact.id,
    chunkCount: chunks.length,
    tokenCount: chunks.reduce((sum, chunk) => sum + chunk.tokenCount, 0),
    replacedChunkCount: replaced.length,
    embeddingSource: given ? "caller" : "provider",
  };
}
