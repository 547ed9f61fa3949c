import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";
import {
  acmeIds,
  auditActions,
  countRows,
  decodeGlobalId,
  expectError,
  expectOk,
  globalId,
  initechIds,
  patWith,
  run,
  snapshot,
} from "./helpers.js";

// The lead's plan mutations, through the whole gateway: create, update (optimistic concurrency), transition
// (state machine), delete (drafts only). Each writes its audit entry in the same transaction.

const planGid = (id: string) => globalId("ResearchPlan", id);

const createPlan = /* GraphQL */ `
  mutation ($input: CreateResearchPlanInput!) {
    createResearchPlan(input: $input) { plan { id title description status version author { id: databaseId } } }
  }`;
const updatePlan = /* GraphQL */ `
  mutation ($input: UpdateResearchPlanInput!) {
    updateResearchPlan(input: $input) { plan { id title description version } }
  }`;
const transitionPlan = /* GraphQL */ `
  mutation ($input: TransitionResearchPlanInput!) {
    transitionResearchPlan(input: $input) { plan { id status version startedAt completedAt } }
  }`;
const deletePlan = /* GraphQL */ `
  mutation ($input: DeleteResearchPlanInput!) { deleteResearchPlan(input: $input) { deletedPlanId } }`;

interface PlanShape {
  id: string;
  title: string;
  description: string | null;
  status: string;
  version: number;
  startedAt: string | null;
  completedAt: string | null;
  author: { id: string };
}

describe(`research plan mutations on ${backendName}`, () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await createTestGateway();
  });
  afterAll(() => gw?.cleanup());

  async function newPlan(title = "A plan", as: Caller = demoPat): Promise<{ gid: string; id: string }> {
    const data = expectOk(
      await run<{ createResearchPlan: { plan: PlanShape } }>(gw, as, createPlan, { input: { title } }),
    );
    const gid = data.createResearchPlan.plan.id;
    return { gid, id: decodeGlobalId(gid).id };
  }

  async function refused(query: string, input: unknown, code: string, field?: string, as: Caller = demoPat) {
    const before = await snapshot(gw.db);
    const response = await run(gw, as, query, { input });
    const error = expectError(response, code, field);
    expect(await snapshot(gw.db)).toEqual(before);
    return error;
  }

  describe("createResearchPlan", () => {
    it("creates a draft authored by the caller in the request's organization, with its audit entry", async () => {
      const bob = await gw.signIn(demoUsers.bob.email);
      const data = expectOk(
        await run<{ createResearchPlan: { plan: PlanShape } }>(gw, bob.cookie, createPlan, {
          input: { title: "  Grid storage  ", description: "Why batteries." },
        }),
      );
      expect(data.createResearchPlan.plan).toMatchObject({
        title: "Grid storage",
        description: "Why batteries.",
        status: "DRAFT",
        version: 1,
        author: { id: demoUsers.bob.id },
      });
      const id = decodeGlobalId(data.createResearchPlan.plan.id).id;
      const [row] = await gw.db.asOwner<{ organization_id: string }>(
        sql`select organization_id from research_plan where id = ${id}`,
      );
      expect(row?.organization_id).toBe("demo-org-acme");
      expect(await auditActions(gw.db, id)).toEqual(["plan_created"]);
    });

    it.each([
      ["an empty title", { title: "  " }, "title"],
      ["a title over 200 characters", { title: "x".repeat(201) }, "title"],
      ["a title with control characters", { title: "a\u0007b" }, "title"],
      ["a description over 10,000 characters", { title: "ok", description: "x".repeat(10_001) }, "description"],
    ])("refuses %s (BAD_USER_INPUT), writing nothing", async (_label, input, field) => {
      await refused(createPlan, input, "BAD_USER_INPUT", field);
    });

    it("refuses a missing title before execution (the schema)", async () => {
      await refused(createPlan, {}, "BAD_USER_INPUT");
    });
  });

  describe("updateResearchPlan", () => {
    it("changes the fields sent, bumps the version, and audits only what changed", async () => {
      const plan = await newPlan("Before");
      const data = expectOk(
        await run<{ updateResearchPlan: { plan: PlanShape } }>(gw, demoPat, updatePlan, {
          input: { id: plan.gid, expectedVersion: 1, title: "After" },
        }),
      );
      expect(data.updateResearchPlan.plan).toMatchObject({ title: "After", description: null, version: 2 });
      const [entry] = await gw.db.asOwner<{ diff: unknown; actor_id: string }>(
        sql`select diff, actor_id from plan_audit_log where plan_id = ${plan.id} and action = 'plan_updated'`,
      );
      expect(entry).toEqual({
        diff: { before: { title: "Before" }, after: { title: "After" } },
        actor_id: demoUsers.alice.id,
      });
      // description: null clears it.
      expectOk(await run(gw, demoPat, updatePlan, { input: { id: plan.gid, expectedVersion: 2, description: "d" } }));
      const cleared = expectOk(
        await run<{ updateResearchPlan: { plan: PlanShape } }>(gw, demoPat, updatePlan, {
          input: { id: plan.gid, expectedVersion: 3, description: null },
        }),
      );
      expect(cleared.updateResearchPlan.plan).toMatchObject({ description: null, version: 4 });
    });

    it("answers a stale version with CONFLICT and the current version, writing nothing", async () => {
      const plan = await newPlan();
      expectOk(await run(gw, demoPat, updatePlan, { input: { id: plan.gid, expectedVersion: 1, title: "One" } }));
      const error = await refused(updatePlan, { id: plan.gid, expectedVersion: 1, title: "Two" }, "CONFLICT");
      expect(error.extensions).toMatchObject({ expectedVersion: 1, currentVersion: 2 });
    });

    it.each([
      ["an empty title", { title: "" }, "title"],
      ["a null title", { title: null }, "title"],
      ["an expected version of 0", { expectedVersion: 0 }, "expectedVersion"],
    ])("refuses %s (BAD_USER_INPUT)", async (_label, change, field) => {
      const plan = await newPlan();
      await refused(updatePlan, { id: plan.gid, expectedVersion: 1, ...change }, "BAD_USER_INPUT", field);
    });

    it("answers another tenant's plan like a missing one (NOT_FOUND), writing nothing", async () => {
      await refused(updatePlan, { id: planGid(initechIds.plan), expectedVersion: 1, title: "Mine now" }, "NOT_FOUND");
      await refused(updatePlan, { id: planGid("no-such-plan"), expectedVersion: 1, title: "x" }, "NOT_FOUND");
      const [row] = await gw.db.asOwner<{ title: string }>(
        sql`select title from research_plan where id = ${initechIds.plan}`,
      );
      expect(row?.title).not.toBe("Mine now");
    });
  });

  describe("transitionResearchPlan", () => {
    it("walks draft → running → completed, stamping startedAt and completedAt", async () => {
      const plan = await newPlan();
      const running = expectOk(
        await run<{ transitionResearchPlan: { plan: PlanShape } }>(gw, demoPat, transitionPlan, {
          input: { id: plan.gid, to: "RUNNING", expectedVersion: 1 },
        }),
      );
      expect(running.transitionResearchPlan.plan).toMatchObject({ status: "RUNNING", version: 2, completedAt: null });
      expect(running.transitionResearchPlan.plan.startedAt).toEqual(expect.any(String));
      const done = expectOk(
        await run<{ transitionResearchPlan: { plan: PlanShape } }>(gw, demoPat, transitionPlan, {
          input: { id: plan.gid, to: "COMPLETED" },
        }),
      );
      expect(done.transitionResearchPlan.plan).toMatchObject({ status: "COMPLETED", version: 3 });
      expect(done.transitionResearchPlan.plan.completedAt).toEqual(expect.any(String));
      expect(await auditActions(gw.db, plan.id)).toEqual([
        "plan_created",
        "plan_status_changed",
        "plan_status_changed",
      ]);
    });

    it("answers an invalid transition with CONFLICT (INVALID_TRANSITION), writing nothing", async () => {
      const error = await refused(transitionPlan, { id: planGid(acmeIds.completedPlan), to: "RUNNING" }, "CONFLICT");
      expect(error.extensions).toMatchObject({
        reason: "INVALID_TRANSITION",
        from: "completed",
        to: "running",
        allowed: [],
      });
      const draft = await newPlan();
      await refused(transitionPlan, { id: draft.gid, to: "COMPLETED" }, "CONFLICT");
      await refused(transitionPlan, { id: draft.gid, to: "DRAFT" }, "CONFLICT");
    });

    it("answers a stale version with CONFLICT", async () => {
      const plan = await newPlan();
      await refused(transitionPlan, { id: plan.gid, to: "RUNNING", expectedVersion: 7 }, "CONFLICT");
    });

    it("refuses an unknown status (BAD_USER_INPUT) and another tenant's plan (NOT_FOUND)", async () => {
      const plan = await newPlan();
      await refused(transitionPlan, { id: plan.gid, to: "PAUSED" }, "BAD_USER_INPUT");
      await refused(transitionPlan, { id: planGid(initechIds.plan), to: "CANCELLED" }, "NOT_FOUND");
    });
  });

  describe("deleteResearchPlan", () => {
    it("deletes a draft with its steps; the audit trail survives with the plan's id cleared", async () => {
      const plan = await newPlan("Doomed");
      expectOk(
        await run(
          gw,
          demoPat,
          `mutation ($id: ID!) { addPlanStep(input: { planId: $id, title: "s" }) { step { id } } }`,
          {
            id: plan.gid,
          },
        ),
      );
      const data = expectOk(
        await run<{ deleteResearchPlan: { deletedPlanId: string } }>(gw, demoPat, deletePlan, {
          input: { id: plan.gid },
        }),
      );
      expect(data.deleteResearchPlan.deletedPlanId).toBe(plan.gid);
      expect(await countRows(gw.db, "research_plan", sql`id = ${plan.id}`)).toBe(0);
      expect(await countRows(gw.db, "plan_step", sql`plan_id = ${plan.id}`)).toBe(0);
      const entries = await gw.db.asOwner<{
        action: string;
        plan_id: string | null;
        diff: { before: { title: string } };
      }>(
        sql`select action::text as action, plan_id, diff from plan_audit_log where diff->'before'->>'title' = 'Doomed'`,
      );
      expect(entries).toEqual([
        { action: "plan_deleted", plan_id: null, diff: expect.objectContaining({ after: null }) },
      ]);
    });

    it("deletes a draft that AI usage and a batch point at: they stay, unlinked, and the deletion is audited", async () => {
      const draft = acmeIds.draftPlan;
      const count = async (query: ReturnType<typeof sql>) => (await gw.db.asOwner<{ n: number }>(query))[0]?.n;
      const usage = await count(sql`select count(*)::int as n from ai_usage where plan_id = ${draft}`);
      const batches = await count(sql`select count(*)::int as n from ai_batch where plan_id = ${draft}`);
      const usageTotal = await count(sql`select count(*)::int as n from ai_usage`);
      const [{ title } = { title: "" }] = await gw.db.asOwner<{ title: string }>(
        sql`select title from research_plan where id = ${draft}`,
      );
      expect(usage).toBeGreaterThan(0);
      expect(batches).toBeGreaterThan(0);
      const response = await run(gw, demoPat, deletePlan, { input: { id: planGid(draft) } });
      expect(response.errors).toBeUndefined();
      expect(await count(sql`select count(*)::int as n from research_plan where id = ${draft}`)).toBe(0);
      expect(await count(sql`select count(*)::int as n from ai_usage where plan_id = ${draft}`)).toBe(0);
      // Usage is billing history: it outlives the plan, still in its organization.
      expect(await count(sql`select count(*)::int as n from ai_usage`)).toBe(usageTotal);
      expect(
        await count(sql`select count(*)::int as n from plan_audit_log
          where action = 'plan_deleted' and plan_id is null and organization_id = 'demo-org-acme'
            and diff->'before'->>'title' = ${title}`),
      ).toBe(1);
    });

    it("keeps plans that ran: CONFLICT (NOT_DRAFT), writing nothing", async () => {
      const error = await refused(deletePlan, { id: planGid(acmeIds.runningPlan) }, "CONFLICT");
      expect(error.extensions).toMatchObject({ reason: "NOT_DRAFT", status: "running" });
    });

    it("answers another tenant's plan with NOT_FOUND, even a draft, writing nothing", async () => {
      await refused(deletePlan, { id: planGid(`demo-org-globex-plan-05`) }, "NOT_FOUND");
      await refused(deletePlan, { id: planGid(initechIds.plan) }, "NOT_FOUND");
    });
  });

  describe("scopes and atomicity", () => {
    it("a read-only or agent-only token cannot change plans (FORBIDDEN); a write-only token can", async () => {
      const plan = await newPlan();
      for (const scopes of [["read"], ["agent"], ["read", "agent"]] as const) {
        const token = await patWith(gw.db, [...scopes]);
        await refused(createPlan, { title: "Nope" }, "FORBIDDEN", undefined, token);
        await refused(updatePlan, { id: plan.gid, expectedVersion: 1, title: "Nope" }, "FORBIDDEN", undefined, token);
        await refused(transitionPlan, { id: plan.gid, to: "RUNNING" }, "FORBIDDEN", undefined, token);
        await refused(deletePlan, { id: plan.gid }, "FORBIDDEN", undefined, token);
      }
      expectOk(await run(gw, await patWith(gw.db, ["write"]), createPlan, { input: { title: "Yes" } }));
    });

    it("needs an organization and a sign-in", async () => {
      const noOrg = await run(gw, demoPat, createPlan, { input: { title: "x" } }, null);
      expectError(noOrg, "FORBIDDEN");
      const anonymous = await run(gw, { kind: "anonymous" }, createPlan, { input: { title: "x" } }, null);
      expectError(anonymous, "UNAUTHENTICATED");
    });

    it.each([
      ["createResearchPlan", 'createResearchPlan(input: { title: "Rolled back" }) { plan { id } }'],
      [
        "updateResearchPlan",
        'updateResearchPlan(input: { id: $plan, expectedVersion: 1, title: "Rolled back" }) { plan { id } }',
      ],
      ["transitionResearchPlan", "transitionResearchPlan(input: { id: $plan, to: RUNNING }) { plan { id } }"],
      ["deleteResearchPlan", "deleteResearchPlan(input: { id: $plan }) { deletedPlanId }"],
    ])("%s is rolled back with its audit entry when a later field fails", async (_name, field) => {
      const plan = await newPlan();
      const before = await snapshot(gw.db);
      const { result, statements } = await gw.countStatements(() =>
        run(
          gw,
          demoPat,
          `mutation (${field.includes("$plan") ? "$plan: ID!, " : ""}$other: ID!) { first: ${field}
            second: transitionResearchPlan(input: { id: $other, to: RUNNING }) { plan { id } } }`,
          { ...(field.includes("$plan") ? { plan: plan.gid } : {}), other: planGid(acmeIds.completedPlan) },
        ),
      );
      expect(
        statements.some((s) => /^insert into "plan_audit_log"/.test(s)),
        "the first field wrote its audit entry",
      ).toBe(true);
      expectError(result, "CONFLICT");
      expect(await snapshot(gw.db)).toEqual(before);
      expect(await auditActions(gw.db, plan.id)).toEqual(["plan_created"]);
    });
  });
});
