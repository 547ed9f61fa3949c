import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { createTokenForUser } from "../support/tokens.js";
import {
  aliceAcme,
  type Credentials,
  delay,
  type LiveServer,
  planGlobalId,
  signIn,
  startLiveServer,
  subscribeSse,
  subscribeWs,
  wsClient,
} from "./support/live-server.js";

// graphql-ws over a real WebSocket, the re-checks (a revoked token, a removed member: the subscription ends
// with an error within the re-check interval) on both transports, and the subscription limits.

const recheckIntervalMs = 500;
/** The bound a test allows: the interval, one delivery's work and the socket. */
const endBoundMs = recheckIntervalMs + 2000;
/** graphql-ws pings this often; clients answer by themselves (ws answers pings with pongs). */
const heartbeatMs = 300;

const planEvents = `subscription { researchPlanEvents { kind planId plan { title } } }`;
const progress = `subscription($planId: ID!) { skillExecutionProgress(planId: $planId) { skillName status } }`;

describe(`live updates over graphql-ws, re-checks and limits (${backendName})`, () => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer({ recheckIntervalMs, heartbeatMs, maxPerConnection: 3, maxPerPrincipal: 5 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("delivers plan events and skill executions over graphql-ws", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const client = wsClient(server.baseUrl, aliceAcme);
    onTestFinished(() => client.dispose());
    const events = subscribeWs(client, { query: planEvents });
    const executions = subscribeWs(client, { query: progress, variables: { planId: planGlobalId(acmePlan) } });
    await delay(500);
    await server.db.asOwner(
      sql`insert into skill_execution (id, organization_id, plan_id, skill_name, status) values ('live-exec-1', 'demo-org-acme', ${acmePlan}, 'live-skill', 'running')`,
    );
    // Each delivery re-reads the row as it is then: wait for the first before the next change.
    const started = await executions.result(0);
    expect(started.data?.skillExecutionProgress).toEqual({ skillName: "live-skill", status: "RUNNING" });
    await server.db.asOwner(sql`update skill_execution set status = 'succeeded' where id = 'live-exec-1'`);
    await server.db.asOwner(
      sql`update research_plan set status = case when status = 'cancelled' then 'draft'::plan_status else 'cancelled'::plan_status end where id = ${acmePlan}`,
    );
    const finished = await executions.result(1);
    expect(finished.data?.skillExecutionProgress).toEqual({ skillName: "live-skill", status: "SUCCEEDED" });
    const statusChanged = await events.result(0);
    expect(statusChanged.data?.researchPlanEvents).toMatchObject({
      kind: "STATUS_CHANGED",
      planId: planGlobalId(acmePlan),
    });
    await server.db.asOwner(sql`delete from skill_execution where id = 'live-exec-1'`);
    events.close();
    executions.close();
    await client.dispose();
  }, 30_000);

  it("records each graphql-ws operation like an HTTP one: metrics by name, type and error code", async () => {
    const metricValue = async (pattern: RegExp): Promise<number> => {
      const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
      const line = text.split("\n").find((candidate) => pattern.test(candidate));
      return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
    };
    const subscribed =
      /^graphql_operation_duration_seconds_count\{operation_name="WsWatch",operation_type="subscription",outcome="ok"\}/;
    const queried =
      /^graphql_operation_duration_seconds_count\{operation_name="WsPlans",operation_type="query",outcome="ok"\}/;
    const refused =
      /^graphql_operation_errors_total\{operation_name="WsPlans",operation_type="query",code="UNAUTHENTICATED"\}/;
    const before = [await metricValue(subscribed), await metricValue(queried), await metricValue(refused)];

    const client = wsClient(server.baseUrl, aliceAcme);
    onTestFinished(() => client.dispose());
    const watch = subscribeWs(client, { query: "subscription WsWatch { researchPlanEvents { kind } }" });
    const plans = subscribeWs(client, { query: "query WsPlans { researchPlans(first: 1) { totalCount } }" });
    expect((await plans.result(0)).errors).toBeUndefined();
    const stranger = wsClient(server.baseUrl, { token: "trv_not_a_token", organizationId: "demo-org-acme" });
    onTestFinished(() => stranger.dispose());
    const refusedPlans = subscribeWs(stranger, { query: "query WsPlans { researchPlans(first: 1) { totalCount } }" });
    await refusedPlans.done(5000);
    await delay(200);
    watch.close();

    expect(await metricValue(subscribed)).toBe((before[0] ?? 0) + 1);
    expect(await metricValue(queried)).toBe((before[1] ?? 0) + 1);
    expect(await metricValue(refused)).toBe((before[2] ?? 0) + 1);
  }, 30_000);

  it("refuses a WebSocket upgrade from a foreign browser origin (cross-site WebSocket hijacking)", async () => {
    const url = `${server.baseUrl.replace("http", "ws")}/graphql`;
    const status = (origin: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url, "graphql-transport-ws", { headers: { origin } });
        socket.once("unexpected-response", (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once("open", () => {
          resolve(101);
          socket.close();
        });
        socket.once("error", () => resolve(-1));
      });
    expect(await status("http://evil.example")).toBe(403);
    expect(await status(server.baseUrl)).toBe(101);
  }, 30_000);

  it("pings every socket (heartbeat) and closes one whose pong does not come", async () => {
    const url = `${server.baseUrl.replace("http", "ws")}/graphql`;
    const watch = (autoPong: boolean) =>
      new Promise<{ pings: number; closedAfterMs: number | null }>((resolve) => {
        const socket = new WebSocket(url, "graphql-transport-ws", { autoPong });
        let pings = 0;
        const opened = performance.now();
        socket.on("ping", () => {
          pings += 1;
        });
        socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: {} })));
        const done = setTimeout(() => {
          socket.terminate();
          resolve({ pings, closedAfterMs: null });
        }, heartbeatMs * 8);
        socket.once("close", () => {
          clearTimeout(done);
          resolve({ pings, closedAfterMs: performance.now() - opened });
        });
      });
    const [answering, silent] = await Promise.all([watch(true), watch(false)]);
    // An answering client is pinged about every interval and stays connected.
    expect(answering.pings).toBeGreaterThanOrEqual(4);
    expect(answering.closedAfterMs).toBeNull();
    // A client that never answers is closed once a pong is overdue (its first ping plus one interval), within
    // the watch; an answering one is not.
    expect(silent.pings).toBeGreaterThanOrEqual(1);
    expect(silent.closedAfterMs).not.toBeNull();
    expect(silent.closedAfterMs ?? Number.POSITIVE_INFINITY).toBeLessThan(heartbeatMs * 8);
  }, 30_000);

  it("ends a subscription whose token is revoked, with UNAUTHENTICATED, within the re-check interval (SSE and graphql-ws)", async () => {
    const [alice] = await server.db.asOwner<{ id: string }>(
      sql`select id from "user" where email = ${demoUsers.alice.email}`,
    );
    const { token, record } = await createTokenForUser(server.db, {
      userId: alice?.id as string,
      name: "live revocation",
      scopes: ["read"],
      expiresAt: null,
    });
    const credentials: Credentials = { token, organizationId: "demo-org-acme" };
    const sse = await subscribeSse(server.baseUrl, { query: planEvents }, credentials);
    const client = wsClient(server.baseUrl, credentials);
    const ws = subscribeWs(client, { query: planEvents });
    await delay(800);
    expect(sse.results).toEqual([]);
    expect(ws.results).toEqual([]);
    const revokedAt = Date.now();
    await server.db.asOwner(sql`update personal_access_token set revoked_at = now() where id = ${record.id}`);
    for (const sub of [sse, ws]) {
      const ended = await sub.result(0, endBoundMs);
      expect(ended.errors?.[0]?.extensions?.code ?? ended.errors?.[0]?.message).toBe("UNAUTHENTICATED");
      await sub.done(endBoundMs);
    }
    expect(Date.now() - revokedAt).toBeLessThan(endBoundMs);
    await client.dispose();
  }, 30_000);

  it("ends a removed member's subscription with FORBIDDEN within the re-check interval (SSE and graphql-ws)", async () => {
    const bob: Credentials = {
      token: await signIn(server.baseUrl, demoUsers.bob.email),
      organizationId: "demo-org-acme",
    };
    const sse = await subscribeSse(server.baseUrl, { query: planEvents }, bob);
    const client = wsClient(server.baseUrl, bob);
    const ws = subscribeWs(client, { query: planEvents });
    await delay(800);
    const removedAt = Date.now();
    await server.db.asOwner(
      sql`delete from member where organization_id = 'demo-org-acme' and user_id = (select id from "user" where email = ${demoUsers.bob.email})`,
    );
    for (const sub of [sse, ws]) {
      const ended = await sub.result(0, endBoundMs);
      expect(ended.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      await sub.done(endBoundMs);
    }
    expect(Date.now() - removedAt).toBeLessThan(endBoundMs);
    await client.dispose();
  }, 30_000);

  it("refuses subscriptions over the per-connection and per-principal limits with LIMIT_EXCEEDED", async () => {
    const client = wsClient(server.baseUrl, aliceAcme);
    const open = [1, 2, 3].map(() => subscribeWs(client, { query: planEvents }));
    await delay(500);
    const fourth = subscribeWs(client, { query: planEvents });
    const refused = await fourth.result(0);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "subscriptionsPerConnection",
    });
    // Two more over SSE reach the principal's 5; the sixth is refused.
    const sse = [await subscribeSse(server.baseUrl, { query: planEvents }, aliceAcme)];
    sse.push(await subscribeSse(server.baseUrl, { query: planEvents }, aliceAcme));
    await delay(300);
    const over = await subscribeSse(server.baseUrl, { query: planEvents }, aliceAcme);
    const overResult = await over.result(0);
    expect(overResult.errors?.[0]?.extensions).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "subscriptionsPerPrincipal",
    });
    for (const s of [...open, ...sse]) s.close();
    await client.dispose();
    // Closing gave the slots back.
    await delay(500);
    expect(server.live.subscriptions).toBe(0);
    const again = await subscribeSse(server.baseUrl, { query: planEvents }, aliceAcme);
    await delay(300);
    expect(again.results).toEqual([]);
    expect(server.live.subscriptions).toBe(1);
    again.close();
  }, 30_000);
});
