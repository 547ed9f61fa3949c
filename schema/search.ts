import { defineRelationsPart } from "drizzle-orm";
import { halfvec, index, integer, jsonb, pgTable, text, unique } from "drizzle-orm/pg-core";
import { organization } from "./auth.js";
import { tenantBaseColumns, tenantColumns, tenantForeignKey, tenantPolicies } from "./base.js";
import { researchArtifact } from "./research.js";

// Search: artifacts split into chunks with embeddings for semantic search.

export const EMBEDDING_DIMENSIONS = 1536;

export interface ChunkMetadata {
  startOffset?: number;
  endOffset?: number;
  heading?: string;
}

export const documentChunk = pgTable.withRLS(
  "document_chunk",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    artifactId: text("artifact_id").notNull(),
    chunkIndex: integer("chunk_index").notNull(),
    content: text("content").notNull(),
    tokenCount: integer("token_count").notNull(),
    /** Half precision: half the storage of vector(1536), with negligible recall loss. */
    embedding: halfvec("embedding", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
    metadata: jsonb("metadata").$type<ChunkMetadata>().notNull().default({}),
  },
  (t) => [
    ...tenantPolicies("document_chunk", t),
    tenantForeignKey(
      "document_chunk_artifact_fkey",
      { organizationId: t.organizationId, column: t.artifactId },
      researchArtifact,
    ).onDelete("cascade"),
    unique("document_chunk_artifact_index_key").on(t.organizationId, t.artifactId, t.chunkIndex),
    // The one index on a tenant table that cannot lead with organization_id: HNSW indexes a single vector
    // column. Searches filter by tenant through RLS (and, distributed or partitioned, run per shard or
    // partition); see schema/distribution.ts and docs/citus.md.
    index("document_chunk_embedding_hnsw_idx").using("hnsw", t.embedding.op("halfvec_cosine_ops")),
  ],
);

export const searchRelations = defineRelationsPart({ organization, researchArtifact, documentChunk }, (r) => ({
  researchArtifact: {
    chunks: r.many.documentChunk({
      from: [r.researchArtifact.organizationId, r.researchArtifact.id],
      to: [r.documentChunk.organizationId, r.documentChunk.artifactId],
    }),
  },
  documentChunk: {
    organization: r.one.organization({ from: r.documentChunk.organizationId, to: r.organization.id, optional: false }),
    artifact: r.one.researchArtifact({
      from: [r.documentChunk.organizationId, r.documentChunk.artifactId],
      to: [r.researchArtifact.organizationId, r.researchArtifact.id],
      optional: false,
    }),
  },
}));
