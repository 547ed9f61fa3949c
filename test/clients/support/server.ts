import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { createApp } from "../../../src/http/app.js";
import { type HttpServer, listen } from "../../../src/http/server.js";
import { DEMO_TOKEN } from "../../../src/platform/db/index.js";
import { createTestGateway, type TestGateway } from "../../support/gateway.js";

// The gateway on loopback ports, for client libraries that speak HTTP: one database with the demo data, served
// twice: as configured by default (trusted documents off), and as production with a trusted-documents manifest.

/** What every client sends: Alice's demo personal access token and her Acme tenant. */
export const aliceAtAcme = {
  authorization: `Bearer ${DEMO_TOKEN}`,
  "x-organization-id": "demo-org-acme",
} as const;

export interface ClientServer {
  gateway: TestGateway;
  /** /graphql with the default configuration: free-form queries, no trusted documents. */
  endpoint: string;
  /** /graphql of a production gateway that runs only the documents of `trustedDocuments` (by hash). */
  trustedEndpoint: string;
  close(): Promise<void>;
}

/** `trustedDocuments`: sha256 (hex) → document text, written to a manifest as `npm run codegen` would. */
export async function startClientServer(trustedDocuments: ReadonlyMap<string, string>): Promise<ClientServer> {
  const gateway = await createTestGateway();
  const manifestPath = join(mkdtempSync(join(tmpdir(), "trovella-clients-")), "persisted-documents.json");
  writeFileSync(manifestPath, JSON.stringify(Object.fromEntries(trustedDocuments)));
  const trusted = createApp({
    database: gateway.db.database,
    auth: gateway.auth,
    logger: pino({ level: "silent" }),
    graphiql: false,
    hostileInput: { production: true, trustedDocumentsPath: manifestPath },
  });
  const servers: HttpServer[] = [await listen(gateway.app, 0, "127.0.0.1"), await listen(trusted, 0, "127.0.0.1")];
  const [open, production] = servers.map((server) => `http://127.0.0.1:${server.port}/graphql`);
  return {
    gateway,
    endpoint: open ?? "",
    trustedEndpoint: production ?? "",
    close: async () => {
      await Promise.all(servers.map((server) => server.close(5000)));
      await gateway.cleanup();
    },
  };
}

/** The methods and bodies a client's fetch sent: to show what "its defaults" are, not to change them. */
export interface SentRequests {
  fetch: typeof fetch;
  sent: { method: string; url: string; headers: Headers; body: string | null }[];
}

export function recordingFetch(): SentRequests {
  const sent: SentRequests["sent"] = [];
  const recording: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    sent.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: typeof init?.body === "string" ? init.body : null,
    });
    return fetch(input, init);
  };
  return { fetch: recording, sent };
}
