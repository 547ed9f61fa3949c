import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/http/app.js";
import { loadTrustedDocuments } from "../../src/pipeline/trusted-documents.js";
import { defaultTrustedDocumentsPath, loadConfig } from "../../src/platform/config/index.js";
import { DEMO_TOKEN } from "../../src/platform/db/index.js";
import { acme } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { baseUrl, createTestGateway, type TestGateway } from "../support/gateway.js";
import { tableCounts } from "./helpers.js";

// Trusted documents: with the allowlist codegen writes (test/operations/generated/persisted-documents.json),
// only operations named by hash run. Free-form queries are refused in production, allowed in development.

describe(`trusted documents on ${backendName}`, () => {
  let gw: TestGateway;
  let production: App;
  let development: App;
  const documents = loadTrustedDocuments(defaultTrustedDocumentsPath);
  const summary = [...documents.entries()].find(([, text]) => text.startsWith("query AiUsageSummary"));

  beforeAll(async () => {
    gw = await createTestGateway();
    const common = { database: gw.db.database, auth: gw.auth, logger: pino({ level: "silent" }) };
    production = createApp({
      ...common,
      graphiql: false,
      hostileInput: { production: true, trustedDocumentsPath: defaultTrustedDocumentsPath },
    });
    development = createApp({
      ...common,
      graphiql: true,
      hostileInput: { production: false, trustedDocumentsPath: defaultTrustedDocumentsPath },
    });
  }, 300_000);
  afterAll(async () => {
    await gw?.cleanup();
  });

  async function send(app: App, body: Record<string, unknown>) {
    const response = await app.fetch(
      new Request(`${baseUrl}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${DEMO_TOKEN}`,
          "x-organization-id": acme,
        },
        body: JSON.stringify(body),
      }),
    );
    const json = (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    return { status: response.status, ...json, codes: (json.errors ?? []).map((e) => e.extensions?.code) };
  }

  const variables = { from: "2026-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z" };

  it("the allowlist holds every repo operation, keyed by sha256", () => {
    expect(documents.size).toBeGreaterThanOrEqual(3);
    for (const hash of documents.keys()) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(summary).toBeDefined();
  });

  it("a known hash runs (documentId, or Apollo's persistedQuery extension)", async () => {
    const [hash] = summary ?? [""];
    const byId = await send(production, { documentId: hash, variables });
    expect(byId.codes).toEqual([]);
    expect(byId.data).toHaveProperty("aiUsageSummary");
    const byExtension = await send(production, {
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(byExtension.codes).toEqual([]);
  });

  it("Relay's doc_id runs too; so does a documentId or doc_id in a GET URL (queries only: a mutation is 405)", async () => {
    const [hash] = summary ?? [""];
    const byDocId = await send(production, { doc_id: hash, variables });
    expect(byDocId.codes).toEqual([]);
    expect(byDocId.data).toHaveProperty("aiUsageSummary");
    const overGet = (params: Record<string, string>) =>
      production.fetch(
        new Request(`${baseUrl}/graphql?${new URLSearchParams(params)}`, {
          headers: { authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": acme, "x-graphql-csrf": "1" },
        }),
      );
    for (const param of ["documentId", "doc_id"]) {
      const response = await overGet({ [param]: hash, variables: JSON.stringify(variables) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data?: unknown }).data).toHaveProperty("aiUsageSummary");
    }
    const mutation = [...documents.entries()].find(([, text]) => text.startsWith("mutation CreateResearchPlan"));
    const mutationOverGet = await overGet({ documentId: mutation?.[0] ?? "", variables: '{"input":{"title":"x"}}' });
    expect(mutationOverGet.status).toBe(405);
  });

  it("trusted documents off: a bare hash is PERSISTED_QUERY_NOT_SUPPORTED; text beside a hash runs", async () => {
    const [hash] = summary ?? [""];
    const open = createApp({
      database: gw.db.database,
      auth: gw.auth,
      logger: pino({ level: "silent" }),
      graphiql: false,
    });
    for (const body of [
      { documentId: hash, variables },
      { doc_id: hash, variables },
      { variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } },
    ]) {
      expect((await send(open, body)).codes).toEqual(["PERSISTED_QUERY_NOT_SUPPORTED"]);
    }
    expect((await send(open, { query: summary?.[1], documentId: hash, variables })).codes).toEqual([]);
  });

  it("an unknown hash is TRUSTED_DOCUMENT_NOT_FOUND; a free-form query is TRUSTED_DOCUMENT_REQUIRED; nothing runs", async () => {
    const before = await tableCounts(gw);
    const unknown = await send(production, { documentId: "0".repeat(64) });
    expect(unknown.codes).toEqual(["TRUSTED_DOCUMENT_NOT_FOUND"]);
    expect(unknown.data ?? null).toBeNull();
    const { result: freeForm, statements } = await gw.countStatements(() =>
      send(production, { query: 'mutation { createResearchPlan(input: { title: "free" }) { plan { id } } }' }),
    );
    expect(freeForm.codes).toEqual(["TRUSTED_DOCUMENT_REQUIRED"]);
    expect(statements).toEqual([]);
    // Even the exact text of a trusted document must come as its hash.
    const sameText = await send(production, { query: summary?.[1], variables });
    expect(sameText.codes).toEqual(["TRUSTED_DOCUMENT_REQUIRED"]);
    expect(await tableCounts(gw)).toEqual(before);
  });

  it("development (GraphiQL on): free-form queries still run, hashes too", async () => {
    expect((await send(development, { query: "{ organization { id } }" })).codes).toEqual([]);
    expect((await send(development, { documentId: summary?.[0], variables })).codes).toEqual([]);
  });

  it("configuration: TRUSTED_DOCUMENTS=1 uses the codegen manifest, a path names another, off by default", () => {
    const base = { NODE_ENV: "test" };
    expect(loadConfig(base).hostileInput.trustedDocumentsPath).toBeUndefined();
    expect(loadConfig({ ...base, TRUSTED_DOCUMENTS: "1" }).hostileInput.trustedDocumentsPath).toBe(
      defaultTrustedDocumentsPath,
    );
    const elsewhere = join(mkdtempSync(join(tmpdir(), "trusted-")), "allowlist.json");
    writeFileSync(elsewhere, "{}");
    expect(loadConfig({ ...base, TRUSTED_DOCUMENTS: elsewhere }).hostileInput.trustedDocumentsPath).toBe(elsewhere);
    // A manifest that is not there is a configuration problem, reported with the others, not a crash later.
    expect(() => loadConfig({ ...base, TRUSTED_DOCUMENTS: "ops/missing.json" })).toThrow(
      /TRUSTED_DOCUMENTS: no manifest at ops\/missing.json/,
    );
    const limits = loadConfig({
      ...base,
      MAX_DEPTH: "12",
      MAX_COST: "500",
      CORS_ORIGINS: "https://a.example",
    }).hostileInput;
    expect(limits.limits).toMatchObject({ maxDepth: 12, maxCost: 500, maxAliases: 15 });
    expect(limits.corsOrigins).toEqual(["https://a.example"]);
    expect(() => loadConfig({ ...base, MAX_DEPTH: "0" })).toThrow(/MAX_DEPTH/);
    expect(() => loadConfig({ ...base, REDIS_URL: "http://x" })).toThrow(/REDIS_URL/);
  });
});
