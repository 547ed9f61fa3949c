import { EMBEDDING_DIMENSIONS } from "../../../schema/index.js";
import type { EmbeddingProviderConfig } from "../../platform/config/index.js";
import { GatewayError } from "../../platform/errors.js";
import { HALFVEC_MAX } from "./vectors.js";

// An OpenAI-compatible embeddings client (POST {model, input: string[]} → {data: [{index, embedding}]}),
// configured by the EMBEDDINGS_* variables (src/platform/config/search.ts, docs/search.md), which
// reach the resolvers in the GraphQL context (`ctx.search.embeddings`).
// Without EMBEDDINGS_URL there is no provider: text search and provider-embedded ingestion answer
// EMBEDDING_PROVIDER_NOT_CONFIGURED, while everything given vectors works as usual. Any failure of the
// provider (unreachable, timeout, non-2xx, a malformed answer, vectors of the wrong size) is
// EMBEDDING_PROVIDER_ERROR with a `reason`; it is thrown before anything is written.

export interface EmbeddingProvider {
  readonly model: string;
  /** One vector per text, in order, each of EMBEDDING_DIMENSIONS finite numbers in half-precision range. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

export type ProviderFailureReason = "timeout" | "unreachable" | "http_status" | "invalid_response";

function providerError(reason: ProviderFailureReason, message: string, extra: Record<string, unknown> = {}) {
  return new GatewayError("EMBEDDING_PROVIDER_ERROR", message, { reason, ...extra });
}

/** The configured provider, or null when there is none. */
export function embeddingProviderFor(config: EmbeddingProviderConfig | null): EmbeddingProvider | null {
  return config ? createEmbeddingProvider(config) : null;
}

/** The provider; EMBEDDING_PROVIDER_NOT_CONFIGURED (saying what to do instead) when there is none. */
export function requireEmbeddingProvider(purpose: string, provider: EmbeddingProvider | null): EmbeddingProvider {
  if (!provider) {
    throw new GatewayError(
      "EMBEDDING_PROVIDER_NOT_CONFIGURED",
      `${purpose} needs an embedding provider, and none is configured (EMBEDDINGS_URL).`,
    );
  }
  return provider;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** The `embedding` of each `data` item, ordered by `index`, each checked. Throws invalid_response otherwise. */
function embeddingsFromBody(body: unknown, expected: number): number[][] {
  const invalid = (message: string) =>
    providerError("invalid_response", `The embedding provider answered something unusable: ${message}.`);
  if (typeof body !== "object" || body === null || !("data" in body) || !Array.isArray(body.data)) {
    throw invalid("no `data` list");
  }
  const items: unknown[] = body.data;
  if (items.length !== expected) throw invalid(`${items.length} embeddings for ${expected} texts`);
  const vectors: (number[] | undefined)[] = new Array(expected);
  items.forEach((item, position) => {
    if (typeof item !== "object" || item === null || !("embedding" in item)) throw invalid("an item has no embedding");
    const index = "index" in item && typeof item.index === "number" ? item.index : position;
    if (!Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
      throw invalid("item indexes do not match the texts");
    }
    const embedding = item.embedding;
    if (!Array.isArray(embedding)) throw invalid("an embedding is not a list of numbers (encoding_format float)");
    if (embedding.length !== EMBEDDING_DIMENSIONS) {
      throw invalid(`vectors of ${embedding.length} dimensions, the index holds ${EMBEDDING_DIMENSIONS}`);
    }
    const numbers: number[] = [];
    for (const x of embedding) {
      if (typeof x !== "number" || !Number.isFinite(x) || Math.abs(x) > HALFVEC_MAX) {
        throw invalid("a vector holds a value that is not a finite number in half-precision range");
      }
      numbers.push(x);
    }
    vectors[index] = numbers;
  });
  return vectors.map((vector) => {
    if (!vector) throw invalid("an embedding is missing");
    return vector;
  });
}

export function createEmbeddingProvider(config: EmbeddingProviderConfig): EmbeddingProvider {
  async function embedBatch(texts: readonly string[]): Promise<number[][]> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    let response: Response;
    let body: unknown;
    try {
      // One signal for the request and the body: a provider that stalls mid-answer times out as well.
      const signal = AbortSignal.timeout(config.timeoutMs);
      response = await fetch(config.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: config.model, input: texts, encoding_format: "float" }),
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw providerError(
          "http_status",
          `The embedding provider answered HTTP ${response.status}${response.status === 429 ? " (rate limited)" : ""}.`,
          { providerStatus: response.status },
        );
      }
      try {
        body = await response.json();
      } catch (error) {
        if (isTimeout(error)) throw error;
        throw providerError("invalid_response", "The embedding provider answered something that is not JSON.");
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (isTimeout(error)) {
        throw providerError("timeout", `The embedding provider did not answer within ${config.timeoutMs} ms.`, {
          timeoutMs: config.timeoutMs,
        });
      }
      throw providerError("unreachable", "The embedding provider could not be reached.");
    }
    return embeddingsFromBody(body, texts.length);
  }

  return {
    model: config.model,
    async embed(texts) {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += config.batchSize) {
        vectors.push(...(await embedBatch(texts.slice(start, start + config.batchSize))));
      }
      return vectors;
    },
  };
}
