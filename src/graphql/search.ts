import { builder } from "./builder.js";

// Search (mirrors schema/search.ts): artifacts' chunks with their embeddings. Semantic search over them is
// its own feature (searchDocumentChunks).

export const DocumentChunk = builder.drizzleNode("documentChunk", {
  name: "DocumentChunk",
  description: "A passage of an artifact, with its embedding.",
  select: {},
  id: { column: (chunk) => chunk.id },
  fields: (t) => ({
    chunkIndex: t.exposeInt("chunkIndex"),
    content: t.exposeString("content"),
    tokenCount: t.exposeInt("tokenCount"),
    heading: t.string({
      nullable: true,
      select: { columns: { metadata: true } },
      resolve: (chunk) => chunk.metadata.heading ?? null,
    }),
    embedding: t.floatList({
      description: "1536 numbers. Read only when asked for: it is by far the largest column.",
      select: { columns: { embedding: true } },
      resolve: (chunk) => chunk.embedding,
    }),
    artifact: t.relation("artifact"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.drizzleObjectField("researchArtifact", "chunks", (t) =>
  t.relatedConnection("chunks", { query: { orderBy: { chunkIndex: "asc" } }, totalCount: true }),
);
