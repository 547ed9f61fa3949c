import { type SQL, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS } from "../../schema/index.js";
import { chunkText } from "../../src/domains/search/chunking.js";
import { defaultSearchTuning, type SearchConfig } from "../../src/platform/config/index.js";
import { demoOrganizations, demoUsers } from "../../src/platform/db/index.js";
import { researchTopics } from "../../src/platform/db/seed/demo-data.js";
import { embeddingNear, topicEmbedding } from "../../src/platform/db/seed/embeddings.js";
import {
  type Caller,
  createTestGateway,
  decodeGlobalId,
  demoPat,
  errorCodes,
  globalId,
  type RequestOptions,
  type SignedIn,
  type TestGateway,
} from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";
import { embeddingConfigFrom, type FakeProvider, startFakeProvider } from "./fake-provider.js";

// searchDocumentChunks and ingestArtifactText through the whole gateway (app.fetch, real credentials, one
// tenant transaction per operation) on the demo data: Acme (72 chunks), Globex (30), Initech (12). Their
// research topics overlap, so most vectors near an Initech topic belong to the other two tenants. The
// embedding provider is a real HTTP server on 127.0.0.1 (fake-provider.ts). Expected rows are read as the
// owner, bypassing RLS.

const acme = "demo-org-acme";
const initech = "demo-org-initech";

let gw: TestGateway;
let fake: FakeProvider;
let dave: SignedIn;
/** The gateway's search configuration: each request reads it, so a test can switch the provider. */
const search: SearchConfig = { tuning: defaultSearchTuning, embeddings: null };

const asAlice = { as: demoPat as Caller, options: { organizationId: acme } as RequestOptions };
const asDave = () => ({ as: dave.bearer as Caller, options: { organizationId: initech } as RequestOptions });

function owner<T>(query: SQL): Promise<T[]> {
  return gw.db.asOwner<T>(query);
}

/** Configures the embedding provider from EMBEDDINGS_* variables for one test (none after it). */
function useProvider(values: Record<string, string | undefined>): void {
  search.embeddings = embeddingConfigFrom(values);
}

beforeAll(async () => {
  gw = await createTestGateway({ search });
  fake = await startFakeProvider();
  dave = await gw.signIn(demoUsers.dave.email);
}, 300_000);
afterAll(async () => {
  await fake?.close();
  await gw?.cleanup();
});
afterEach(() => {
  search.embeddings = null;
  fake.mode = "ok";
  fake.requests.length = 0;
});

interface SearchResult {
  score: number;
  chunk: { id: string; content: string; tokenCount: number; artifact: { id: string } };
  artifact: { id: string; title: string; plan: { id: string; title: string } };
}

const searchQuery = `query Search($embedding: [Float!], $text: String, $first: Int, $filter: DocumentChunkSearchFilter, $minScore: Float) {
  searchDocumentChunks(embedding: $embedding, text: $text, first: $first, filter: $filter, minScore: $minScore) {
    score
    chunk { id content tokenCount artifact { id } }
    artifact { id title plan { id title } }
  }
}`;

async function searchAs(
  caller: { as: Caller; options: RequestOptions },
  variables: Record<string, unknown>,
): Promise<{ results: SearchResult[] | null | undefined; codes: (string | undefined)[]; messages: string[] }> {
  const response = await gw.graphql<{ searchDocumentChunks: SearchResult[] | null }>(
    { query: searchQuery, variables },
    caller.as,
    caller.options,
  );
  return {
    results: response.data?.searchDocumentChunks,
    codes: errorCodes(response),
    messages: (response.errors ?? []).map((error) => error.message),
  };
}

async function chunkIdsOf(organizationId: string): Promise<Set<string>> {
  const rows = await owner<{ id: string }>(
    sql`select id from document_chunk where organization_id = ${organizationId}`,
  );
  return new Set(rows.map((row) => row.id));
}

/** Initech's topics: the ones its plans are about (demo seed: topic index from the slug's length). */
const initechTopic = () => {
  const org = demoOrganizations.find((o) => o.id === initech);
  return researchTopics[(0 + (org?.slug.length ?? 0)) % researchTopics.length] ?? "";
};

describe("searchDocumentChunks with a vector", () => {
  it("answers the caller's own chunks, most similar first, with chunk and artifact", async () => {
    const vector = embeddingNear(topicEmbedding(initechTopic()), "probe-1", 0.2);
    const own = await chunkIdsOf(initech);
    expect(own.size).toBe(12);
    const { results, codes } = await searchAs(asDave(), { embedding: vector, first: 10 });
    expect(codes).toEqual([]);
    expect(results).toHaveLength(10);
    const rows = results ?? [];
    for (const result of rows) {
      expect(own.has(decodeGlobalId(result.chunk.id).id)).toBe(true);
      expect(result.chunk.artifact.id).toBe(result.artifact.id);
      expect(result.artifact.title).toMatch(/ — source \d$/);
      expect(result.chunk.content).toContain("(Initech)");
      expect(result.chunk.tokenCount).toBeGreaterThan(0);
    }
    const scores = rows.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The topic's own chunks come first.
    expect(rows[0]?.artifact.plan.title).toBe(initechTopic());
    expect(scores[0]).toBeGreaterThan(0.8);
  });

  it("fills k of k for the smallest tenant, and never more than it has", async () => {
    const vector = topicEmbedding(researchTopics[0] ?? "");
    expect((await searchAs(asDave(), { embedding: vector, first: 12 })).results).toHaveLength(12);
    expect((await searchAs(asDave(), { embedding: vector, first: 50 })).results).toHaveLength(12);
    expect((await searchAs(asDave(), { embedding: vector })).results).toHaveLength(10); // default first
  });

  it("the same vector as another tenant answers that tenant's chunks only", async () => {
    const vector = topicEmbedding(initechTopic());
    const own = await chunkIdsOf(acme);
    const { results } = await searchAs(asAlice, { embedding: vector, first: 50 });
    expect(results).toHaveLength(50);
    expect((results ?? []).every((r) => own.has(decodeGlobalId(r.chunk.id).id))).toBe(true);
  });

  it("reads the results' rows in a fixed number of statements, whatever `first` is", async () => {
    const vector = topicEmbedding(initechTopic());
    const count = async (first: number) =>
      (await gw.countStatements(() => searchAs(asAlice, { embedding: vector, first }))).statements.length;
    const few = await count(2);
    const many = await count(40);
    expect(many).toBe(few);
    // The operation's two (read only, tenant settings), the search's three (settings, bounded count, query), and one
    // read per selected field of the results, nested relations folded in (chunk + its artifact, artifact + its
    // plan): 7. On PGlite drizzle also logs the savepoint's SAVEPOINT and ROLLBACK TO (postgres.js sends its own).
    expect(many).toBeLessThanOrEqual(9);
  });

  it("filters by artifact and by plan (global ids), and by minScore", async () => {
    const [artifact] = await owner<{ id: string; plan_id: string }>(
      sql`select id, plan_id from research_artifact where organization_id = ${acme} order by id limit 1`,
    );
    const vector = topicEmbedding(initechTopic());
    const byArtifact = await searchAs(asAlice, {
      embedding: vector,
      filter: { artifactId: globalId("ResearchArtifact", artifact?.id ?? "") },
    });
    expect(byArtifact.results?.map((r) => decodeGlobalId(r.artifact.id).id)).toEqual([
      artifact?.id,
      artifact?.id,
      artifact?.id,
    ]);
    const byPlan = await searchAs(asAlice, {
      embedding: vector,
      filter: { planId: globalId("ResearchPlan", artifact?.plan_id ?? "") },
    });
    expect(byPlan.results).toHaveLength(6);
    expect(new Set(byPlan.results?.map((r) => decodeGlobalId(r.artifact.plan.id).id))).toEqual(
      new Set([artifact?.plan_id]),
    );
    const all = (await searchAs(asAlice, { embedding: vector, first: 50 })).results ?? [];
    const cut = all[5]?.score ?? 1;
    const above = (await searchAs(asAlice, { embedding: vector, first: 50, minScore: cut })).results ?? [];
    expect(above.length).toBeGreaterThanOrEqual(6);
    expect(above.every((r) => r.score >= cut)).toBe(true);
  });

  it("another tenant's artifact as a filter finds nothing", async () => {
    const [artifact] = await owner<{ id: string }>(
      sql`select id from research_artifact where organization_id = ${acme} limit 1`,
    );
    const { results, codes } = await searchAs(asDave(), {
      embedding: topicEmbedding(initechTopic()),
      filter: { artifactId: globalId("ResearchArtifact", artifact?.id ?? "") },
    });
    expect(codes).toEqual([]);
    expect(results).toEqual([]);
  });

  it("needs an organization and a signed-in caller", async () => {
    const vector = topicEmbedding(initechTopic());
    expect((await searchAs({ as: { kind: "anonymous" }, options: {} }, { embedding: vector })).codes).toEqual([
      "UNAUTHENTICATED",
    ]);
    expect((await searchAs({ as: dave.bearer, options: {} }, { embedding: vector })).codes).toEqual(["FORBIDDEN"]);
  });
});

describe("bad input to searchDocumentChunks", () => {
  const good = () => topicEmbedding("anything");

  it.each([
    ["a vector of 1535 numbers", () => ({ embedding: good().slice(1) }), /exactly 1536 numbers, got 1535/],
    ["a vector of 1537 numbers", () => ({ embedding: [...good(), 0] }), /exactly 1536 numbers, got 1537/],
    ["a value beyond half precision", () => ({ embedding: good().map((x, i) => (i ? x : 1e9)) }), /out of range/],
    ["a huge value", () => ({ embedding: good().map((x, i) => (i ? x : 1.7e308)) }), /out of range/],
    ["the zero vector", () => ({ embedding: new Array(EMBEDDING_DIMENSIONS).fill(0) }), /zero vector/],
    ["both embedding and text", () => ({ embedding: good(), text: "x" }), /exactly one of embedding and text/],
    ["neither embedding nor text", () => ({}), /exactly one of embedding and text/],
    ["first: 51", () => ({ embedding: good(), first: 51 }), /first/],
    ["first: 0", () => ({ embedding: good(), first: 0 }), /first/],
    ["minScore: 1.5", () => ({ embedding: good(), minScore: 1.5 }), /minScore/],
  ])("refuses %s as BAD_USER_INPUT", async (_label, variables, message) => {
    const { results, codes, messages } = await searchAs(asAlice, variables());
    expect(results ?? null).toBeNull();
    expect(codes).toEqual(["BAD_USER_INPUT"]);
    expect(messages[0]).toMatch(message);
  });

  it("NaN and Infinity: refused by GraphQL in variables, and by our validation in a literal", async () => {
    // A literal that overflows to Infinity passes graphql-js's Float literal parsing: the resolver refuses it.
    const literal = `[${["1e999", ...good().slice(1).map(String)].join(",")}]`;
    const response = await gw.graphql<{ searchDocumentChunks: unknown }>(
      { query: `{ searchDocumentChunks(embedding: ${literal}) { score } }` },
      asAlice.as,
      asAlice.options,
    );
    expect(response.data?.searchDocumentChunks ?? null).toBeNull();
    expect(errorCodes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.errors?.[0]?.message).toMatch(/value 0 is not a finite number/);
    // JSON has no NaN or Infinity: a serializer sends null, which a [Float!] variable refuses before execution.
    const viaJson = await searchAs(asAlice, {
      embedding: JSON.parse(JSON.stringify([Number.NaN, ...good().slice(1)])),
    });
    expect(viaJson.results ?? null).toBeNull();
    expect(viaJson.messages[0]).toMatch(/null/);
  });
});

describe("text search and the embedding provider", () => {
  it("without a provider, text search is a clear error while vector search works", async () => {
    useProvider({});
    const response = await gw.graphql<{ byText: unknown }>(
      { query: `{ byText: searchDocumentChunks(text: "coastal flooding") { score } }` },
      asAlice.as,
      asAlice.options,
    );
    // searchDocumentChunks is non-null (docs/clients.md): its error nulls `data`.
    expect(response.data ?? null).toBeNull();
    expect(errorCodes(response)).toEqual(["EMBEDDING_PROVIDER_NOT_CONFIGURED"]);
    expect(response.errors?.[0]?.path).toEqual(["byText"]);
    expect(response.errors?.[0]?.message).toMatch(/Text search needs an embedding provider.*EMBEDDINGS_URL/);
    const byVector = await gw.graphql<{ byVector: { score: number }[] }>(
      {
        query: "query($v: [Float!]) { byVector: searchDocumentChunks(embedding: $v, first: 3) { score } }",
        variables: { v: topicEmbedding(initechTopic()) },
      },
      asAlice.as,
      asAlice.options,
    );
    expect(byVector.errors).toBeUndefined();
    expect(byVector.data?.byVector).toHaveLength(3);
  });

  it("with a provider, text search embeds the text and ranks the tenant's chunks", async () => {
    useProvider({ EMBEDDINGS_URL: fake.url, EMBEDDINGS_MODEL: "fake-embed", EMBEDDINGS_API_KEY: "sk-fake" });
    const topic = initechTopic();
    const { results, codes } = await searchAs(asDave(), { text: topic, first: 6 });
    expect(codes).toEqual([]);
    expect(results).toHaveLength(6);
    expect(results?.every((r) => r.artifact.plan.title === topic)).toBe(true);
    expect(fake.requests).toEqual([
      {
        path: "/v1/embeddings",
        authorization: "Bearer sk-fake",
        body: { model: "fake-embed", input: [topic], encoding_format: "float" },
      },
    ]);
  });

  it.each([
    ["error", {}, "http_status"],
    ["slow", { EMBEDDINGS_TIMEOUT_MS: "200" }, "timeout"],
    ["wrong-dimensions", {}, "invalid_response"],
  ] as const)("a provider that fails (%s) gives EMBEDDING_PROVIDER_ERROR", async (mode, env, reason) => {
    useProvider({ EMBEDDINGS_URL: fake.url, ...env });
    fake.mode = mode;
    const response = await gw.graphql<{ searchDocumentChunks: unknown }>(
      { query: searchQuery, variables: { text: "anything" } },
      asAlice.as,
      asAlice.options,
    );
    expect(response.data?.searchDocumentChunks ?? null).toBeNull();
    expect(errorCodes(response)).toEqual(["EMBEDDING_PROVIDER_ERROR"]);
    expect(response.errors?.[0]?.extensions?.reason).toBe(reason);
  });
});

describe("ingestArtifactText", () => {
  const ingestMutation = `mutation Ingest($input: IngestArtifactTextInput!) {
    ingestArtifactText(input: $input) {
      chunkCount tokenCount replacedChunkCount embeddingSource
      artifact { id chunks(first: 100) { totalCount nodes { chunkIndex content tokenCount heading } } }
    }
  }`;

  interface IngestPayload {
    chunkCount: number;
    tokenCount: number;
    replacedChunkCount: number;
    embeddingSource: "CALLER" | "PROVIDER";
    artifact: {
      id: string;
      chunks: {
        totalCount: number;
        nodes: { chunkIndex: number; content: string; tokenCount: number; heading: string | null }[];
      };
    };
  }

  /** A fresh artifact of Initech's (so tests do not see each other's chunks), with three old chunks. */
  async function freshArtifact(name: string): Promise<string> {
    const [plan] = await owner<{ id: string }>(
      sql`select id from research_plan where organization_id = ${initech} limit 1`,
    );
    const id = `ingest-${name}`;
    await owner(sql`insert into research_artifact (id, organization_id, plan_id, kind, title)
      values (${id}, ${initech}, ${plan?.id ?? ""}, 'document', ${`Ingest ${name}`})`);
    for (let i = 0; i < 3; i++) {
      await owner(sql`insert into document_chunk (id, organization_id, artifact_id, chunk_index, content, token_count, embedding)
        values (${`${id}-old-${i}`}, ${initech}, ${id}, ${i}, ${`old ${i}`}, 2,
        ${`[${topicEmbedding(`old-${i}`).join(",")}]`}::halfvec(1536))`);
    }
    return id;
  }

  async function chunksOf(artifactId: string): Promise<{ id: string; content: string; organization_id: string }[]> {
    return owner(
      sql`select id, content, organization_id from document_chunk where artifact_id = ${artifactId} order by chunk_index`,
    );
  }

  const text = [
    "# Findings",
    "",
    ...Array.from({ length: 30 }, (_, i) => `Finding ${i}: recycled cathode material costs fell again in ${2000 + i}.`),
    "",
    "## Caveats",
    "Sample sizes were small.",
  ].join("\n");
  const expected = chunkText(text);

  function ingest(caller: { as: Caller; options: RequestOptions }, input: Record<string, unknown>) {
    return gw.graphql<{ ingestArtifactText: IngestPayload | null }>(
      { query: ingestMutation, variables: { input } },
      caller.as,
      caller.options,
    );
  }

  it("with the caller's embeddings: splits, counts tokens, replaces the chunks, and they are searchable", async () => {
    const artifactId = await freshArtifact("caller");
    expect(expected.length).toBeGreaterThan(2);
    const embeddings = expected.map((chunk) => embeddingNear(topicEmbedding("ingest"), `chunk-${chunk.index}`, 0.3));
    const response = await ingest(asDave(), {
      artifactId: globalId("ResearchArtifact", artifactId),
      text,
      embeddings,
    });
    expect(response.errors).toBeUndefined();
    const payload = response.data?.ingestArtifactText;
    expect(payload).toMatchObject({
      chunkCount: expected.length,
      tokenCount: expected.reduce((sum, c) => sum + c.tokenCount, 0),
      replacedChunkCount: 3,
      embeddingSource: "CALLER",
    });
    expect(payload?.artifact.chunks.totalCount).toBe(expected.length);
    expect(payload?.artifact.chunks.nodes).toEqual(
      expected.map((c) => ({
        chunkIndex: c.index,
        content: c.content,
        tokenCount: c.tokenCount,
        heading: c.heading ?? null,
      })),
    );
    const stored = await chunksOf(artifactId);
    expect(stored.map((row) => row.content)).toEqual(expected.map((c) => c.content));
    expect(new Set(stored.map((row) => row.organization_id))).toEqual(new Set([initech]));

    // Each chunk is its own nearest neighbour.
    const { results } = await searchAs(asDave(), {
      embedding: embeddings[1],
      first: 1,
      filter: { artifactId: globalId("ResearchArtifact", artifactId) },
    });
    expect(results?.[0]?.chunk.content).toBe(expected[1]?.content);
    expect(results?.[0]?.score).toBeGreaterThan(0.999);
  });

  it("with the provider: one embedding per chunk, batched, and nothing else differs", async () => {
    useProvider({ EMBEDDINGS_URL: fake.url, EMBEDDINGS_BATCH_SIZE: "2" });
    const artifactId = await freshArtifact("provider");
    const response = await ingest(asDave(), { artifactId: globalId("ResearchArtifact", artifactId), text });
    expect(response.errors).toBeUndefined();
    expect(response.data?.ingestArtifactText).toMatchObject({
      chunkCount: expected.length,
      embeddingSource: "PROVIDER",
      replacedChunkCount: 3,
    });
    expect(fake.requests.flatMap((r) => r.body.input as string[])).toEqual(expected.map((c) => c.content));
    expect(fake.requests).toHaveLength(Math.ceil(expected.length / 2));
    expect((await chunksOf(artifactId)).map((row) => row.content)).toEqual(expected.map((c) => c.content));
  });

  const unchanged = async (artifactId: string) =>
    expect((await chunksOf(artifactId)).map((row) => row.id)).toEqual([0, 1, 2].map((i) => `${artifactId}-old-${i}`));

  it.each([
    ["error", {}, "http_status"],
    ["slow", { EMBEDDINGS_TIMEOUT_MS: "200" }, "timeout"],
    ["garbage", {}, "invalid_response"],
  ] as const)("a provider failure (%s) is EMBEDDING_PROVIDER_ERROR and writes nothing", async (mode, env, reason) => {
    useProvider({ EMBEDDINGS_URL: fake.url, ...env });
    fake.mode = mode;
    const artifactId = await freshArtifact(`fail-${mode}`);
    const response = await ingest(asDave(), { artifactId: globalId("ResearchArtifact", artifactId), text });
    expect(errorCodes(response)).toEqual(["EMBEDDING_PROVIDER_ERROR"]);
    expect(response.errors?.[0]?.extensions?.reason).toBe(reason);
    await unchanged(artifactId);
  });

  it("without a provider and without embeddings: EMBEDDING_PROVIDER_NOT_CONFIGURED, nothing written", async () => {
    useProvider({});
    const artifactId = await freshArtifact("no-provider");
    const response = await ingest(asDave(), { artifactId: globalId("ResearchArtifact", artifactId), text });
    expect(errorCodes(response)).toEqual(["EMBEDDING_PROVIDER_NOT_CONFIGURED"]);
    await unchanged(artifactId);
  });

  it("the wrong number of embeddings is BAD_USER_INPUT saying how many chunks there are", async () => {
    const artifactId = await freshArtifact("count");
    const response = await ingest(asDave(), {
      artifactId: globalId("ResearchArtifact", artifactId),
      text,
      embeddings: [topicEmbedding("a")],
    });
    expect(errorCodes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.errors?.[0]?.extensions).toMatchObject({ field: "embeddings", expectedChunks: expected.length });
    await unchanged(artifactId);
  });

  it("a bad vector among the embeddings is BAD_USER_INPUT naming it, nothing written", async () => {
    const artifactId = await freshArtifact("bad-vector");
    const embeddings = expected.map((c) => topicEmbedding(`v${c.index}`));
    embeddings[1] = embeddings[1]?.slice(0, 100) ?? [];
    const response = await ingest(asDave(), { artifactId: globalId("ResearchArtifact", artifactId), text, embeddings });
    expect(errorCodes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.errors?.[0]?.message).toMatch(/^embeddings\.1: must have exactly 1536 numbers, got 100/);
    await unchanged(artifactId);
  });

  it("bad text is BAD_USER_INPUT", async () => {
    const artifactId = await freshArtifact("bad-text");
    const response = await ingest(asDave(), { artifactId: globalId("ResearchArtifact", artifactId), text: "  \n " });
    expect(errorCodes(response)).toEqual(["BAD_USER_INPUT"]);
    await unchanged(artifactId);
  });

  it("another tenant's artifact is NOT_FOUND, like a missing one", async () => {
    const artifactId = await freshArtifact("other-tenant");
    const embeddings = expected.map((c) => topicEmbedding(`v${c.index}`));
    for (const id of [artifactId, "no-such-artifact"]) {
      const response = await ingest(asAlice, { artifactId: globalId("ResearchArtifact", id), text, embeddings });
      expect(errorCodes(response)).toEqual(["NOT_FOUND"]);
    }
    await unchanged(artifactId);
  });

  it("needs the agent scope: a read-only token is FORBIDDEN", async () => {
    const artifactId = await freshArtifact("scope");
    const { token } = await createTokenForUser(
      { database: gw.db.database },
      { userId: demoUsers.dave.id, name: "read only", scopes: ["read"], expiresAt: null },
    );
    const response = await ingest(
      { as: { kind: "pat", token }, options: { organizationId: initech } },
      {
        artifactId: globalId("ResearchArtifact", artifactId),
        text,
        embeddings: expected.map(() => topicEmbedding("x")),
      },
    );
    expect(errorCodes(response)).toEqual(["FORBIDDEN"]);
    await unchanged(artifactId);
  });

  it("two ingestions in one operation are atomic: one failing writes neither", async () => {
    const first = await freshArtifact("atomic-1");
    const second = await freshArtifact("atomic-2");
    const embeddings = expected.map((c) => topicEmbedding(`v${c.index}`));
    const response = await gw.graphql(
      {
        query: `mutation($a: IngestArtifactTextInput!, $b: IngestArtifactTextInput!) {
          a: ingestArtifactText(input: $a) { chunkCount }
          b: ingestArtifactText(input: $b) { chunkCount }
        }`,
        variables: {
          a: { artifactId: globalId("ResearchArtifact", first), text, embeddings },
          b: { artifactId: globalId("ResearchArtifact", second), text, embeddings: embeddings.slice(1) },
        },
      },
      dave.bearer,
      { organizationId: initech },
    );
    expect(errorCodes(response)).toEqual(["BAD_USER_INPUT"]);
    await unchanged(first);
    await unchanged(second);
  });
});
