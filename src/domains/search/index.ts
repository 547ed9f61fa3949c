// Semantic search over document chunks: the domain service (no GraphQL). See docs/search.md.
export { chunkText, countTokens, defaultChunkMaxTokens, type TextChunk } from "./chunking.js";
export {
  createEmbeddingProvider,
  type EmbeddingProvider,
  embeddingProviderFor,
  requireEmbeddingProvider,
} from "./embedding-provider.js";
export {
  type EmbeddingSource,
  type IngestInput,
  type IngestOptions,
  type IngestResult,
  ingestArtifactText,
  maxIngestChunks,
  maxIngestTextLength,
} from "./ingestion.js";
export {
  explainVectorSearch,
  maxSearchResults,
  maxSearchTextLength,
  type SearchFilter,
  type SearchHit,
  type SearchStrategy,
  searchChunksByText,
  searchChunksByVector,
  type VectorSearchOptions,
  type VectorSearchResult,
} from "./vector-search.js";
export { HALFVEC_MAX, validateEmbedding } from "./vectors.js";
