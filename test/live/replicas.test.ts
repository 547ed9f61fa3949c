import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../src/platform/db/index.js";
import { type ServerProcess, spawnServer } from "../ops/support/stack.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";
import { aliceAcme, delay, planGlobalId, subscribeSse, subscribeWs, wsClient } from "./support/live-server.js";

// Two real server processes (production mode) on one real PostgreSQL database, over real sockets: a write on
// one replica reaches a subscriber on the other (each LISTENs itself; no Redis), 1,000 subscribe/unsubscribe
// cycles leave no subscription, connection, listener or transaction behind, and SIGTERM ends subscriptions
// with a close message (SSE `complete`, graphql-ws close code 1001).
// PostgreSQL server only: PGlite is one in-process database, which a second server process cannot share.

const planEvents = `subscription { researchPlanEvents { kind plan { title } } }`;
const planUpdated = `subscription($id: ID!) { researchPlanUpdated(id: $id) { title } }`;

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return Number(line?.split(" ").at(-1) ?? Number.NaN);
}

async function createPlan(baseUrl: string, title: string): Promise<void> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${aliceAcme.token}`,
      "x-organization-id": aliceAcme.organizationId,
    },
    body: JSON.stringify({
      query: `mutation($input: CreateResearchPlanInput!) { createResearchPlan(input: $input) { plan { id } } }`,
      variables: { input: { title } },
    }),
  });
  const body = (await response.json()) as { errors?: unknown };
  expect(body.errors).toBeUndefined();
}

describe.skipIf(!serverUrl)("live updates across replicas (PostgreSQL server only)", () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let watcher: postgres.Sql;
  let databaseName: string;
  let acmePlan: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
    const url = db.databaseUrl as string;
    databaseName = new URL(url).pathname.slice(1);
    const env = { LIVE_RECHECK_INTERVAL_MS: "1000", LIVE_HEARTBEAT_MS: "2000" };
    [a, b] = await Promise.all([spawnServer(url, env), spawnServer(url, env)]);
    watcher = postgres(url, { max: 1, onnotice: () => {} });
    const [row] = await db.asOwner<{ id: string }>(
      sql`select id from research_plan where organization_id = 'demo-org-acme' order by id limit 1`,
    );
    acmePlan = row?.id as string;
  }, 240_000);
  afterAll(async () => {
    a?.kill();
    b?.kill();
    await watcher?.end();
    await db?.cleanup();
  });

  const listeners = async () => {
    const [row] = await watcher<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity where datname = ${databaseName} and query ilike 'listen %'`;
    return row?.count ?? -1;
  };
  const openTransactions = async () => {
    const [row] = await watcher<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where datname = ${databaseName} and state like 'idle in transaction%' and pid <> pg_backend_pid()`;
    return row?.count ?? -1;
  };
  const connections = async () => {
    const [row] = await watcher<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`;
    return row?.count ?? -1;
  };

  it("each replica listens on one connection, and a write on one reaches subscribers on the other", async () => {
    expect(await listeners()).toBe(2);
    expect(await metric(a.baseUrl, "live_listener_ready")).toBe(1);
    expect(await metric(b.baseUrl, "live_listener_ready")).toBe(1);
    const onB = await subscribeSse(b.baseUrl, { query: planEvents }, aliceAcme);
    const client = wsClient(b.baseUrl, aliceAcme);
    const onBWs = subscribeWs(client, { query: planUpdated, variables: { id: planGlobalId(acmePlan) } });
    await delay(500);
    await createPlan(a.baseUrl, "written on replica A");
    await db.asOwner(sql`update research_plan set title = 'renamed for replica B' where id = ${acmePlan}`);
    expect((await onB.result(0)).data?.researchPlanEvents).toEqual({
      kind: "CREATED",
      plan: { title: "written on replica A" },
    });
    expect((await onBWs.result(0)).data?.researchPlanUpdated).toEqual({ title: "renamed for replica B" });
    onB.close();
    onBWs.close();
    await client.dispose();
  }, 60_000);

  it("1,000 subscribe/unsubscribe cycles leave no subscription, listener, connection or transaction behind", async () => {
    const client = wsClient(a.baseUrl, aliceAcme);
    for (let batch = 0; batch < 20; batch++) {
      const subs = Array.from({ length: 25 }, () => subscribeWs(client, { query: planEvents }));
      await delay(20);
      for (const s of subs) s.close();
    }
    const sse = [];
    for (let i = 0; i < 500; i++) {
      const s = await subscribeSse(a.baseUrl, { query: planEvents }, aliceAcme);
      s.close();
      sse.push(s);
    }
    // One more that stays open, and a write it must still receive: the listener still works.
    const last = await subscribeSse(a.baseUrl, { query: planEvents }, aliceAcme);
    await delay(1000);
    expect(await metric(a.baseUrl, "live_subscriptions")).toBe(1);
    await createPlan(b.baseUrl, "after the cycles");
    expect((await last.result(0)).data?.researchPlanEvents).toMatchObject({ kind: "CREATED" });
    last.close();
    await client.dispose();
    await delay(1500);
    expect(await metric(a.baseUrl, "live_subscriptions")).toBe(0);
    expect(await metric(a.baseUrl, "live_websocket_connections")).toBe(0);
    expect(await metric(a.baseUrl, "db_pool_in_use")).toBe(0);
    expect(await listeners()).toBe(2);
    expect(await openTransactions()).toBe(0);
    // Per server at most: runtime pool 4, auth pool 4, readiness 1, LISTEN 1, NOTIFY probe 1.
    expect(await connections()).toBeLessThanOrEqual(2 * 11);
  }, 180_000);

  it("SIGTERM ends subscriptions with a close message: SSE complete, graphql-ws close code 1001", async () => {
    const sse = await subscribeSse(a.baseUrl, { query: planEvents }, aliceAcme);
    // Not lazy: the socket stays open after its subscriptions complete, so the server's close code shows.
    const client = wsClient(a.baseUrl, aliceAcme, { lazy: false });
    const ws = subscribeWs(client, { query: planEvents });
    await delay(500);
    expect(await metric(a.baseUrl, "live_subscriptions")).toBe(2);
    a.child.kill("SIGTERM");
    await sse.done(10_000);
    await ws.done(10_000);
    expect(sse.results).toEqual([]);
    // Completed, not failed: the graphql-ws subscription got `complete` before the socket closed.
    expect(ws.results).toEqual([]);
    const exit = await a.exited;
    expect(exit.code).toBe(0);
    expect(client.closeCodes).toContain(1001);
    expect(a.logs.find((line) => line.msg === "shutting down: ending subscriptions")).toMatchObject({
      subscriptions: 2,
    });
    await client.dispose();
    // The other replica still serves.
    expect(await metric(b.baseUrl, "live_listener_ready")).toBe(1);
  }, 60_000);
});
