import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/cluster.js";
import { type PgBouncer, requirePgBouncer, startPgBouncer } from "./support/pgbouncer.js";
import { type Router, startRouter } from "./support/router.js";
import {
  type Caller,
  demoCallers,
  type GraphQLReply,
  gql,
  ownerClient,
  prepareDatabase,
  rawId,
  type ServerProcess,
  soakSeconds,
  spawnServer,
  startInProcessGateway,
} from "./support/stack.js";

// The production shape, end to end: three real gateway processes (NODE_ENV=production, runtime logins only)
// sharing budgets in Redis, behind a round-robin router that retries what a draining replica refuses, through
// PgBouncer in transaction mode (Debian's 1.18, DATABASE_PREPARED_STATEMENTS=false) in front of one PostgreSQL
// (a throwaway cluster). Without a pgbouncer binary (and where CI does not require one) the replicas connect to
// the cluster directly, and the console says so. Mixed reads and writes from three tenants run for SOAK_SECONDS
// (default 12) while one replica is SIGTERMed and started again on its port (a rolling deploy). Then:
// no foreign rows, every acknowledged write present exactly once (as the owner), every request answered, and a
// tenant over budget on one replica refused on the others. The figures are printed as one `topology:` line.

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** This run's Redis keys: parallel runs (and other test files) never share a bucket. */
const redisPrefix = `trovella:topology:${randomUUID()}:`;

const seconds = soakSeconds(12);

// Budgets: requests are effectively unlimited, cost is not. The soak's operations cost a few units each (far
// below the 2 000/s an organization's cost bucket refills), so the soak is never throttled; the budget test
// spends a tenant's 120 000 with operations of cost 10 000.
const replicaEnv = {
  // One secret for every replica: a session signed by one is valid on the others.
  BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_ORG_REQUESTS_PER_MINUTE: "1000000",
  RATE_LIMIT_PRINCIPAL_REQUESTS_PER_MINUTE: "1000000",
  COST_BUDGET_ORG_PER_MINUTE: "120000",
  // Alice works in two of the organizations: her own bucket pays for both.
  COST_BUDGET_PRINCIPAL_PER_MINUTE: "240000",
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: redisPrefix,
  // Debian's PgBouncer 1.18 does not carry named prepared statements between server connections.
  DATABASE_PREPARED_STATEMENTS: "false",
};

const read = {
  operationName: "TopologyRead",
  query: "query TopologyRead { organization { id: databaseId } researchPlans(first: 5) { nodes { id } } }",
};
const write = {
  operationName: "TopologyWrite",
  query:
    "mutation TopologyWrite($title: String!) { createResearchPlan(input: { title: $title }) { plan { id title } } }",
};
/** Cost 201 + 100 × steps: 9 901 at 97 steps (the default MAX_COST is 10 000), 5 001 at 48, 2 501 at 23. */
const heavy = {
  operationName: "TopologyHeavy",
  query: `query TopologyHeavy($steps: Int!) {
    researchPlans(first: 100) { nodes { id steps(first: $steps) { nodes { id } } } }
  }`,
};

const throughPgBouncer = requirePgBouncer();
if (!throughPgBouncer) console.warn("topology test: the replicas connect to PostgreSQL directly (no pgbouncer binary)");

let cluster: Cluster;
let bouncer: PgBouncer | undefined;
let ownerUrl: string;
/** The URL the replicas are given (the owner's login is swapped for the runtime logins by spawnServer). */
let serviceUrl: string;
let owner: postgres.Sql;
let router: Router;
let callers: Caller[];
const replicas: ServerProcess[] = [];
const stopped: ServerProcess[] = [];

async function startReplica(port = 0): Promise<ServerProcess> {
  return spawnServer(serviceUrl, { ...replicaEnv, PORT: String(port) });
}

function caller(label: string): Caller {
  const found = callers.find((c) => c.label === label);
  if (!found) throw new Error(`no caller ${label}`);
  return found;
}

/** `promise`, or a rejection when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error codes of a reply, or its HTTP status when it has none. */
function codesOf(reply: GraphQLReply): string[] {
  if (reply.body.errors?.length) return reply.body.errors.map((e) => String(e.extensions?.code ?? "NO_CODE"));
  return reply.status === 200 ? [] : [`HTTP_${reply.status}`];
}

beforeAll(async () => {
  cluster = await startCluster();
  ownerUrl = await prepareDatabase(cluster, "trovella_topology");
  if (throughPgBouncer) {
    bouncer = await startPgBouncer(cluster);
    serviceUrl = bouncer.url("trovella_topology");
  } else {
    serviceUrl = ownerUrl;
  }
  owner = ownerClient(ownerUrl);
  // One at a time: three cold starts at once on a small machine only slow each other down.
  for (let i = 0; i < 3; i++) replicas.push(await startReplica());
  router = await startRouter(replicas.map((replica) => replica.baseUrl));
  callers = await demoCallers(router.baseUrl);
}, 300_000);

afterAll(async () => {
  await router?.close();
  for (const replica of [...replicas, ...stopped]) replica.kill();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // Nothing to clean when Redis is not there (the tests have failed already).
  } finally {
    redis.disconnect();
  }
  await owner?.end().catch(() => {});
  await bouncer?.stop();
  await cluster?.destroy();
});

describe(`three replicas behind a router, budgets in Redis, ${throughPgBouncer ? "through PgBouncer (transaction mode)" : "directly"} to one PostgreSQL`, () => {
  it(
    `mixed reads and writes of three tenants for ${seconds} s through a rolling restart: every request answered, no foreign row, no write lost`,
    async () => {
      const marker = `topology ${randomUUID().slice(0, 8)}`;
      // Three tenants, four callers: Alice in Acme and in Globex, Carol in Globex, Dave in Initech.
      const started = Date.now();
      let deadline = started + seconds * 1000;
      let deployed = false;
      const maxRequests = 2000 * seconds;
      const latencies: number[] = [];
      const errors: Record<string, number> = {};
      const problems: string[] = [];
      /** Plan id → the organization it was answered to (reads) or written for (acknowledged writes). */
      const seen = new Map<string, string>();
      const acknowledged = new Map<string, { organizationId: string; title: string }>();
      let issued = 0;
      let reads = 0;
      let writes = 0;
      let unanswered = 0;

      const worker = async (id: number) => {
        for (let i = 0; (!deployed || Date.now() < deadline) && issued < maxRequests && problems.length < 20; i++) {
          issued += 1;
          const c = callers[(id + i) % callers.length] as Caller;
          const writing = i % 4 === 3;
          const title = `${marker} ${c.label} ${id}-${i}`;
          const sentAt = performance.now();
          let reply: GraphQLReply;
          try {
            reply = await within(gql(router.baseUrl, writing ? { ...write, variables: { title } } : read, c), 20_000);
          } catch (error) {
            unanswered += 1;
            problems.push(`${c.label}: ${(error as Error).message}`);
            continue;
          }
          latencies.push(performance.now() - sentAt);
          const codes = codesOf(reply);
          for (const code of codes) errors[code] = (errors[code] ?? 0) + 1;
          if (codes.length > 0) {
            problems.push(`${c.label} ${writing ? "write" : "read"}: ${JSON.stringify(reply.body).slice(0, 300)}`);
            continue;
          }
          if (writing) {
            writes += 1;
            const plan = (reply.body.data?.createResearchPlan as { plan?: { id: string; title: string } } | undefined)
              ?.plan;
            if (plan?.title !== title) problems.push(`${c.label} write answered ${JSON.stringify(reply.body)}`);
            else acknowledged.set(rawId(plan.id), { organizationId: c.organizationId, title });
          } else {
            reads += 1;
            const data = reply.body.data as
              | { organization: { id: string } | null; researchPlans: { nodes: { id: string }[] } }
              | undefined;
            if (data?.organization?.id !== c.organizationId) {
              problems.push(`${c.label} read organization ${JSON.stringify(data?.organization)}`);
            }
            for (const node of data?.researchPlans.nodes ?? []) seen.set(rawId(node.id), c.organizationId);
          }
        }
      };

      // The rolling deploy, a quarter into the soak: SIGTERM replica 2, wait for its clean exit, start it again
      // on the same port. The soak goes on until the new process has been serving for a while.
      const restartedUrl = replicas[1]?.baseUrl ?? "";
      const deploy = (async () => {
        try {
          await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 4));
          const old = replicas[1] as ServerProcess;
          const signalledAt = Date.now();
          old.child.kill("SIGTERM");
          const exit = await old.exited;
          const drainMs = Date.now() - signalledAt;
          stopped.push(old);
          replicas[1] = await startReplica(old.port);
          const upMs = Date.now() - signalledAt;
          const answeredBefore = router.stats.answeredBy[restartedUrl] ?? 0;
          deadline = Math.max(deadline, Date.now() + 2000);
          return { exit, drainMs, upMs, answeredBefore };
        } finally {
          deployed = true;
        }
      })();

      await Promise.all([...Array.from({ length: 12 }, (_, id) => worker(id)), deploy]);
      const restart = await deploy;
      const elapsed = (Date.now() - started) / 1000;

      // What the database holds, read as the owner (RLS does not apply): every plan a caller saw is its
      // organization's; every acknowledged write is there once, in the writer's organization.
      const ids = [...new Set([...seen.keys(), ...acknowledged.keys()])];
      const rows =
        ids.length === 0
          ? []
          : await owner<{ id: string; organization_id: string; title: string }[]>`
              select id, organization_id, title from research_plan where id in ${owner(ids)}`;
      const actual = new Map(rows.map((row) => [row.id, row]));
      let foreignRows = 0;
      for (const [planId, organizationId] of seen) {
        if (actual.get(planId)?.organization_id !== organizationId) {
          foreignRows += 1;
          problems.push(
            `plan ${planId} answered to ${organizationId}, belongs to ${actual.get(planId)?.organization_id}`,
          );
        }
      }
      let missingWrites = 0;
      for (const [planId, expected] of acknowledged) {
        const row = actual.get(planId);
        if (row?.organization_id !== expected.organizationId || row.title !== expected.title) {
          missingWrites += 1;
          problems.push(`acknowledged plan ${planId} (${expected.title}) is ${JSON.stringify(row)}`);
        }
      }
      const [stored] = await owner<{ n: number; distinct: number }[]>`
        select count(*)::int as n, count(distinct title)::int as distinct
        from research_plan where title like ${`${marker} %`}`;

      latencies.sort((a, b) => a - b);
      const percentile = (p: number) => Math.round(latencies[Math.floor((latencies.length - 1) * p)] ?? 0);
      const figures = {
        seconds: Math.round(elapsed),
        replicas: 3,
        pooler: bouncer?.version ?? "none",
        tenants: new Set(callers.map((c) => c.organizationId)).size,
        requests: reads + writes + Object.values(errors).reduce((a, b) => a + b, 0) + unanswered,
        reads,
        writes,
        perSecond: Math.round((reads + writes) / elapsed),
        errors,
        unanswered,
        foreignRows,
        missingWrites,
        routerRetries: router.stats.retries,
        routerExhausted: router.stats.exhausted,
        p50Ms: percentile(0.5),
        p99Ms: percentile(0.99),
        restart: { exit: restart.exit.code, drainMs: restart.drainMs, upMs: restart.upMs },
      };
      console.log(`topology: ${JSON.stringify(figures)}`);

      expect(problems).toEqual([]);
      expect(unanswered).toBe(0);
      expect(errors).toEqual({});
      expect(router.stats.exhausted).toBe(0);
      expect(foreignRows).toBe(0);
      expect(missingWrites).toBe(0);
      // Every write the router placed ran once: none lost, none applied twice by a retry.
      expect(stored).toEqual({ n: acknowledged.size, distinct: acknowledged.size });
      // The replica drained and exited cleanly, and the new process took traffic.
      expect(restart.exit).toEqual({ code: 0, signal: null });
      expect((router.stats.answeredBy[restartedUrl] ?? 0) - restart.answeredBefore).toBeGreaterThan(0);
      // It did run (this machine may be slow or shared: no throughput bound).
      expect(reads).toBeGreaterThanOrEqual(seconds);
      expect(writes).toBeGreaterThan(0);
    },
    (seconds + 240) * 1000,
  );

  it("a request a draining gateway refuses (503) is answered by another replica through the router", async () => {
    // A gateway in the first step of its shutdown (in-process, so it stays there): the router's first pick.
    const draining = await startInProcessGateway(ownerUrl, { poolSize: 1 });
    const local = await startRouter([draining.baseUrl, (replicas[0] as ServerProcess).baseUrl]);
    try {
      draining.app.startDraining();
      const acme = caller("alice@acme");
      const reply = await gql(local.baseUrl, read, acme);
      expect(reply.body.errors).toBeUndefined();
      expect((reply.body.data?.organization as { id: string } | undefined)?.id).toBe(acme.organizationId);
      expect(local.stats.retries).toEqual({ "503": 1 });
      expect(local.stats.answeredBy).toEqual({ [(replicas[0] as ServerProcess).baseUrl]: 1 });
    } finally {
      await local.close();
      await draining.close();
    }
  });

  it("a tenant over its budget on one replica is refused on the others, and only that tenant", async () => {
    const dave = caller("dave@initech");
    const [first, second, third] = replicas as [ServerProcess, ServerProcess, ServerProcess];
    const heavyAt = (baseUrl: string, steps: number, c: Caller = dave) =>
      gql(baseUrl, { ...heavy, variables: { steps } }, c);

    // Spend Initech's cost budget on the first replica: operations of cost 9 901 until one is refused, then of
    // 5 001 and 2 501: what is left is under 2 501, and it refills (2 000/s) to 9 901 only after several seconds.
    for (const steps of [97, 48, 23]) {
      let refused = false;
      for (let i = 0; i < 50 && !refused; i++) {
        const reply = await heavyAt(first.baseUrl, steps);
        const code = reply.body.errors?.[0]?.extensions?.code;
        if (code === "RATE_LIMITED") refused = true;
        else expect(reply.body.errors, JSON.stringify(reply.body).slice(0, 300)).toBeUndefined();
      }
      expect(refused, `an operation with ${steps} steps per plan should have been refused`).toBe(true);
    }

    for (const replica of [second, third]) {
      const reply = await heavyAt(replica.baseUrl, 97);
      expect(reply.status).toBe(429);
      expect(reply.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      expect(reply.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      expect(reply.headers.get("retry-after")).not.toBeNull();
      // Another tenant's budget is its own.
      const acme = await heavyAt(replica.baseUrl, 97, caller("alice@acme"));
      expect(acme.body.errors, JSON.stringify(acme.body).slice(0, 300)).toBeUndefined();
    }
  });
});
