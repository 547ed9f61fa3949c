import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBudgets } from "../../src/platform/config/index.js";
import { backendName } from "../support/database.js";
import {
  aliceAcme,
  delay,
  type LiveServer,
  planGlobalId,
  startLiveServer,
  subscribeSse,
} from "./support/live-server.js";

// Each delivery costs against the tenant's budget (the subscription itself took one operation when it
// started), and a subscription that delivered nothing for LIVE_IDLE_TIMEOUT_MS completes.

const planUpdated = `subscription($id: ID!) { researchPlanUpdated(id: $id) { title } }`;

describe(`live updates: budgets and the idle timeout (${backendName})`, () => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer(
      { idleTimeoutMs: 1500 },
      // Three operations a minute for the organization: the subscription's start and two deliveries.
      { budgets: { ...defaultBudgets, organizationRequestsPerMinute: 3 } },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it("charges each delivery to the tenant's budget: over it, the delivery is RATE_LIMITED", async () => {
    const acmePlan = server.plans["demo-org-acme"] as string;
    const sub = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId(acmePlan) } },
      aliceAcme,
    );
    await delay(200);
    for (let i = 1; i <= 3; i++) {
      await server.db.asOwner(sql`update research_plan set title = ${`budget ${i}`} where id = ${acmePlan}`);
      await sub.result(i - 1);
    }
    expect(sub.results[0]?.data?.researchPlanUpdated).toEqual({ title: "budget 1" });
    expect(sub.results[1]?.data?.researchPlanUpdated).toEqual({ title: "budget 2" });
    expect(sub.results[2]?.errors?.[0]?.extensions).toMatchObject({
      code: "RATE_LIMITED",
      budget: "organization-requests",
    });
    sub.close();
  }, 30_000);

  it("completes a subscription that delivered nothing for the idle timeout", async () => {
    const sub = await subscribeSse(
      server.baseUrl,
      { query: planUpdated, variables: { id: planGlobalId("no-such-plan") } },
      { ...aliceAcme, organizationId: "demo-org-globex" },
    );
    const startedAt = Date.now();
    await sub.done(5000);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400);
    expect(sub.results.filter((r) => r.errors)).toEqual([]);
  }, 30_000);
});
