import DataLoader from "dataloader";
import type { FieldNode } from "graphql";
import { z } from "zod";
import { documentChunk } from "../../../schema/index.js";
import { GatewayError } from "../../platform/errors.js";
import { tenantAgent, tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { tableConnectionArgs } from "../../schema-builder/connection-args.js";
import { nodeConnection } from "../../schema-builder/connections.js";
import type { GraphQLContext } from "../../schema-builder/context.js";
import { parseInput } from "../../schema-builder/validation.js";
import { ResearchArtifact, ResearchPlan } from "../research/types.js";
import {
  embeddingProviderFor,
  type IngestResult,
  ingestArtifactText,
  maxSearchResults,
  type SearchHit,
  searchChunksByText,
  searchChunksByVector,
} from "./index.js";

// Search (mirrors schema/search.ts): artifacts' chunks with their embeddings, semantic search over them
// (searchDocumentChunks) and ingestion of an artifact's text (ingestArtifactText). The search itself, its
// strategy rule and the embedding provider live beside it in src/domains/search/; this file is the GraphQL surface.

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

const DocumentChunkConnection = nodeConnection(DocumentChunk, "DocumentChunk");

/** An artifact's chunks: the (organization_id, artifact_id, chunk_index) key serves both. */
const chunkArgs = tableConnectionArgs({
  name: "DocumentChunk",
  table: documentChunk,
  filter: ["chunkIndex"],
  order: { chunkIndex: "asc" },
  defaultOrder: "chunkIndex",
});

builder.drizzleObjectField("researchArtifact", "chunks", (t) =>
  t.relatedConnection(
    "chunks",
    { args: chunkArgs.args, query: (args) => chunkArgs.query(args), totalCount: true },
    DocumentChunkConnection,
  ),
);

// ---- Rows of the search results, one statement per field of the selection -----------------------------------

/**
 * A search answers ids; each result's `chunk` and `artifact` are read with the client's selection (planned
 * by plugin-drizzle, as for any drizzleField). The results of one list share one selection, so the rows of
 * every result are read together: one statement per (field, selection), on the operation's transaction.
 * Keyed by the field's AST node (the operation's `loaders.rowsBySelection`): aliases with different
 * selections get their own batch.
 */
function idOf(row: unknown): unknown {
  return typeof row === "object" && row !== null && "id" in row ? row.id : undefined;
}

function batchFor<Row>(
  ctx: GraphQLContext,
  fieldNode: FieldNode | undefined,
  load: (ids: string[]) => Promise<Row[]>,
): DataLoader<string, Row | null> {
  const batches = ctx.loaders.rowsBySelection;
  const key = fieldNode ?? ({} as FieldNode);
  let loader = batches.get(key) as DataLoader<string, Row | null> | undefined;
  if (!loader) {
    loader = new DataLoader<string, Row | null>(async (ids) => {
      const rows = await load([...ids]);
      const byId = new Map(rows.map((row) => [idOf(row), row]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    batches.set(key, loader as DataLoader<string, unknown>);
  }
  return loader;
}

/** A row found by the search but gone by the time it was read (deleted by a concurrent ingestion). */
const changedDuringSearch = () =>
  new GatewayError("CONFLICT", "The searched chunks changed while the search ran: search again.");

const DocumentChunkSearchResult = builder.objectRef<SearchHit>("DocumentChunkSearchResult").implement({
  description: "One search result: a chunk of the organization's artifacts and how similar it is to the query.",
  fields: (t) => ({
    score: t.float({
      description: "Cosine similarity with the query, from -1 to 1 (higher is closer).",
      resolve: (hit) => hit.score,
    }),
    chunk: t.drizzleField({
      type: "documentChunk",
      resolve: async (query, hit, _args, ctx, info) => {
        const loader = batchFor(ctx, info.fieldNodes[0], (ids) =>
          ctx.tx.query.documentChunk.findMany(query({ columns: { id: true }, where: { id: { in: ids } } })),
        );
        const row = await loader.load(hit.chunkId);
        if (!row) throw changedDuringSearch();
        return row;
      },
    }),
    artifact: t.drizzleField({
      type: "researchArtifact",
      description: "The artifact the chunk belongs to.",
      resolve: async (query, hit, _args, ctx, info) => {
        const loader = batchFor(ctx, info.fieldNodes[0], (ids) =>
          ctx.tx.query.researchArtifact.findMany(query({ columns: { id: true }, where: { id: { in: ids } } })),
        );
        const row = await loader.load(hit.artifactId);
        if (!row) throw changedDuringSearch();
        return row;
      },
    }),
  }),
});

const DocumentChunkSearchFilter = builder.inputType("DocumentChunkSearchFilter", {
  description: "Narrows a search; both given: chunks of that artifact, which must belong to that plan.",
  fields: (t) => ({
    artifactId: t.globalID({ for: ResearchArtifact, required: false, description: "Chunks of this artifact." }),
    planId: t.globalID({ for: ResearchPlan, required: false, description: "Chunks of this plan's artifacts." }),
  }),
});

const searchArgsSchema = z
  .object({
    embedding: z.array(z.unknown()).nullish(), // checked by validateEmbedding (clearer messages)
    text: z.string().nullish(),
    first: z
      .number()
      .int()
      .min(1, `must be from 1 to ${maxSearchResults}`)
      .max(maxSearchResults, `must be from 1 to ${maxSearchResults}`),
    minScore: z.number().min(-1, "must be from -1 to 1").max(1, "must be from -1 to 1").nullish(),
  })
  .refine((args) => (args.embedding == null) !== (args.text == null), {
    message: "give exactly one of embedding and text",
    path: ["embedding"],
  });

builder.queryFields((t) => ({
  searchDocumentChunks: t.field({
    type: [DocumentChunkSearchResult],
    description:
      "The organization's chunks nearest to a vector (`embedding`: 1536 numbers) or to a text (`text`: embedded by " +
      "the configured provider), most similar first. Give exactly one of them. Every tenant gets `first` of its " +
      "own chunks when it has that many (see README, Semantic search).",
    authScopes: tenantRead,
    args: {
      embedding: t.arg.floatList({ required: false, description: "The query vector: 1536 finite numbers." }),
      text: t.arg.string({ required: false, description: "A query text (needs an embedding provider)." }),
      first: t.arg.int({ required: false, defaultValue: 10, description: `1–${maxSearchResults}, default 10.` }),
      filter: t.arg({ type: DocumentChunkSearchFilter, required: false }),
      minScore: t.arg.float({ required: false, description: "Leave out results less similar than this (-1 to 1)." }),
    },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(searchArgsSchema, {
        embedding: args.embedding,
        text: args.text,
        first: args.first ?? 10,
        minScore: args.minScore,
      });
      const options = {
        tuning: ctx.search.tuning,
        first: input.first,
        minScore: input.minScore ?? null,
        filter: { artifactId: args.filter?.artifactId?.id ?? null, planId: args.filter?.planId?.id ?? null },
      };
      const result =
        input.text != null
          ? await searchChunksByText(ctx.tx, input.text, {
              ...options,
              provider: embeddingProviderFor(ctx.search.embeddings),
            })
          : await searchChunksByVector(ctx.tx, input.embedding, options);
      return result.hits;
    },
  }),
}));

// ---- Ingestion ----------------------------------------------------------------------------------------------

const EmbeddingSourceEnum = builder.enumType("EmbeddingSource", {
  description: "Where the embeddings of ingested chunks came from.",
  values: {
    CALLER: { value: "caller", description: "Given with the text, one per chunk." },
    PROVIDER: { value: "provider", description: "Computed by the configured embedding provider." },
  },
});

const IngestArtifactTextInput = builder.inputType("IngestArtifactTextInput", {
  fields: (t) => ({
    artifactId: t.globalID({ for: ResearchArtifact, required: true }),
    text: t.string({
      required: true,
      description: "Up to 200,000 characters. Split into chunks of at most 256 tokens (see README).",
    }),
    embeddings: t.field({
      type: t.listRef(t.listRef("Float")),
      required: false,
      description:
        "One vector (1536 numbers) per chunk, in chunk order. Omitted: the configured embedding provider computes " +
        "them. A wrong count is BAD_USER_INPUT with `expectedChunks`.",
    }),
  }),
});

const IngestArtifactTextPayload = builder.objectRef<IngestResult>("IngestArtifactTextPayload").implement({
  fields: (t) => ({
    artifact: t.drizzleField({
      type: "researchArtifact",
      // Re-read with the client's selection (its `chunks` are the new ones), on the same transaction.
      resolve: async (query, payload, _args, ctx) => {
        const artifact = await ctx.tx.query.researchArtifact.findFirst(query({ where: { id: payload.artifactId } }));
        if (!artifact) throw new GatewayError("NOT_FOUND", "No research artifact with this ID.");
        return artifact;
      },
    }),
    chunkCount: t.exposeInt("chunkCount", { description: "Chunks the artifact has now." }),
    tokenCount: t.exposeInt("tokenCount", { description: "Their tokens, summed (approximate tokenizer)." }),
    replacedChunkCount: t.exposeInt("replacedChunkCount", { description: "Chunks it had before, now replaced." }),
    embeddingSource: t.field({ type: EmbeddingSourceEnum, resolve: (payload) => payload.embeddingSource }),
  }),
});

builder.mutationFields((t) => ({
  ingestArtifactText: t.field({
    type: IngestArtifactTextPayload,
    description:
      "Makes `text` the artifact's searchable chunks (replacing any it had), with token counts and embeddings, " +
      "all in this operation's transaction: a bad vector, a provider error or a timeout writes nothing. Needs the " +
      "`agent` scope, like recording the artifact itself (sessions carry every scope).",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: IngestArtifactTextInput, required: true }) },
    resolve: (_root, args, ctx) =>
      ingestArtifactText(
        ctx.tx,
        { artifactId: args.input.artifactId.id, text: args.input.text, embeddings: args.input.embeddings ?? null },
        { provider: embeddingProviderFor(ctx.search.embeddings) },
      ),
  }),
}));
