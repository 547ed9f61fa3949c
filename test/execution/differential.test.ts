import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GraphQLSchema } from "graphql";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import { type App, createApp } from "../../src/http/app.js";
import { type HttpServer, listen } from "../../src/http/server.js";
import { defaultBudgets, type Executor, executors } from "../../src/platform/config/index.js";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { acme, globex, initech } from "../graphql/helpers.js";
import { anonymous, type CampaignCaller, send } from "../security/campaign/callers.js";
import { harvest } from "../security/campaign/harvest.js";
import type { Pools } from "../security/campaign/values.js";
import { backendName } from "../support/database.js";
import { createTestGateway, type TestGateway } from "../support/gateway.js";
import { type Answer, differences } from "./differential/answers.js";
import {
  type DifferentialDocument,
  differentialSettings,
  frontendDocuments,
  generatedDocuments,
} from "./differential/cases.js";
import { type ReferenceExecutor, referenceExecutor, rollingBack } from "./differential/reference.js";

// The differential test of execution (issue 18): every example frontend operation (test/operations/) and
// documents generated from the schema (the schema campaign's generators, strict values within the limits),
// each used several times — by another tenant (or anonymous) with other variables each time — run through
// the gateway over HTTP on each executor (graphql-js, and jit: compiled once per document) and through plain
// graphql-js `execute` of the same schema with the same context and transaction semantics
// (differential/reference.ts). Data and errors (message, path, locations, extensions) must be identical.
// Every transaction rolls back, so each executor answers a mutation from the same rows.
// By hand, more: DIFF_RUNS=2000 DIFF_SEED=7 npx vitest run test/execution/differential.test.ts

interface Server {
  executor: Executor;
  app: App;
  http: HttpServer;
  baseUrl: string;
}

let gw: TestGateway;
let schema: GraphQLSchema;
let servers: Server[] = [];
let reference: ReferenceExecutor;
let callers: CampaignCaller[];
let pools: Pools;

beforeAll(async () => {
  gw = await createTestGateway();
  schema = buildSchema({ federation: true });
  const database = rollingBack(gw.db.database);
  const dave = await gw.signIn(demoUsers.dave.email);
  const aliceIn = (organizationId: string): CampaignCaller => ({
    label: `alice@${organizationId}`,
    organizationId,
    headers: { authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": organizationId },
  });
  const members = [
    aliceIn(acme),
    {
      label: `dave@${initech}`,
      organizationId: initech,
      headers: { authorization: `Bearer ${dave.bearer.token}`, "x-organization-id": initech },
    },
    aliceIn(globex),
  ];
  callers = [members[0] as CampaignCaller, members[1] as CampaignCaller, anonymous, members[2] as CampaignCaller];
  for (const executor of executors) {
    const app = createApp({
      database,
      auth: gw.auth,
      logger: pino({ level: "silent" }),
      graphiql: false,
      // Budgets count requests per minute: the same case must not be throttled on one executor only.
      hostileInput: { budgets: { ...defaultBudgets, enabled: false } },
      execution: { executor, compiledDocuments: 1000 },
    });
    const http = await listen(app, 0, "127.0.0.1");
    servers.push({ executor, app, http, baseUrl: `http://127.0.0.1:${http.port}` });
  }
  reference = referenceExecutor({ schema, database, auth: gw.auth });
  pools = (await harvest((servers[0] as Server).baseUrl, schema, members)).pools;
}, 300_000);

afterAll(async () => {
  for (const server of servers) await server.http.close(5000);
  servers = [];
  await gw?.cleanup();
});

async function metricValue(app: App, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = app.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

interface Tally {
  uses: number;
  /** Compared with the reference: the gateway executed them. */
  executed: number;
  /** Refused before execution by the pipeline (limits, page sizes) or by validation: executors compared only. */
  refused: number;
  withErrors: number;
}

async function runDocuments(documents: DifferentialDocument[]): Promise<{ failures: string[]; tally: Tally }> {
  const failures: string[] = [];
  const tally: Tally = { uses: 0, executed: 0, refused: 0, withErrors: 0 };
  for (const document of documents) {
    for (const [index, use] of document.uses.entries()) {
      tally.uses++;
      const operation = { query: document.query, variables: use.variables, operationName: document.operationName };
      const expected = await reference.answer(use.caller, operation);
      const where = `${document.label} use ${index + 1} as ${use.caller.label}: ${JSON.stringify({ query: document.query, variables: use.variables }).slice(0, 3000)}`;
      const replies: { executor: Executor; status: number; text: string; body: Answer | undefined }[] = [];
      const statements: number[] = [];
      for (const server of servers) {
        const { result: reply, statements: sent } = await gw.countStatements(() =>
          send(server.baseUrl, use.caller, operation),
        );
        statements.push(sent.length);
        replies.push({ executor: server.executor, status: reply.status, text: reply.text, body: reply.body });
      }
      // Each executor sends the same statements: the planned queries still load what the fields below need.
      if (new Set(statements).size > 1)
        failures.push(`${where}: statements sent, by executor: ${statements.join(", ")}`);
      const [first, ...others] = replies;
      if (!first) continue;
      const fresh = document.kind === "mutation";
      for (const other of others) {
        const found =
          first.body && other.body
            ? differences(first.body, other.body, { freshValues: fresh, printedValueDepth: false })
            : other.text === first.text
              ? []
              : [
                  `${JSON.stringify(first.text.slice(0, 200))} expected, got ${JSON.stringify(other.text.slice(0, 200))}`,
                ];
        if (other.status !== first.status) found.push(`status ${first.status} on ${first.executor}, ${other.status}`);
        for (const difference of found) failures.push(`${where}: ${other.executor} ≠ ${first.executor}: ${difference}`);
      }
      // No JSON at all (a body over the size limit): refused before GraphQL, alike on each executor.
      if (!first.body) {
        tally.refused++;
        continue;
      }
      const executed = "data" in first.body || (!expected.refused && !("data" in expected));
      if (!executed || expected.refused) {
        tally.refused++;
        continue;
      }
      tally.executed++;
      if (expected.errors?.length) tally.withErrors++;
      for (const reply of replies) {
        for (const difference of differences(expected, reply.body ?? {}, {
          freshValues: fresh,
          printedValueDepth: true,
        })) {
          failures.push(`${where}: ${reply.executor} ≠ plain graphql-js: ${difference}`);
        }
      }
    }
  }
  return { failures, tally };
}

/** The first differences, and all of them in a file under the system's temporary folder. */
function report(failures: string[]): string {
  const folder = join(tmpdir(), "trovella-differential");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${backendName}-differences.json`);
  writeFileSync(file, JSON.stringify(failures, null, 2));
  return `${failures.length} differences (all: ${file}):\n${failures
    .slice(0, 10)
    .map((failure) => (failure.length > 1000 ? `${failure.slice(0, 500)} … ${failure.slice(-500)}` : failure))
    .join("\n")}`;
}

describe(`differential execution on ${backendName}: the gateway on each executor against plain graphql-js`, () => {
  it("every frontend operation, several times as other tenants with other variables, answers as plain graphql-js", async () => {
    const documents = frontendDocuments(schema, pools, callers, differentialSettings().seed, 4);
    expect(documents.length).toBeGreaterThanOrEqual(7);
    const { failures, tally } = await runDocuments(documents);
    console.info(`differential, frontend operations on ${backendName}: ${JSON.stringify(tally)}`);
    expect(tally.executed).toBeGreaterThan(tally.uses / 2);
    // Later uses (other tenants, other variables) ran the SQL planned by the first (src/platform/db/plan-cache.ts).
    const plans = gw.db.database.planCacheStats();
    console.info(`plan cache after the frontend operations: ${JSON.stringify(plans)}`);
    expect(plans.hits).toBeGreaterThan(plans.misses);
    expect(failures, report(failures)).toEqual([]);
  }, 300_000);

  it("documents generated from the schema, reused by other tenants with other variables, answer as plain graphql-js", async () => {
    const settings = differentialSettings();
    const documents = generatedDocuments(schema, pools, callers, settings, 3);
    const { failures, tally } = await runDocuments(documents);
    const jit = servers.find((server) => server.executor === "jit") as Server;
    const compiled = {
      hits: await metricValue(jit.app, "graphql_compiled_lookups_total", { result: "hit" }),
      misses: await metricValue(jit.app, "graphql_compiled_lookups_total", { result: "miss" }),
      notCompiled: await metricValue(jit.app, "graphql_compiled_fallbacks_total", { reason: "not_compiled" }),
      variables: await metricValue(jit.app, "graphql_compiled_fallbacks_total", { reason: "variables" }),
    };
    console.info(
      `differential, ${documents.length} generated documents (seed ${settings.seed}) on ${backendName}: ` +
        `${JSON.stringify(tally)}; jit ${JSON.stringify(compiled)}`,
    );
    expect(tally.executed).toBeGreaterThan(tally.uses / 2);
    // The later uses of a document ran its compiled query again.
    expect(compiled.hits).toBeGreaterThan(documents.length / 2);
    expect(failures, report(failures)).toEqual([]);
  }, 600_000);
});
