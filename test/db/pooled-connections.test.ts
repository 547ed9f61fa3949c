import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import { seededRandom } from "../../src/platform/db/seed/embeddings.js";
import { backendName, createTestDatabase, rowsOf, serverOnlyTest, type TestDatabase } from "../support/database.js";
import { createTenantFixtures, type FixtureOrg, type TenantFixtures } from "../support/tenant-fixtures.js";
import { tenantTables } from "../support/tenant-schema.js";

// Nothing a tenant transaction sets may survive it on a pooled connection: not the role, not app.organization_id
// or app.user_id, not the statement timeout or read-only mode; not after a commit, not after a throw.
// Pool of 1 so "the next query" is provably on the same connection (same backend pid); then 200 concurrent
// transactions of random tenants on a pool of 4. PGlite has a single connection: the same tests run there
// (the concurrent transactions serialize).

interface SessionState {
  pid: number;
  currentUser: string;
  role: string;
  organizationId: string | null;
  userId: string | null;
  statementTimeout: string;
  readOnly: string;
}

const sessionStateSql = sql`select pg_backend_pid() as pid, current_user as "currentUser",
  current_setting('role') as role,
  current_setting('app.organization_id', true) as "organizationId",
  current_setting('app.user_id', true) as "userId",
  current_setting('statement_timeout') as "statementTimeout",
  current_setting('transaction_read_only') as "readOnly"`;

/** A union of every tenant table's (table, organization_id): what one statement can see of all tenant data. */
const everyTenantRowSql = sql.join(
  tenantTables.map((t) => sql`select ${t.name}::text as "table", organization_id as "organizationId" from ${t.table}`),
  sql` union all `,
);

describe(`pooled connections on ${backendName}`, () => {
  let db: TestDatabase;
  let fixtures: TenantFixtures;
  let loginRole: string;
  let baseline: SessionState;

  /** The session's state, queried on the raw runtime handle outside any transaction. */
  const sessionState = async (): Promise<SessionState> => {
    const [state] = rowsOf<SessionState>(await connectionsOf(db.database).app.execute(sessionStateSql));
    if (!state) throw new Error("no session state");
    return state;
  };

  /** Tenant rows visible to `authenticated` on the raw connection, without setting any organization. */
  const contextlessTenantRows = () =>
    connectionsOf(db.database).app.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', 'authenticated', true)`);
      const [state] = rowsOf<SessionState>(await tx.execute(sessionStateSql));
      const rows = rowsOf<{ table: string; organizationId: string }>(await tx.execute(everyTenantRowSql));
      return { state, rows };
    });

  const expectClean = (state: SessionState) => {
    expect(state.pid).toBe(baseline.pid);
    expect(state.currentUser).toBe(loginRole);
    expect(state.role).toBe("none");
    expect([null, ""]).toContain(state.organizationId);
    expect([null, ""]).toContain(state.userId);
    expect(state.statementTimeout).toBe(baseline.statementTimeout);
    expect(state.readOnly).toBe("off");
  };

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    fixtures = await createTenantFixtures(db, ["a", "b", "c"]);
    // The runtime login: trovella_app on a server; PGlite always connects as the superuser postgres.
    loginRole = db.database.kind === "postgres" ? "trovella_app" : "postgres";
    baseline = await sessionState();
  });
  afterAll(() => db?.cleanup());

  it("starts from a clean session as the runtime login", () => {
    expect(baseline.currentUser).toBe(loginRole);
    expect(baseline.role).toBe("none");
    expect([null, ""]).toContain(baseline.organizationId);
  });

  it("leaves nothing behind after A's transaction: a context-less query on the same connection sees 0 tenant rows", async () => {
    const a = fixtures.org("a");
    const inside = await db.database.withTenantContext(
      { organizationId: a.organizationId, userId: a.userId },
      async (tx) => {
        const [state] = rowsOf<SessionState>(await tx.execute(sessionStateSql));
        const rows = rowsOf<{ organizationId: string }>(await tx.execute(everyTenantRowSql));
        return { state, rows };
      },
      { statementTimeoutMs: 1234, readOnly: true },
    );
    // Inside, the context was really set (so the checks below test that it was undone).
    expect(inside.state).toMatchObject({
      pid: baseline.pid,
      currentUser: "authenticated",
      organizationId: a.organizationId,
      userId: a.userId,
      statementTimeout: "1234ms",
      readOnly: "on",
    });
    expect(inside.rows).toHaveLength(tenantTables.length);

    expectClean(await sessionState());
    const after = await contextlessTenantRows();
    expect(after.state?.pid).toBe(baseline.pid);
    expect(after.state?.currentUser).toBe("authenticated");
    expect([null, ""]).toContain(after.state?.organizationId);
    expect(after.rows).toEqual([]);
  });

  it("leaves role and settings clean after a transaction that throws", async () => {
    const b = fixtures.org("b");
    const failure = db.database.withTenantContext(
      { organizationId: b.organizationId, userId: b.userId },
      async (tx) => {
        const rows = rowsOf(await tx.execute(everyTenantRowSql));
        throw new Error(`application error after reading ${rows.length} rows`);
      },
    );
    await expect(failure).rejects.toThrow(`application error after reading ${tenantTables.length} rows`);
    expectClean(await sessionState());
    expect((await contextlessTenantRows()).rows).toEqual([]);
  });

  it("leaves role and settings clean after a transaction the database aborted", async () => {
    const c = fixtures.org("c");
    const failure = db.database.withTenantContext({ organizationId: c.organizationId, userId: c.userId }, (tx) =>
      tx.execute(sql`select 1 / 0`),
    );
    await expect(failure).rejects.toThrow();
    expectClean(await sessionState());
    expect((await contextlessTenantRows()).rows).toEqual([]);
  });

  it("fails the whole transaction when the settings fail, though its first query was sent right behind them", async () => {
    const a = fixtures.org("a");
    let queryFinished = false;
    // PostgreSQL refuses a NUL byte in text: the settings statement fails, after the data query was pipelined.
    const failure = db.database.withTenantContext(
      { organizationId: `${a.organizationId}\u0000`, userId: a.userId },
      async (tx) => {
        const rows = rowsOf(await tx.execute(everyTenantRowSql));
        queryFinished = true;
        return rows;
      },
    );
    await expect(failure).rejects.toThrow(/0x00|set_config/);
    expect(queryFinished).toBe(false);
    expectClean(await sessionState());
  });
  it("runs 200 concurrent transactions of random tenants on a pool of 4, each seeing only its own rows", async () => {
    // A second pool of 4 onto the same database (on PGlite, the one connection: they serialize).
    const pool = db.databaseUrl ? await Database.open({ databaseUrl: db.databaseUrl, poolSize: 4 }) : db.database;
    try {
      const random = seededRandom("pooled-connections");
      const orgs = fixtures.orgs;
      const plans = Array.from({ length: 200 }, (_, i) => ({
        i,
        org: orgs[Math.floor(random() * orgs.length)] as FixtureOrg,
        // Every 10th one throws after reading, to mix rollbacks in.
        fails: i % 10 === 9,
        sleepMs: Math.floor(random() * 5),
      }));
      const results = await Promise.allSettled(
        plans.map(({ org, fails, sleepMs, i }) =>
          pool.withTenantContext({ organizationId: org.organizationId, userId: org.userId }, async (tx) => {
            const [before] = rowsOf<SessionState>(await tx.execute(sessionStateSql));
            await tx.execute(sql`select pg_sleep(${sleepMs / 1000})`);
            const rows = rowsOf<{ table: string; organizationId: string }>(await tx.execute(everyTenantRowSql));
            const [after] = rowsOf<SessionState>(await tx.execute(sessionStateSql));
            const seen = { i, org: org.organizationId, before, after, rows };
            if (fails) throw Object.assign(new Error("planned failure"), { seen });
            return seen;
          }),
        ),
      );
      const seen = results.map((result) =>
        result.status === "fulfilled" ? result.value : (result.reason as { seen: unknown }).seen,
      ) as {
        i: number;
        org: string;
        before?: SessionState;
        after?: SessionState;
        rows: { organizationId: string }[];
      }[];

      expect(results.filter((r) => r.status === "rejected")).toHaveLength(20);
      expect(new Set(seen.map((s) => s.org)).size).toBe(orgs.length);
      for (const s of seen) {
        expect(s.before?.organizationId, `transaction ${s.i}`).toBe(s.org);
        expect(s.after?.organizationId, `transaction ${s.i}`).toBe(s.org);
        expect(s.rows, `transaction ${s.i}`).toHaveLength(tenantTables.length);
        expect(new Set(s.rows.map((r) => r.organizationId)), `transaction ${s.i}`).toEqual(new Set([s.org]));
      }
      const pids = new Set(seen.map((s) => s.before?.pid));
      if (db.databaseUrl) {
        // Really concurrent: the transactions were spread over the pool's connections, and no more.
        expect(pids.size).toBeGreaterThan(1);
        expect(pids.size).toBeLessThanOrEqual(4);
      } else {
        expect(pids.size).toBe(1);
      }
    } finally {
      if (pool !== db.database) await pool.close();
    }
    expectClean(await sessionState());
  });

  // Last: it replaces the pool's connection (a new backend pid). postgres.js 3.4.9, unpatched, threw an
  // uncaught TypeError from a timer here (the rollback it writes to the dead connection) and left the
  // connection unable to write anything again: every later query timed out connecting (patches/).
  serverOnlyTest(
    "a backend killed inside a transaction fails it; the process survives and the pool connects again",
    async () => {
      const a = fixtures.org("a");
      const killed = db.database.withTenantContext({ organizationId: a.organizationId, userId: a.userId }, (tx) =>
        tx.execute(sql`select pg_sleep(30) as "killed here"`),
      );
      const failed = killed.then(
        () => false,
        () => true,
      );
      let pid: number | undefined;
      for (let tries = 0; pid === undefined && tries < 100; tries += 1) {
        [pid] = (
          await db.asOwner<{ pid: number }>(
            sql`select pid from pg_stat_activity where query like '%killed here%' and pid <> pg_backend_pid()`,
          )
        ).map((row) => row.pid);
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(pid, "the transaction should be sleeping").toBeDefined();
      await db.asOwner(sql`select pg_terminate_backend(${pid ?? 0})`);
      expect(await failed).toBe(true);

      // The next operations reach the database again (the first may still see the connection go).
      const outcomes: string[] = [];
      for (let attempt = 0; attempt < 3 && outcomes.at(-1) !== "ok"; attempt += 1) {
        const outcome = await Promise.race([
          db.database
            .withTenantContext({ organizationId: a.organizationId, userId: a.userId }, (tx) =>
              tx.execute(sessionStateSql),
            )
            .then(
              (result) =>
                rowsOf<SessionState>(result)[0]?.organizationId === a.organizationId ? "ok" : "wrong tenant",
              (error: unknown) => `failed: ${(error as { code?: string }).code ?? String(error)}`,
            ),
          new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5000)),
        ]);
        outcomes.push(outcome);
      }
      expect(outcomes.at(-1), outcomes.join(", ")).toBe("ok");
      expect(outcomes).not.toContain("hung");
    },
    60_000,
  );
});
