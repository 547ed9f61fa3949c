import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EMBEDDING_DIMENSIONS } from "../../schema/index.js";
import { type EmbeddingProviderConfig, loadConfig } from "../../src/platform/config/index.js";
import { topicEmbedding } from "../../src/platform/db/seed/embeddings.js";

// A real HTTP server on 127.0.0.1 speaking the OpenAI embeddings protocol, for tests: POST /v1/embeddings
// {model, input: string[]} → {object: "list", data: [{object: "embedding", index, embedding}], model}.
// The embedding of a text is topicEmbedding(text): the demo seed's topic centres, so embedding a demo topic's
// name gives the vector its chunks cluster around. `mode` makes it misbehave on purpose.

export type FakeProviderMode =
  | "ok"
  /** HTTP 500 with an OpenAI-style error body. */
  | "error"
  /** Answers only after `delayMs` (longer than the client's timeout). */
  | "slow"
  /** Vectors of 3 numbers. */
  | "wrong-dimensions"
  /** 200 with a body that is not JSON. */
  | "garbage";

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: { model?: unknown; input?: unknown; encoding_format?: unknown };
}

export interface FakeProvider {
  /** The base URL to put in EMBEDDINGS_URL (`http://127.0.0.1:port/v1`). */
  url: string;
  mode: FakeProviderMode;
  delayMs: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    request.on("error", reject);
  });
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const pending = new Set<NodeJS.Timeout>();
  const state: FakeProvider = {
    url: "",
    mode: "ok",
    delayMs: 2_000,
    requests: [],
    close: async () => {
      for (const timer of pending) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const body = JSON.parse(raw) as RecordedRequest["body"];
      state.requests.push({ path: request.url ?? "", authorization: request.headers.authorization, body });
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input)];
      const send = (status: number, payload: string) => {
        if (response.destroyed) return;
        response.writeHead(status, { "content-type": "application/json" });
        response.end(payload);
      };
      if (request.url !== "/v1/embeddings" || request.method !== "POST") {
        send(404, JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      switch (state.mode) {
        case "error":
          send(500, JSON.stringify({ error: { message: "The server had an error", type: "server_error" } }));
          return;
        case "garbage":
          send(200, "<html>not json</html>");
          return;
        case "slow": {
          const timer = setTimeout(() => {
            pending.delete(timer);
            send(200, JSON.stringify({ object: "list", data: [] }));
          }, state.delayMs);
          pending.add(timer);
          return;
        }
        default: {
          const dimensions = state.mode === "wrong-dimensions" ? 3 : EMBEDDING_DIMENSIONS;
          // Out of order on purpose: clients must place each vector by its `index`.
          const data = inputs
            .map((text, index) => ({
              object: "embedding",
              index,
              embedding: topicEmbedding(text).slice(0, dimensions),
            }))
            .reverse();
          send(200, JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: 1 } }));
        }
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return state;
}

/** The embedding provider's settings from EMBEDDINGS_* variables, read as the gateway reads them at start. */
export function embeddingConfigFrom(variables: Record<string, string | undefined>): EmbeddingProviderConfig | null {
  return loadConfig(variables).search.embeddings;
}
