import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "../../src/platform/db/index.js";
import { LiveUpdates, liveChannel } from "../../src/platform/live/updates.js";
import { type PgBouncer, requirePgBouncer, startPgBouncer } from "../ops/support/pgbouncer.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

// The listener proves itself: through a transaction pooler its NOTIFY probe is never heard, and it says so
// (unavailable, a log line naming LIVE_DATABASE_URL) within the probe timeout instead of hanging; on a direct
// connection it re-listens by itself after its backend is terminated.
// PostgreSQL server only: PGlite listens in process (no connection to lose, no pooler in front).

function capturingLogger() {
  const errors: { fields: object; message: string }[] = [];
  return {
    errors,
    logger: { info: () => {}, error: (fields: object, message: string) => errors.push({ fields, message }) },
  };
}

describe.skipIf(!serverUrl)("the live-updates listener (PostgreSQL server only)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  async function testDatabase(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    cleanups.push(() => db.cleanup());
    return db;
  }

  it.skipIf(!requirePgBouncer())(
    "through a PgBouncer transaction pool: unavailable within the probe timeout, logged naming LIVE_DATABASE_URL",
    async () => {
      const db = await testDatabase();
      const url = new URL(db.databaseUrl as string);
      const bouncer: PgBouncer = await startPgBouncer({ port: Number(url.port || 5432) });
      cleanups.push(() => bouncer.stop());
      const database = await Database.open({
        databaseUrl: db.databaseUrl,
        liveDatabaseUrl: bouncer.url(url.pathname.slice(1), "trovella_app"),
        poolSize: 1,
      });
      cleanups.push(() => database.close());
      const { errors, logger } = capturingLogger();
      const live = new LiveUpdates(database, { probeTimeoutMs: 1000, probeIntervalMs: 60_000, logger });
      cleanups.push(() => live.close());
      const startedAt = Date.now();
      await live.start();
      expect(Date.now() - startedAt).toBeLessThan(5000);
      expect(live.state).toBe("unavailable");
      expect(errors.map((e) => e.message).join("\n")).toContain("LIVE_DATABASE_URL");
    },
    30_000,
  );

  it("on a direct connection: ready, and after its backend is terminated it listens again by itself", async () => {
    const db = await testDatabase();
    const database = await Database.open({ databaseUrl: db.databaseUrl, poolSize: 1 });
    cleanups.push(() => database.close());
    const { logger } = capturingLogger();
    const live = new LiveUpdates(database, { probeTimeoutMs: 2000, probeIntervalMs: 500, logger });
    cleanups.push(() => live.close());
    await live.start();
    expect(live.state).toBe("ready");
    const stream = live.subscribe({ organizationId: "demo-org-x", accepts: () => true, key: (e) => e.id });
    const admin = postgres(db.databaseUrl as string, { max: 1, onnotice: () => {} });
    cleanups.push(() => admin.end());
    const name = new URL(db.databaseUrl as string).pathname.slice(1);
    const terminated = await admin<{ pid: number }[]>`
      select pg_terminate_backend(pid), pid from pg_stat_activity where datname = ${name} and query ilike 'listen %'`;
    expect(terminated).toHaveLength(1);
    // postgres.js reconnects and re-listens; the event of a commit after that arrives.
    let received = false;
    const next = stream.next().then(() => {
      received = true;
    });
    const deadline = Date.now() + 10_000;
    while (!received && Date.now() < deadline) {
      await db.asOwner(
        sql`select pg_notify(${liveChannel}, '{"table":"research_plan","id":"p1","organization_id":"demo-org-x","plan_id":"p1","op":"update"}')`,
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await next;
    expect(received).toBe(true);
    stream.close();
    expect(live.subscriptions).toBe(0);
  }, 30_000);
});
