import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/cluster.js";
import {
  type Caller,
  captureLogs,
  demoCallers,
  eventually,
  gql,
  type InProcessGateway,
  type LogCapture,
  ownerClient,
  plansByOrganization,
  prepareDatabase,
  probe,
  startInProcessGateway,
  tenantMismatch,
  tenantProbe,
} from "./support/stack.js";

// Database faults against a throwaway PostgreSQL cluster that this file starts on a free loopback port: the
// same on the PGlite leg and the TEST_DATABASE_URL leg of CI. The gateway runs in-process on a pool of 4.

let cluster: Cluster;
let url: string;
let owner: postgres.Sql;
let gateway: InProcessGateway;
let logs: LogCapture;
let callers: Caller[];
let plans: Map<string, Set<string>>;

const createPlan = {
  operationName: "CreatePlan",
  query: `mutation CreatePlan($title: String!) {
    createResearchPlan(input: { title: $title }) { plan { id title } }
  }`,
};

function caller(label: string): Caller {
  const found = callers.find((c) => c.label === label);
  if (!found) throw new Error(`no caller ${label}`);
  return found;
}

/** Runs `fn` while the owner holds `lock table plan_audit_log in exclusive mode`: a plan's insert goes
 * through, its audit entry then waits. Released (rolled back) when fn settles. */
async function withAuditLogLocked<T>(fn: () => Promise<T>): Promise<T> {
  const reserved = await owner.reserve();
  try {
    await reserved`begin`;
    await reserved`lock table plan_audit_log in exclusive mode`;
    return await fn();
  } finally {
    await reserved`rollback`.catch(() => {});
    reserved.release();
  }
}

/** The pids of the runtime login's backends waiting for a lock (the operation blocked on ours). */
async function blockedBackends(): Promise<number[]> {
  const rows = await owner<{ pid: number }[]>`
    select pid from pg_stat_activity where usename = 'trovella_app' and wait_event_type = 'Lock'`;
  return rows.map((row) => row.pid);
}

async function plansTitled(title: string): Promise<number> {
  const [row] = await owner<{ n: number }[]>`select count(*)::int as n from research_plan where title = ${title}`;
  return row?.n ?? -1;
}

async function auditEntriesFor(title: string): Promise<number> {
  const [row] = await owner<{ n: number }[]>`
    select count(*)::int as n from plan_audit_log where diff::text like ${`%${title}%`}`;
  return row?.n ?? -1;
}

/** Every caller, twice, concurrently: more operations than the pool has connections, so every pooled
 * connection (including one that just died) serves one. */
async function expectAllTenantsServed(): Promise<void> {
  const round = [...callers, ...callers];
  const replies = await Promise.all(round.map((c) => gql(gateway.baseUrl, tenantProbe, c)));
  replies.forEach((reply, i) => {
    const c = round[i] as Caller;
    expect(tenantMismatch(reply, c, plans), c.label).toBeNull();
  });
}

beforeAll(async () => {
  cluster = await startCluster();
  url = await prepareDatabase(cluster, "trovella_faults");
  owner = ownerClient(url);
  logs = captureLogs("info");
  gateway = await startInProcessGateway(url, { poolSize: 4, statementTimeoutMs: 1500, logger: logs.logger });
  callers = await demoCallers(gateway.baseUrl);
  plans = await plansByOrganization(owner);
}, 180_000);

afterAll(async () => {
  await gateway?.close().catch(() => {});
  await owner?.end().catch(() => {});
  await cluster?.destroy();
});

describe("database faults (throwaway PostgreSQL cluster)", () => {
  it("serves every tenant its own data", async () => {
    await expectAllTenantsServed();
  });

  it("an operation whose backend is terminated mid-operation fails masked, writes nothing, and the next ones succeed", async () => {
    const title = `half-written ${Date.now()}`;
    const acme = caller("alice@acme");
    const reply = await withAuditLogLocked(async () => {
      const pending = gql(gateway.baseUrl, { ...createPlan, variables: { title } }, acme);
      // The plan row is inserted; its audit entry waits for our lock. Terminate that backend.
      let pids: number[] = [];
      const blocked = await eventually(async () => {
        pids = await blockedBackends();
        return pids.length === 1;
      }, 15_000);
      expect(blocked, "the mutation should be waiting for the audit log lock").toBe(true);
      const [terminated] = await owner<{ ok: boolean }[]>`select pg_terminate_backend(${pids[0] ?? 0}) as ok`;
      expect(terminated?.ok).toBe(true);
      return pending;
    });

    expect(reply.body.data ?? null).toBeNull();
    const errors = reply.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.message).toBe("Unexpected error.");
      expect(error.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    }
    expect(JSON.stringify(reply.body)).not.toMatch(/terminat|insert|plan_audit_log|research_plan|57P01/i);
    // The error is logged in full, with its context.
    const requestId = reply.headers.get("x-request-id");
    const logged = logs.lines.find((line) => line.requestId === requestId && line.level === "error");
    expect(logged?.operationName).toBe("CreatePlan");
    expect(logged?.organizationId).toBe("demo-org-acme");

    // Nothing half-written: neither the plan nor its audit entry.
    expect(await plansTitled(title)).toBe(0);
    expect(await auditEntriesFor(title)).toBe(0);

    // The pool replaced the connection: the next operations (reads and a write) succeed.
    await expectAllTenantsServed();
    const retry = await gql(gateway.baseUrl, { ...createPlan, variables: { title: `${title} retried` } }, acme);
    expect(retry.body.errors).toBeUndefined();
    expect(await plansTitled(`${title} retried`)).toBe(1);
    await owner`delete from plan_audit_log where plan_id in (select id from research_plan where title = ${`${title} retried`})`;
    await owner`delete from research_plan where title = ${`${title} retried`}`;
  });

  it("a statement timeout is a clear TIMEOUT error, rolled back, logged with context and without the credential", async () => {
    const carol = caller("carol@globex");
    // The credential also travels in the variables: drizzle's error message quotes SQL parameters.
    const title = `timeout ${carol.token}`;
    const started = Date.now();
    const reply = await withAuditLogLocked(() => gql(gateway.baseUrl, { ...createPlan, variables: { title } }, carol));
    const elapsed = Date.now() - started;

    expect(reply.body.data ?? null).toBeNull();
    expect(reply.body.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
    expect(reply.body.errors?.[0]?.message).toMatch(/time limit/);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(await plansTitled(title)).toBe(0);

    const requestId = reply.headers.get("x-request-id");
    const lines = logs.lines.filter((line) => line.requestId === requestId);
    const timeout = lines.find((line) => line.msg === "statement timeout");
    expect(timeout?.operationName).toBe("CreatePlan");
    expect(timeout?.organizationId).toBe("demo-org-globex");
    expect(JSON.stringify(timeout?.err)).toContain('"code":"57014"');
    const operation = lines.find((line) => line.msg === "graphql operation");
    expect(operation?.errors).toEqual(["TIMEOUT"]);
    expect(logs.raw.join("\n")).not.toContain(carol.token);

    // The connection is fine afterwards.
    await expectAllTenantsServed();
  });

  it("200 concurrent requests on a pool of 4 queue and complete, each with its own tenant's data", async () => {
    const samples: { inUse: number; waiting: number }[] = [];
    const sampler = setInterval(() => samples.push(gateway.database.poolStats()), 5);
    const readiness: (number | string)[] = [];
    try {
      const requests = Array.from({ length: 200 }, (_, i) => {
        const c = callers[i % callers.length] as Caller;
        return gql(gateway.baseUrl, tenantProbe, c).then((reply) => ({ c, reply }));
      });
      // Readiness has its own connection: a saturated pool does not make the gateway "unready".
      readiness.push(await probe(gateway.baseUrl, "/readyz"));
      const results = await Promise.all(requests);
      for (const { c, reply } of results) expect(tenantMismatch(reply, c, plans), c.label).toBeNull();
    } finally {
      clearInterval(sampler);
    }
    expect(Math.max(...samples.map((s) => s.inUse))).toBeLessThanOrEqual(4);
    expect(Math.max(...samples.map((s) => s.waiting))).toBeGreaterThan(0);
    expect(readiness).toEqual([200]);
    expect(gateway.database.poolStats()).toEqual({ size: 4, inUse: 0, waiting: 0 });

    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /graphql_operation_duration_seconds_count\{operation_name="TenantProbe",operation_type="query",outcome="ok"\} \d+/,
    );
    expect(metrics).toMatch(/db_pool_acquire_seconds_count\{pool="app"\} \d+/);
  }, 120_000);

  it("retained heap stays flat over thousands of operations (no leak per request)", async () => {
    // A forced full collection before each measurement: what is left is what the gateway retains.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const quiet = await startInProcessGateway(url, { poolSize: 4 });
    try {
      const run = async (operations: number) => {
        let sent = 0;
        await Promise.all(
          Array.from({ length: 8 }, async (_, worker) => {
            for (let i = 0; sent < operations; i++) {
              sent += 1;
              const c = callers[(worker + i) % callers.length] as Caller;
              const reply = await gql(quiet.baseUrl, tenantProbe, c);
              if (reply.status !== 200 || reply.body.errors) throw new Error(JSON.stringify(reply.body));
            }
          }),
        );
        gc();
        gc();
        return process.memoryUsage().heapUsed;
      };
      await run(400); // warm-up: caches, prepared statements, JIT
      const before = await run(200);
      const after = await run(1200);
      const growthKbPerOperation = (after - before) / 1024 / 1200;
      console.log(
        `retained heap: ${(before / 2 ** 20).toFixed(1)} MB → ${(after / 2 ** 20).toFixed(1)} MB over 1200 operations`,
      );
      // Noise and late warm-up are a few megabytes (2 KB per operation seen here); retaining a request (its
      // headers, body, context and response: well over 10 KB) would cross 8 KB per operation.
      expect(growthKbPerOperation).toBeLessThan(8);
    } finally {
      await quiet.close();
    }
  }, 180_000);

  it("the database restarts: readiness fails, then recovers by itself, and requests succeed again", async () => {
    expect(await probe(gateway.baseUrl, "/readyz")).toBe(200);
    await cluster.stop();
    try {
      expect(await eventually(async () => (await probe(gateway.baseUrl, "/readyz")) === 503, 15_000)).toBe(true);
      // While it is down, an operation fails cleanly (masked), and the process keeps serving.
      const down = await gql(gateway.baseUrl, tenantProbe, caller("dave@initech"));
      expect(down.body.errors?.length ?? 0).toBeGreaterThan(0);
      expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect(await probe(gateway.baseUrl, "/healthz")).toBe(200);
    } finally {
      await cluster.start();
    }
    expect(await eventually(async () => (await probe(gateway.baseUrl, "/readyz")) === 200, 30_000)).toBe(true);
    // The pools reconnect lazily: once ready, every tenant is served again, by the same process.
    await expectAllTenantsServed();
    await expectAllTenantsServed();
  }, 120_000);
});
