import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database, DEMO_TOKEN } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import { type PgBouncer, requirePgBouncer, startPgBouncer } from "./support/pgbouncer.js";
import {
  type Caller,
  type GraphQLReply,
  ownerClient,
  plansByOrganization,
  prepareDatabase,
  type ServerProcess,
  spawnServer,
  tenantMismatch,
  tenantProbe,
} from "./support/stack.js";

// The gateway behind PgBouncer in transaction mode (Debian's 1.18: it does not carry named prepared statements
// from one server connection to the next), in front of a throwaway cluster this file starts: the same on both
// CI legs, whatever TEST_DATABASE_URL says. The real server process (NODE_ENV=production, runtime logins
// only: APP_DATABASE_URL and AUTH_DATABASE_URL both through PgBouncer), the database migrated and seeded
// as the owner directly on the cluster. The load: 400 concurrent reads with the demo token,
// alternating two tenants, three rounds.
//
// Not registered on a machine without the pgbouncer binary (a console line says so): a newcomer's `npm test`
// passes without it. CI installs it (.ci/ensure-services.sh) and sets REQUIRE_PGBOUNCER=1, which makes a
// missing binary fail this file.

/** Every request gets an answer within this, or it counts as hung (the issue saw none in minutes). */
const requestBoundMs = 30_000;
const concurrency = 400;

const callers: Caller[] = [
  { label: "alice@acme", token: DEMO_TOKEN, organizationId: "demo-org-acme" },
  { label: "alice@globex", token: DEMO_TOKEN, organizationId: "demo-org-globex" },
];

interface Outcome {
  caller: Caller;
  reply?: GraphQLReply;
  /** The request got no answer within requestBoundMs (or the connection failed). */
  hung?: string;
}

async function boundedProbe(baseUrl: string, caller: Caller): Promise<Outcome> {
  try {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: "POST",
      signal: AbortSignal.timeout(requestBoundMs),
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: `Bearer ${caller.token}`,
        "x-organization-id": caller.organizationId,
      },
      body: JSON.stringify(tenantProbe),
    });
    const body = (await response.json()) as GraphQLReply["body"];
    return { caller, reply: { status: response.status, body, headers: response.headers } };
  } catch (error) {
    return { caller, hung: (error as Error).name };
  }
}

function load(baseUrl: string): Promise<Outcome[]> {
  return Promise.all(Array.from({ length: concurrency }, (_, i) => boundedProbe(baseUrl, callers[i % 2] as Caller)));
}

if (requirePgBouncer()) {
  describe("behind PgBouncer in transaction mode", () => {
    let cluster: Cluster;
    let bouncer: PgBouncer;
    const servers: ServerProcess[] = [];
    const owners: postgres.Sql[] = [];

    beforeAll(async () => {
      cluster = await startCluster();
      bouncer = await startPgBouncer(cluster);
    });

    afterAll(async () => {
      for (const server of servers) server.kill();
      await Promise.all(owners.map((owner) => owner.end()));
      await bouncer?.stop();
      await cluster?.destroy();
    });

    it("forwards a transaction to the cluster", async () => {
      const { default: postgresJs } = await import("postgres");
      const client = postgresJs(bouncer.url("postgres"), { max: 2, prepare: false, onnotice: () => {} });
      try {
        const rows = await client.begin(async (tx) => {
          await tx`select set_config('app.probe', 'through-pgbouncer', true)`;
          return tx<{ port: string; probe: string }[]>`
            select current_setting('port') as port, current_setting('app.probe') as probe`;
        });
        expect(rows[0]).toEqual({ port: String(cluster.port), probe: "through-pgbouncer" });
      } finally {
        await client.end();
      }
    });

    it("DATABASE_PREPARED_STATEMENTS=false: 400 concurrent reads × 3 rounds, 0 errors, 0 hangs, 0 foreign rows", async () => {
      await prepareDatabase(cluster, "unnamed");
      const owner = ownerClient(cluster.url("unnamed"));
      owners.push(owner);
      const plans = await plansByOrganization(owner);
      const server = await spawnServer(bouncer.url("unnamed"), {
        DATABASE_PREPARED_STATEMENTS: "false",
        DATABASE_POOL_SIZE: "10",
      });
      servers.push(server);

      const figures = { requests: 0, errors: 0, hangs: 0, foreignRows: 0 };
      const problems: string[] = [];
      for (let round = 1; round <= 3; round++) {
        for (const outcome of await load(server.baseUrl)) {
          figures.requests += 1;
          if (outcome.hung) {
            figures.hangs += 1;
            problems.push(`round ${round} ${outcome.caller.label}: no answer (${outcome.hung})`);
            continue;
          }
          const mismatch = tenantMismatch(outcome.reply as GraphQLReply, outcome.caller, plans);
          if (mismatch === null) continue;
          if (/is not|organization demo-org/.test(mismatch)) figures.foreignRows += 1;
          else figures.errors += 1;
          problems.push(`round ${round} ${outcome.caller.label}: ${mismatch}`);
        }
      }
      console.log(`PgBouncer ${bouncer.version}, prepared statements off: ${JSON.stringify(figures)}`);
      expect(problems.slice(0, 10)).toEqual([]);
      expect(figures).toEqual({ requests: 1200, errors: 0, hangs: 0, foreignRows: 0 });
      // Nothing left open on the server.
      const stuck = await owner<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = 'unnamed' and state like 'idle in transaction%'`;
      expect(stuck[0]?.n).toBe(0);
    }, 240_000);

    it("DATABASE_PREPARED_STATEMENTS=true behind PgBouncer 1.18 (misconfigured): 400 concurrent reads all answered, the failures masked, the cause logged", async () => {
      await prepareDatabase(cluster, "misconfigured");
      const owner = ownerClient(cluster.url("misconfigured"));
      owners.push(owner);
      const plans = await plansByOrganization(owner);
      const server = await spawnServer(bouncer.url("misconfigured"), {
        DATABASE_PREPARED_STATEMENTS: "true",
        DATABASE_POOL_SIZE: "10",
      });
      servers.push(server);

      const outcomes = await load(server.baseUrl);
      const figures = { requests: outcomes.length, data: 0, maskedErrors: 0, otherErrors: 0, hangs: 0 };
      const problems: string[] = [];
      for (const outcome of outcomes) {
        if (outcome.hung) {
          figures.hangs += 1;
          continue;
        }
        const reply = outcome.reply as GraphQLReply;
        const codes = (reply.body.errors ?? []).map((error) => error.extensions?.code);
        if (codes.length === 0 && tenantMismatch(reply, outcome.caller, plans) === null) figures.data += 1;
        else if (codes.length > 0 && codes.every((code) => code === "INTERNAL_SERVER_ERROR")) figures.maskedErrors += 1;
        else {
          figures.otherErrors += 1;
          problems.push(`${outcome.caller.label}: ${JSON.stringify(reply.body).slice(0, 200)}`);
        }
      }
      console.log(`PgBouncer ${bouncer.version}, prepared statements on (misconfigured): ${JSON.stringify(figures)}`);
      // Every request answered: data, or a masked error; never UNAUTHENTICATED for the valid token, never a hang.
      expect(problems.slice(0, 10)).toEqual([]);
      expect(figures.hangs).toBe(0);
      expect(figures.data + figures.maskedErrors).toBe(concurrency);
      // The cause, logged: a prepared statement missing, with the setting to change.
      expect(figures.maskedErrors).toBeGreaterThan(0);
      const hints = server.logs.filter((line) => JSON.stringify(line).includes("DATABASE_PREPARED_STATEMENTS=false"));
      expect(hints.length).toBeGreaterThan(0);
      const stuck = await owner<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = 'misconfigured' and state like 'idle in transaction%'`;
      expect(stuck[0]?.n).toBe(0);
    }, 240_000);

    it("DATABASE_PREPARED_STATEMENTS=true behind PgBouncer 1.18: tenant transactions fail fast with the cause, none hangs or stays open", async () => {
      await prepareDatabase(cluster, "named");
      const database = await Database.open({
        appDatabaseUrl: bouncer.url("named", "trovella_app"),
        authDatabaseUrl: bouncer.url("named", "trovella_auth"),
        poolSize: 4,
        preparedStatements: true,
      });
      const owner = ownerClient(cluster.url("named"));
      owners.push(owner);
      try {
        const outcomes = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            Promise.race([
              database
                .withTenantContext(
                  { organizationId: i % 2 ? "demo-org-acme" : "demo-org-globex", userId: null },
                  (tx) => tx.execute(sql`select ${i}::int as n`),
                  { readOnly: true, statementTimeoutMs: 5000 },
                )
                .then(
                  () => "ok",
                  (error: unknown) => String((error as { code?: unknown }).code),
                ),
              new Promise<string>((resolve) => setTimeout(() => resolve("hung"), requestBoundMs)),
            ]),
          ),
        );
        expect(outcomes).not.toContain("hung");
        // The cause is the pooler's: a prepared statement missing on the server connection.
        expect(outcomes).toContain("26000");
        const stuck = await owner<{ n: number }[]>`
          select count(*)::int as n from pg_stat_activity
          where datname = 'named' and state like 'idle in transaction%'`;
        expect(stuck[0]?.n).toBe(0);
      } finally {
        await database.close();
      }
    }, 120_000);
  });
}
