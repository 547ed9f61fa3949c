import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { Redis } from "ioredis";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TOKEN } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import {
  type Caller,
  delay,
  demoCallers,
  eventually,
  type GraphQLReply,
  gql,
  ownerClient,
  plansByOrganization,
  prepareDatabase,
  probe,
  rawId,
  type ServerProcess,
  soakSeconds,
  spawnServer,
  tenantMismatch,
  tenantProbe,
} from "./support/stack.js";

// The real server process (`node --import tsx src/main.ts`, NODE_ENV=production) against a throwaway
// cluster, each test on its own copy of the demo database:
// - SIGTERM under load: readiness goes false at once, new requests are refused, the operations already
//   running finish and commit, the pools close, and the process exits 0;
// - a bounded soak of mixed-tenant traffic (SOAK_SECONDS, default 20): every response checked for its
//   tenant, every plan written checked in the database, RSS at start and end.

let cluster: Cluster;
let url: string;
let owner: postgres.Sql;
const servers: ServerProcess[] = [];

/** A stand-in OpenTelemetry collector on loopback: keeps the bodies POSTed to /v1/traces. */
async function startCollector(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      if (request.url === "/v1/traces") bodies.push(body);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  cluster = await startCluster();
  url = await prepareDatabase(cluster, "trovella_shutdown");
  owner = ownerClient(url);
}, 180_000);

afterAll(async () => {
  for (const server of servers) server.kill();
  await owner?.end().catch(() => {});
  await cluster?.destroy();
});

/** Network failures that mean "refused": nothing accepted the request (or the connection was closed on it). */
const refusals = new Set(["ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET", "EPIPE"]);

function failureCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name;
}

describe("graceful shutdown (real server process)", () => {
  it("SIGTERM under load: in-flight operations complete, new requests are refused, exit 0", async () => {
    // Tracing switched on by the environment: spans go to a collector on loopback, flushed at shutdown.
    const collector = await startCollector();
    const running = await spawnServer(url, {
      SHUTDOWN_TIMEOUT_MS: "20000",
      DATABASE_POOL_SIZE: "6",
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: "trovella-gateway-under-test",
    });
    servers.push(running);
    const callers = await demoCallers(running.baseUrl);
    const plans = await plansByOrganization(owner);
    const acme = callers[0] as Caller;

    // Operations that will be in flight at SIGTERM: three writes held up by a lock the owner takes on the
    // audit log (each has inserted its plan and waits to insert the audit entry).
    const reserved = await owner.reserve();
    await reserved`begin`;
    await reserved`lock table plan_audit_log in exclusive mode`;
    const titles = [1, 2, 3].map((i) => `in flight at SIGTERM ${i}`);
    const writes = titles.map((title) =>
      gql(
        running.baseUrl,
        {
          query: "mutation ($title: String!) { createResearchPlan(input: { title: $title }) { plan { id title } } }",
          variables: { title },
        },
        acme,
      ),
    );
    const waiting = await eventually(async () => {
      const [row] = await owner<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where usename = 'trovella_app' and wait_event_type = 'Lock'`;
      return row?.n === titles.length;
    }, 20_000);
    expect(waiting, "the writes should be waiting for the lock").toBe(true);

    // And a steady read load, until the server refuses.
    let sigtermAt = 0;
    const readResults: { sentAt: number; reply?: GraphQLReply; failure?: string; caller: Caller }[] = [];
    let stopLoad = false;
    const loops = [0, 1, 2].map(async (worker) => {
      for (let i = 0; !stopLoad; i++) {
        const caller = callers[(worker + i) % callers.length] as Caller;
        const sentAt = Date.now();
        try {
          readResults.push({ sentAt, caller, reply: await gql(running.baseUrl, tenantProbe, caller) });
        } catch (error) {
          readResults.push({ sentAt, caller, failure: failureCode(error) });
          if (sigtermAt > 0) return;
        }
        if (sigtermAt > 0 && Date.now() - sigtermAt > 1500) return;
      }
    });
    await delay(500);

    sigtermAt = Date.now();
    running.child.kill("SIGTERM");

    // Readiness goes false at once: 503, or the connection is refused (the listener is closed).
    const readyAfter = await eventually(
      async () => {
        const status = await probe(running.baseUrl, "/readyz");
        return status === 503 || refusals.has(String(status));
      },
      2000,
      20,
    );
    expect(readyAfter).toBe(true);
    // A new operation is refused.
    let refused: string | number;
    try {
      const reply = await gql(running.baseUrl, tenantProbe, acme);
      refused = reply.status;
    } catch (error) {
      refused = failureCode(error);
    }
    expect(refused === 503 || refusals.has(String(refused)), `new request after SIGTERM: ${refused}`).toBe(true);

    // The server is still running: it waits for the writes.
    await delay(1000);
    expect(running.child.exitCode).toBeNull();
    await reserved`rollback`;
    reserved.release();

    // The in-flight writes complete and commit.
    const replies = await Promise.all(writes);
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
    }
    const [written] = await owner<{ n: number }[]>`
      select count(*)::int as n from research_plan where title in ${owner(titles)} and organization_id = 'demo-org-acme'`;
    expect(written?.n).toBe(titles.length);

    stopLoad = true;
    await Promise.all(loops);

    const exit = await Promise.race([running.exited, delay(30_000).then(() => ({ code: -1, signal: null }))]);
    expect(exit).toEqual({ code: 0, signal: null });

    // Reads: those answered are correct for their tenant; those sent before SIGTERM were answered; those
    // refused were sent after it, or just before it and still on their way (`Date.now()` is taken before the
    // request is written, so a request stamped a millisecond before the signal can reach a draining server).
    const inTransitMs = 1000;
    const answered = readResults.filter((r) => r.reply);
    expect(answered.length).toBeGreaterThan(0);
    for (const r of answered) {
      const reply = r.reply as GraphQLReply;
      if (reply.status === 503) {
        expect(r.sentAt).toBeGreaterThanOrEqual(sigtermAt - inTransitMs);
        continue;
      }
      expect(tenantMismatch(reply, r.caller, plans), r.caller.label).toBeNull();
    }
    for (const r of readResults.filter((result) => result.failure)) {
      expect(refusals.has(r.failure ?? ""), `read failed with ${r.failure}`).toBe(true);
      expect(r.sentAt).toBeGreaterThanOrEqual(sigtermAt - inTransitMs);
    }

    const messages = running.logs.map((line) => line.msg);
    // Production: served with the runtime logins only, and no migration on start.
    expect(messages.some((message) => String(message).startsWith("migrations"))).toBe(false);
    expect(messages).toContain("shutting down: not ready, refusing new requests, finishing running ones");
    expect(messages).toContain("shutdown complete");
    expect(messages).not.toContain("shutdown timeout: closed the connections of requests still running");
    // The spans of the operations reached the collector (OTLP/HTTP JSON), flushed before the exit.
    await collector.close();
    const exported = collector.bodies.join("\n");
    expect(messages).toContain("tracing on (OpenTelemetry)");
    expect(exported).toContain("trovella-gateway-under-test");
    expect(exported).toContain("query TenantProbe");
    expect(exported).toContain("db.transaction");

    const operations = running.logs.filter(
      (line) => line.msg === "graphql operation" && line.operationType === "mutation",
    );
    expect(operations).toHaveLength(titles.length);
  }, 120_000);

  it("SIGTERM with budgets kept in Redis: the Redis connection is closed with the pools, a clean exit 0", async () => {
    const prefix = `trovella:test:shutdown:${randomBytes(4).toString("hex")}:`;
    const running = await spawnServer(url, {
      RATE_LIMIT_ENABLED: "true",
      REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: prefix,
    });
    servers.push(running);
    const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const reply = await gql(running.baseUrl, tenantProbe, {
        token: DEMO_TOKEN,
        organizationId: "demo-org-acme",
      });
      expect(reply.status).toBe(200);
      // The operation was budgeted in Redis, so the server holds a connection to it.
      expect(await redis.keys(`${prefix}*`)).not.toEqual([]);
      running.child.kill("SIGTERM");
      const exit = await Promise.race([running.exited, delay(30_000).then(() => ({ code: -1, signal: null }))]);
      expect(exit).toEqual({ code: 0, signal: null });
      const messages = running.logs.map((line) => line.msg);
      expect(messages).toContain("shutdown complete");
      expect(messages).not.toContain("shutdown failed");
    } finally {
      await redis.quit();
    }
  }, 60_000);

  const seconds = soakSeconds(20);
  it(
    `a ${seconds}-second soak of mixed-tenant traffic: every response its tenant's, memory flat`,
    async () => {
      const soakUrl = await prepareDatabase(cluster, "trovella_soak");
      const soakOwner = ownerClient(soakUrl);
      try {
        const running = await spawnServer(soakUrl, { DATABASE_POOL_SIZE: "4" });
        servers.push(running);
        const callers = await demoCallers(running.baseUrl);
        const initial = await plansByOrganization(soakOwner);

        const seen = new Map<string, string>(); // plan id → the organization whose caller saw it
        const created = new Map<string, string>(); // plan id → the organization whose caller created it
        const createdPerOrganization = new Map<string, number>();
        const problems: string[] = [];
        const latencies: number[] = [];
        let reads = 0;
        let writes = 0;
        const rss: { at: number; bytes: number }[] = [];

        const started = Date.now();
        const deadline = started + seconds * 1000;
        const warmup = Math.min(5000, (seconds * 1000) / 5);
        const sampler = setInterval(() => {
          void running.rss().then((bytes) => rss.push({ at: Date.now() - started, bytes }));
        }, 1000);

        const worker = async (id: number) => {
          for (let i = 0; Date.now() < deadline && problems.length < 10; i++) {
            const caller = callers[(id * 7 + i) % callers.length] as Caller;
            const sentAt = performance.now();
            if (i % 5 === 4) {
              writes += 1;
              const title = `soak ${caller.label} ${id}-${i}`;
              const reply = await gql(
                running.baseUrl,
                {
                  query:
                    "mutation Soak($title: String!) { createResearchPlan(input: { title: $title }) { plan { id title } } }",
                  variables: { title },
                },
                caller,
              );
              latencies.push(performance.now() - sentAt);
              const plan = (reply.body.data?.createResearchPlan as { plan?: { id: string; title: string } } | undefined)
                ?.plan;
              if (reply.status !== 200 || reply.body.errors || plan?.title !== title) {
                problems.push(`${caller.label} write: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
                continue;
              }
              created.set(rawId(plan.id), caller.organizationId);
              createdPerOrganization.set(
                caller.organizationId,
                (createdPerOrganization.get(caller.organizationId) ?? 0) + 1,
              );
            } else {
              reads += 1;
              const reply = await gql(running.baseUrl, tenantProbe, caller);
              latencies.push(performance.now() - sentAt);
              const data = reply.body.data as
                | { organization?: { id: string }; researchPlans?: { totalCount: number; nodes: { id: string }[] } }
                | undefined;
              if (reply.status !== 200 || reply.body.errors || data?.organization?.id !== caller.organizationId) {
                problems.push(`${caller.label} read: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
                continue;
              }
              for (const node of data.researchPlans?.nodes ?? []) {
                const planId = rawId(node.id);
                const before = seen.get(planId);
                if (before && before !== caller.organizationId) {
                  problems.push(`plan ${planId} seen by ${before} and by ${caller.organizationId}`);
                }
                seen.set(planId, caller.organizationId);
              }
              const total = data.researchPlans?.totalCount ?? -1;
              const floor = initial.get(caller.organizationId)?.size ?? 0;
              if (total < floor || total > floor + writes) {
                problems.push(`${caller.label} totalCount ${total} outside [${floor}, ${floor + writes}]`);
              }
            }
          }
        };
        await Promise.all(Array.from({ length: 8 }, (_, id) => worker(id)));
        clearInterval(sampler);
        const elapsed = (Date.now() - started) / 1000;
        rss.push({ at: Date.now() - started, bytes: await running.rss() });

        // What the database holds: every plan a caller saw is its organization's; every plan written is there,
        // in the writer's organization.
        const ids = [...new Set([...seen.keys(), ...created.keys()])];
        const rows = await soakOwner<{ id: string; organization_id: string }[]>`
        select id, organization_id from research_plan where id in ${soakOwner(ids)}`;
        const actual = new Map(rows.map((row) => [row.id, row.organization_id]));
        for (const [planId, organizationId] of [...seen, ...created]) {
          if (actual.get(planId) !== organizationId) {
            problems.push(`plan ${planId} answered to ${organizationId}, belongs to ${actual.get(planId)}`);
          }
        }
        const [soakRows] = await soakOwner<{ n: number }[]>`
        select count(*)::int as n from research_plan where title like 'soak %'`;

        const atStart = rss.find((sample) => sample.at >= warmup) ?? rss[0];
        const atEnd = rss[rss.length - 1];
        const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 2 ** 20) * 10) / 10;
        latencies.sort((a, b) => a - b);
        const percentile = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)] ?? 0);
        const report = {
          seconds: Math.round(elapsed),
          operations: reads + writes,
          reads,
          writes,
          perSecond: Math.round((reads + writes) / elapsed),
          p50Ms: percentile(0.5),
          p99Ms: percentile(0.99),
          rssStartMb: mb(atStart?.bytes),
          rssEndMb: mb(atEnd?.bytes),
          rssMaxMb: mb(Math.max(...rss.map((sample) => sample.bytes))),
          problems: problems.length,
        };
        console.log(`soak: ${JSON.stringify(report)}`);

        expect(problems).toEqual([]);
        expect(soakRows?.n).toBe(created.size);
        // It did run (this machine may be slow or shared: no throughput bound).
        expect(reads).toBeGreaterThanOrEqual(seconds);
        // RSS follows V8's heap sizing more than what is retained (it rose by 270 MB over 90 s at 175
        // operations/s here, with a flat retained heap): a generous bound only. The leak check proper is
        // "retained heap stays flat" in faults.test.ts, with forced garbage collections.
        expect((atEnd?.bytes ?? 0) - (atStart?.bytes ?? 0)).toBeLessThan(400 * 2 ** 20);

        running.child.kill("SIGTERM");
        expect(await running.exited).toEqual({ code: 0, signal: null });
      } finally {
        await soakOwner.end();
      }
    },
    (seconds + 180) * 1000,
  );
});
