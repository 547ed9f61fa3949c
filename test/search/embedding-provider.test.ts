import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS } from "../../schema/index.js";
import {
  createEmbeddingProvider,
  embeddingProviderFor,
  requireEmbeddingProvider,
} from "../../src/domains/search/embedding-provider.js";
import { topicEmbedding } from "../../src/platform/db/seed/embeddings.js";
import { embeddingConfigFrom, type FakeProvider, startFakeProvider } from "./fake-provider.js";

// The OpenAI-compatible client against a real local HTTP server (node:http on 127.0.0.1), no database.

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.mode = "ok";
  fake.requests.length = 0;
});

async function failureOf(promise: Promise<unknown>): Promise<{ code?: unknown; message?: unknown; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: unknown; message?: unknown; details?: unknown };
  }
  throw new Error("expected a failure");
}

describe("configuration", () => {
  it("is absent without EMBEDDINGS_URL, and requiring it then says what is missing", () => {
    expect(embeddingConfigFrom({})).toBeNull();
    expect(embeddingProviderFor(embeddingConfigFrom({}))).toBeNull();
    expect(() => requireEmbeddingProvider("Text search", null)).toThrow(/Text search needs an embedding provider/);
    try {
      requireEmbeddingProvider("Text search", null);
    } catch (error) {
      expect(error).toMatchObject({ code: "EMBEDDING_PROVIDER_NOT_CONFIGURED" });
    }
  });

  it("reads URL (a base URL gets /embeddings), model, key and timeout", () => {
    expect(
      embeddingConfigFrom({
        EMBEDDINGS_URL: "https://api.example.test/v1/",
        EMBEDDINGS_MODEL: "m",
        EMBEDDINGS_API_KEY: "k",
        EMBEDDINGS_TIMEOUT_MS: "1500",
      }),
    ).toEqual({
      url: "https://api.example.test/v1/embeddings",
      model: "m",
      apiKey: "k",
      timeoutMs: 1500,
      batchSize: 64,
    });
    expect(embeddingConfigFrom({ EMBEDDINGS_URL: "http://h/x/embeddings" })).toMatchObject({
      url: "http://h/x/embeddings",
      model: "text-embedding-3-small",
      apiKey: undefined,
      timeoutMs: 10_000,
    });
  });

  it.each([
    [{ EMBEDDINGS_URL: "not a url" }, /not a URL/],
    [{ EMBEDDINGS_URL: "ftp://h/v1" }, /http/],
    [{ EMBEDDINGS_URL: "http://h/v1", EMBEDDINGS_TIMEOUT_MS: "soon" }, /EMBEDDINGS_TIMEOUT_MS/],
  ])("refuses a misconfiguration %j", (env, message) => {
    expect(() => embeddingConfigFrom(env)).toThrow(message);
  });
});

describe("embedding through an OpenAI-compatible endpoint", () => {
  it("sends model, inputs and the key, and places each vector by its index", async () => {
    const config = embeddingConfigFrom({
      EMBEDDINGS_URL: fake.url,
      EMBEDDINGS_MODEL: "fake-model",
      EMBEDDINGS_API_KEY: "sk-test",
    });
    const provider = requireEmbeddingProvider("Test", embeddingProviderFor(config));
    const vectors = await provider.embed(["alpha", "beta", "gamma"]);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(EMBEDDING_DIMENSIONS);
    // The fake answers in reverse order; the client puts them back.
    expect(vectors[1]?.[0]).toBeCloseTo(topicEmbedding("beta")[0] ?? Number.NaN, 12);
    expect(fake.requests).toEqual([
      {
        path: "/v1/embeddings",
        authorization: "Bearer sk-test",
        body: { model: "fake-model", input: ["alpha", "beta", "gamma"], encoding_format: "float" },
      },
    ]);
  });

  it("splits large inputs into batches", async () => {
    const provider = createEmbeddingProvider({
      url: `${fake.url}/embeddings`,
      model: "m",
      apiKey: undefined,
      timeoutMs: 5_000,
      batchSize: 2,
    });
    const vectors = await provider.embed(["a", "b", "c", "d", "e"]);
    expect(vectors.map((v) => v[0])).toEqual(["a", "b", "c", "d", "e"].map((t) => topicEmbedding(t)[0]));
    expect(fake.requests.map((r) => r.body.input)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(fake.requests[0]?.authorization).toBeUndefined();
  });

  const provider = () =>
    createEmbeddingProvider({
      url: `${fake.url}/embeddings`,
      model: "m",
      apiKey: undefined,
      timeoutMs: 300,
      batchSize: 64,
    });

  it("turns an HTTP error into EMBEDDING_PROVIDER_ERROR (http_status)", async () => {
    fake.mode = "error";
    expect(await failureOf(provider().embed(["x"]))).toMatchObject({
      code: "EMBEDDING_PROVIDER_ERROR",
      message: "The embedding provider answered HTTP 500.",
      details: { reason: "http_status", providerStatus: 500 },
    });
  });

  it("gives up after EMBEDDINGS_TIMEOUT_MS (timeout)", async () => {
    fake.mode = "slow";
    const started = Date.now();
    expect(await failureOf(provider().embed(["x"]))).toMatchObject({
      code: "EMBEDDING_PROVIDER_ERROR",
      details: { reason: "timeout", timeoutMs: 300 },
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    ["wrong-dimensions", /3 dimensions/],
    ["garbage", /not JSON/],
  ] as const)("refuses an unusable answer (%s)", async (mode, message) => {
    fake.mode = mode;
    const failure = await failureOf(provider().embed(["x"]));
    expect(failure).toMatchObject({ code: "EMBEDDING_PROVIDER_ERROR", details: { reason: "invalid_response" } });
    expect(String(failure.message)).toMatch(message);
  });

  it("reports an unreachable endpoint (unreachable)", async () => {
    const unreachable = createEmbeddingProvider({
      url: "http://127.0.0.1:1/v1/embeddings",
      model: "m",
      apiKey: undefined,
      timeoutMs: 2_000,
      batchSize: 64,
    });
    expect(await failureOf(unreachable.embed(["x"]))).toMatchObject({
      code: "EMBEDDING_PROVIDER_ERROR",
      details: { reason: "unreachable" },
    });
  });
});
