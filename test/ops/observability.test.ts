import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { credentialsOf, guardConsole, scrubSecrets, serializeError } from "../../src/platform/observability/logger.js";
import { createMetrics } from "../../src/platform/observability/metrics.js";
import { runWithRequestContext } from "../../src/platform/observability/request-context.js";
import { startTracing, type Tracing } from "../../src/platform/observability/telemetry.js";
import { backendName } from "../support/database.js";
import { baseUrl, createTestGateway, demoPat, type SignedIn, type TestGateway } from "../support/gateway.js";
import { captureLogs, type LogCapture } from "./support/stack.js";

// What operators see, on the test database (PGlite, or TEST_DATABASE_URL): one JSON log line per GraphQL
// operation with its context and never a credential, Prometheus metrics at /metrics, OpenTelemetry spans
// (an in-memory exporter here), and readiness during a graceful shutdown.

let gw: TestGateway;
let logs: LogCapture;
let bob: SignedIn;
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;

const whoAmI = {
  operationName: "WhoAmI",
  query: `query WhoAmI {
    viewer { user { id } }
    organization { id }
    researchPlans(first: 2) { nodes { id } }
  }`,
};

beforeAll(async () => {
  tracing = await startTracing(undefined, { exporter, immediate: true });
  logs = captureLogs("debug");
  gw = await createTestGateway({ logger: logs.logger });
  bob = await gw.signIn(demoUsers.bob.email);
});

afterAll(async () => {
  await tracing?.shutdown();
  await gw?.cleanup();
});

function operationLines(requestId: string): Record<string, unknown>[] {
  return logs.lines.filter((line) => line.requestId === requestId && line.msg === "graphql operation");
}

describe(`operation logs on ${backendName}`, () => {
  it("one JSON line per operation: request id, organization, user, operation, duration, statements", async () => {
    const response = await gw.graphql(whoAmI, demoPat, { organizationId: "demo-org-acme", requestId: "log-ok-1" });
    expect(response.errors).toBeUndefined();
    const lines = operationLines("log-ok-1");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      service: "trovella-gateway",
      requestId: "log-ok-1",
      operationName: "WhoAmI",
      operationType: "query",
      organizationId: "demo-org-acme",
      userId: demoUsers.alice.id,
      status: 200,
    });
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
    // The tenant door's set_config and the data: counted from the request context.
    expect(lines[0]?.statements).toBeGreaterThanOrEqual(2);
    expect(lines[0]?.errors).toBeUndefined();
  });

  it("an operation with errors is a warn line listing their codes", async () => {
    await gw.graphql(whoAmI, demoPat, { organizationId: "demo-org-initech", requestId: "log-forbidden-1" });
    const lines = operationLines("log-forbidden-1");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", operationName: "WhoAmI", errors: ["FORBIDDEN"] });
  });

  it("never writes a token or a cookie: not from headers, not from variables, not from errors", async () => {
    const secrets = [
      DEMO_TOKEN,
      bob.bearer.token,
      bob.cookie.cookie.split("=")[1] ?? "",
      "not-a-real-token-0123456789",
    ];
    const echo = {
      operationName: "Echo",
      query: "query Echo($id: ID!) { researchPlan(id: $id) { id } }",
    };
    // In headers and in variables (a bad global id that the error message may quote).
    await gw.graphql({ ...echo, variables: { id: DEMO_TOKEN } }, demoPat, { organizationId: "demo-org-acme" });
    await gw.graphql({ ...echo, variables: { id: bob.bearer.token } }, bob.bearer, { organizationId: "demo-org-acme" });
    await gw.graphql({ ...echo, variables: { id: bob.cookie.cookie } }, bob.cookie, {
      organizationId: "demo-org-acme",
    });
    // A credential that does not authenticate.
    await gw.graphql(echo, { kind: "bearer", token: "not-a-real-token-0123456789" }, { headers: {} });
    // Logged errors whose messages carry the secrets.
    runWithRequestContext(
      { requestId: "scrub-1", statements: 0, secrets: credentialsOf(new Headers({ cookie: bob.cookie.cookie })) },
      () => {
        logs.logger.error({ err: new Error(`boom near ${bob.cookie.cookie}`), token: DEMO_TOKEN }, "test error");
        logs.logger.warn({ url: "postgres://trovella_app:hunter2-password@db/trovella" }, "connection trouble");
      },
    );
    const written = logs.raw.join("\n");
    expect(logs.raw.length).toBeGreaterThan(4);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(written).not.toContain(secret);
    }
    expect(written).not.toContain("hunter2-password");
    expect(written).toContain("[redacted]");
  });

  it("serializes errors without SQL parameters or PostgreSQL details", () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "x_key"'), {
      code: "23505",
      severity: "ERROR",
      constraint_name: "x_key",
      detail: "Key (token)=(secret-detail-value) already exists.",
    });
    const error = Object.assign(new Error("Failed query: insert into x values ($1)\nparams: secret-param-value"), {
      name: "DrizzleQueryError",
      query: "insert into x values ($1)",
      params: ["secret-param-value"],
      cause,
    });
    const serialized = serializeError(error);
    const text = JSON.stringify(serialized);
    expect(text).not.toContain("secret-param-value");
    expect(text).not.toContain("secret-detail-value");
    expect(serialized).toMatchObject({
      type: "DrizzleQueryError",
      message: "Failed query: insert into x values ($1)",
      query: "insert into x values ($1)",
      cause: { code: "23505", constraint_name: "x_key" },
    });
  });

  it("console output of libraries (Better Auth prints failed queries with their parameters) is scrubbed too", () => {
    const out: string[] = [];
    const ignore = (..._args: unknown[]) => {};
    const fake = { log: ignore, info: ignore, debug: ignore, warn: ignore, error: ignore };
    guardConsole(fake, { out: (text) => out.push(`out ${text}`), err: (text) => out.push(`err ${text}`) });
    runWithRequestContext(
      {
        requestId: "console-1",
        statements: 0,
        secrets: credentialsOf(new Headers({ authorization: `Bearer ${bob.bearer.token}` })),
      },
      () => {
        fake.error("[Better Auth]: INTERNAL_SERVER_ERROR", {
          query: "select … where token = $1",
          params: [bob.bearer.token],
        });
        fake.log("plain", 1);
      },
    );
    expect(out.join("")).not.toContain(bob.bearer.token);
    expect(out[0]).toMatch(/^err \[Better Auth\]: INTERNAL_SERVER_ERROR .*\[redacted\]/s);
    expect(out[1]).toBe("out plain 1\n");
  });

  it("Better Auth's own messages are our JSON lines, with the request id and no credential", async () => {
    const context = await gw.auth.$context;
    const before = logs.lines.length;
    runWithRequestContext(
      {
        requestId: "better-auth-1",
        statements: 0,
        secrets: credentialsOf(new Headers({ authorization: `Bearer ${bob.bearer.token}` })),
      },
      () => context.logger.error("Failed query", new Error(`select … where token = '${bob.bearer.token}'`)),
    );
    const line = logs.lines.slice(before).find((entry) => entry.component === "better-auth");
    expect(line).toMatchObject({ level: "error", msg: "Failed query", requestId: "better-auth-1" });
    expect((line?.err as { message?: string } | undefined)?.message).toContain("[redacted]");
    expect(logs.raw.join("\n")).not.toContain(bob.bearer.token);
  });

  it("scrubs token shapes even outside a request", () => {
    expect(scrubSecrets('{"msg":"Bearer abc.def-123 and trv_0123456789abcdef"}')).toBe(
      '{"msg":"Bearer [redacted] and trv_[redacted]"}',
    );
  });
});

describe("metrics", () => {
  it("/metrics: operation durations and errors by operation name, pool in use and waiting", async () => {
    await gw.graphql(whoAmI, demoPat, { organizationId: "demo-org-acme" });
    await gw.graphql(whoAmI, demoPat, { organizationId: "demo-org-initech" });
    const response = await gw.app.fetch(new Request(`${baseUrl}/metrics`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(
      /graphql_operation_duration_seconds_count\{operation_name="WhoAmI",operation_type="query",outcome="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /graphql_operation_errors_total\{operation_name="WhoAmI",operation_type="query",code="FORBIDDEN"\} [1-9]/,
    );
    const poolSize = gw.db.database.kind === "pglite" ? 1 : 10;
    expect(text).toContain(`db_pool_size{pool="app"} ${poolSize}`);
    expect(text).toContain('db_pool_in_use{pool="app"} 0');
    expect(text).toContain('db_pool_waiting{pool="app"} 0');
    expect(text).toMatch(/db_pool_acquire_seconds_count\{pool="app"\} [1-9]/);
    expect(text).toMatch(/graphql_operation_statements_count\{operation_type="query"\} [1-9]/);
    // The plan cache's lookups and size (src/platform/db/plan-cache.ts).
    const stats = gw.db.database.planCacheStats();
    expect(stats.hits + stats.misses).toBeGreaterThan(0);
    expect(text).toContain(`db_plan_cache_lookups_total{result="hit"} ${stats.hits}`);
    expect(text).toContain(`db_plan_cache_lookups_total{result="miss"} ${stats.misses}`);
    expect(text).toContain(`db_plan_cache_entries ${stats.size}`);
  });

  it("operation names are a bounded label: a client cannot grow the series without limit", async () => {
    const metrics = createMetrics({ maxOperationNames: 2 });
    for (const name of ["A", "B", "C", "D", null, "not a name!"]) {
      metrics.observeOperation({ name, type: "query", durationSeconds: 0.01, statements: 1, errorCodes: [] });
    }
    const { body } = await metrics.render();
    const names = [...body.matchAll(/graphql_operation_duration_seconds_count\{operation_name="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(names.sort()).toEqual(["A", "B", "__anonymous", "__invalid", "__other"]);
    expect(body).toMatch(/operation_name="__other",operation_type="query",outcome="ok"\} 2/);
  });
});

describe("tracing", () => {
  it("a span per request, named by the operation, continuing the caller's trace, with its transaction", async () => {
    exporter.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await gw.graphql(whoAmI, demoPat, {
      organizationId: "demo-org-acme",
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.name === "query WhoAmI");
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(server?.attributes).toMatchObject({
      "graphql.operation.name": "WhoAmI",
      "graphql.operation.type": "query",
      "trovella.organization_id": "demo-org-acme",
      "enduser.id": demoUsers.alice.id,
      "http.response.status_code": 200,
    });
    const transaction = spans.find((span) => span.name === "db.transaction");
    expect(transaction?.spanContext().traceId).toBe(traceId);
    expect(transaction?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(transaction?.attributes["db.transaction.read_only"]).toBe(true);
  });
});

describe("readiness and draining", () => {
  it("/healthz and /readyz answer; after startDraining, readiness is 503 and new requests are refused", async () => {
    const get = (path: string) => gw.app.fetch(new Request(`${baseUrl}${path}`));
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/readyz")).status).toBe(200);
    gw.app.startDraining();
    expect(gw.app.draining).toBe(true);
    const ready = await get("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "shutting down" });
    const refused = await gw.graphql(whoAmI, demoPat, { organizationId: "demo-org-acme" });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("connection")).toBe("close");
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/metrics")).status).toBe(200);
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("gateway_draining 1");
  });
});
