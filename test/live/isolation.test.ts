import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphiqlDefaults } from "../../src/pipeline/graphiql.js";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import {
  aliceAcme,
  type Credentials,
  delay,
  type LiveServer,
  planGlobalId,
  signIn,
  startLiveServer,
  subscribeSse,
} from "./support/live-server.js";

// Subscriptions over SSE on a real socket: each tenant hears only its own changes, another tenant's id yields
// nothing, a rolled-back write yields nothing, and a write made outside the gateway (the owner) notifies.

const planUpdated = `subscription Updated($id: ID!) { researchPlanUpdated(id: $id) { id title } }`;
const planEvents = `subscription Events { researchPlanEvents { kind planId plan { title } } }`;

describe(`live updates over SSE (${backendName})`, () => {
  let server: LiveServer;
  let carolGlobex: Credentials;

  beforeAll(async () => {
    server = await startLiveServer();
    carolGlobex = { token: await signIn(server.baseUrl, demoUsers.carol.email), organizationId: "demo-org-globex" };
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const setTitle = (id: string, title: string) =>
    server.db.asOwner(sql`update research_plan set title = ${title} where id = ${id}`);

  it("delivers each tenant's writes to that tenant only, re-read as the subscriber", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const globexPlan = server.plans["demo-org-globex"] as string;
    const acme = await subscribeSse(server.baseUrl, { query: planEvents }, aliceAcme);
    const globex = await subscribeSse(server.baseUrl, { query: planEvents }, carolGlobex);
    const acmeUpdated = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId(acmePlan) } },
      aliceAcme,
    );
    await delay(300);
    // Plans created through the gateway, one per tenant.
    for (const [credentials, title] of [
      [aliceAcme, "acme live plan"],
      [carolGlobex, "globex live plan"],
    ] as const) {
      const reply = await fetch(`${server.baseUrl}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${credentials.token}`,
          "x-organization-id": credentials.organizationId,
        },
        body: JSON.stringify({
          query: `mutation($input: CreateResearchPlanInput!) { createResearchPlan(input: $input) { plan { id } } }`,
          variables: { input: { title } },
        }),
      });
      expect(reply.status).toBe(200);
    }
    // Owner writes (outside the gateway) to one plan of each tenant.
    await setTitle(acmePlan, "acme renamed by a worker");
    await setTitle(globexPlan, "globex renamed by a worker");

    const acmeCreated = await acme.result(0);
    expect(acmeCreated.errors).toBeUndefined();
    expect(acmeCreated.data?.researchPlanEvents).toMatchObject({ kind: "CREATED", plan: { title: "acme live plan" } });
    const globexCreated = await globex.result(0);
    expect(globexCreated.data?.researchPlanEvents).toMatchObject({
      kind: "CREATED",
      plan: { title: "globex live plan" },
    });
    const updated = await acmeUpdated.result(0);
    expect(updated.data?.researchPlanUpdated).toEqual({
      id: planGlobalId(acmePlan),
      title: "acme renamed by a worker",
    });
    await delay(500);
    // Renames are not plan-level events; nothing of the other tenant arrived.
    expect(acme.results).toHaveLength(1);
    expect(globex.results).toHaveLength(1);
    expect(acmeUpdated.results).toHaveLength(1);
    for (const s of [acme, globex, acmeUpdated]) s.close();
  }, 30_000);

  it("yields nothing, and no error, for another tenant's plan id", async () => {
    const globexPlan = server.plans["demo-org-globex"] as string;
    const acmePlan = server.plans["demo-org-acme"] as string;
    const foreign = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId(globexPlan) } },
      aliceAcme,
    );
    const own = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId(acmePlan) } },
      aliceAcme,
    );
    await delay(300);
    await setTitle(globexPlan, "globex secret title");
    await setTitle(acmePlan, "acme after the foreign write");
    await own.result(0);
    await delay(500);
    expect(foreign.results).toEqual([]);
    expect(foreign.completed).toBe(false);
    foreign.close();
    own.close();
  }, 30_000);

  it("yields nothing for a rolled-back write, and the next committed one arrives", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const updated = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId(acmePlan) } },
      aliceAcme,
    );
    await delay(300);
    await expect(
      server.db.asOwner(
        sql.raw(
          `do $$ begin update research_plan set title = 'rolled back' where id = '${acmePlan}'; raise exception 'roll it back'; end $$`,
        ),
      ),
    ).rejects.toThrow();
    await delay(800);
    expect(updated.results).toEqual([]);
    await setTitle(acmePlan, "committed after the rollback");
    const result = await updated.result(0);
    expect(result.data?.researchPlanUpdated).toMatchObject({ title: "committed after the rollback" });
    updated.close();
  }, 30_000);

  it("notifies a step written by the owner outside the gateway", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const updated = await subscribeSse(
      server.baseUrl,
      {
        query: `subscription($id: ID!) { researchPlanUpdated(id: $id) { stepCount } }`,
        variables: { id: planGlobalId(acmePlan) },
      },
      aliceAcme,
    );
    await delay(300);
    const [row] = await server.db.asOwner<{ count: number }>(
      sql`select count(*)::int as count from plan_step where plan_id = ${acmePlan}`,
    );
    await server.db.asOwner(
      sql`update plan_step set title = title || ' (worker)' where plan_id = ${acmePlan} and position = 1`,
    );
    const result = await updated.result(0);
    expect(result.data?.researchPlanUpdated).toEqual({ stepCount: row?.count });
    updated.close();
  }, 30_000);

  it("serves a subscription as GraphiQL sends it: a GET over SSE with its additional (CSRF) headers", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const url = new URL(`${server.baseUrl}/graphql`);
    url.searchParams.set("query", planUpdated);
    url.searchParams.set("variables", JSON.stringify({ id: planGlobalId(acmePlan) }));
    const headers = {
      accept: "text/event-stream",
      authorization: `Bearer ${aliceAcme.token}`,
      "x-organization-id": aliceAcme.organizationId,
    };
    // Without the CSRF header a GET is refused, subscription or not.
    const refused = await fetch(url, { headers });
    expect(refused.status).toBe(403);
    await refused.body?.cancel();
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { ...headers, ...graphiqlDefaults.additionalHeaders },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    await delay(300);
    await setTitle(acmePlan, "seen in GraphiQL");
    const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    let text = "";
    while (!text.includes("seen in GraphiQL")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: next");
    expect(text).toContain("seen in GraphiQL");
    controller.abort();
  }, 30_000);

  it("refuses an anonymous subscription with a code", async () => {
    const anonymous = await subscribeSse(server.baseUrl, { query: planEvents }, null);
    const result = await anonymous.result(0);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await anonymous.done();
  }, 30_000);
});
