import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { acme, globex, initech, rawId } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, errorCodes, globalId, type TestGateway } from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";

// Property: over random sequences of (tenant, operation, id, pool size) — batches of operations run
// concurrently, so tenants interleave on pooled connections — every row returned belongs to the caller's
// organization, and no write lands outside it (checked as the table owner, bypassing RLS).

interface Tenant {
  name: string;
  caller: Caller;
  organizationId: string;
}

type Op = { kind: "list" } | { kind: "get"; plan: number } | { kind: "update"; plan: number } | { kind: "create" };

describe(`tenant isolation property on ${backendName}`, () => {
  let gw: TestGateway;
  const tenants: Tenant[] = [];
  let plans: { id: string; org: string }[] = [];

  beforeAll(async () => {
    gw = await createTestGateway();
    const deps = { database: gw.db.database };
    const token = async (userId: string) =>
      (await createTokenForUser(deps, { userId, name: "property", scopes: ["read", "write"], expiresAt: null })).token;
    tenants.push(
      { name: "alice@acme", caller: demoPat, organizationId: acme },
      { name: "alice@globex", caller: demoPat, organizationId: globex },
      { name: "carol@globex", caller: { kind: "pat", token: await token(demoUsers.carol.id) }, organizationId: globex },
      { name: "dave@initech", caller: { kind: "pat", token: await token(demoUsers.dave.id) }, organizationId: initech },
    );
    plans = await gw.db.asOwner<{ id: string; org: string }>(
      sql`select id, organization_id as org from research_plan order by id`,
    );
  }, 300_000);
  afterAll(async () => {
    await gw?.cleanup();
  });

  async function orgOfPlan(id: string): Promise<string | undefined> {
    const [row] = await gw.db.asOwner<{ org: string }>(
      sql`select organization_id as org from research_plan where id = ${id}`,
    );
    return row?.org;
  }

  async function run(tenant: Tenant, op: Op): Promise<void> {
    const options = { organizationId: tenant.organizationId };
    if (op.kind === "list") {
      const result = await gw.graphql<{
        researchPlans: { nodes: { id: string; steps: { nodes: { id: string }[] } }[] };
      }>(
        { query: "{ researchPlans(first: 50) { nodes { id steps(first: 10) { nodes { id } } } } }" },
        tenant.caller,
        options,
      );
      expect(result.errors).toBeUndefined();
      const planIds = (result.data?.researchPlans.nodes ?? []).map((node) => rawId(node.id));
      const stepIds = (result.data?.researchPlans.nodes ?? []).flatMap((node) =>
        node.steps.nodes.map((s) => rawId(s.id)),
      );
      for (const [table, ids] of [
        ["research_plan", planIds],
        ["plan_step", stepIds],
      ] as const) {
        if (ids.length === 0) continue;
        const orgs = await gw.db.asOwner<{ org: string }>(
          sql`select distinct organization_id as org from ${sql.identifier(table)} where id in (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})`,
        );
        expect(
          orgs.map((row) => row.org),
          `${tenant.name} listed foreign ${table}`,
        ).toEqual([tenant.organizationId]);
      }
      return;
    }
    if (op.kind === "create") {
      const result = await gw.graphql<{ createResearchPlan: { plan: { id: string } } }>(
        {
          query: `mutation { createResearchPlan(input: { title: "property:${tenant.organizationId}" }) { plan { id } } }`,
        },
        tenant.caller,
        options,
      );
      expect(result.errors).toBeUndefined();
      const id = rawId(result.data?.createResearchPlan.plan.id ?? "");
      expect(await orgOfPlan(id)).toBe(tenant.organizationId);
      return;
    }
    const plan = plans[op.plan % plans.length];
    if (!plan) return;
    const own = plan.org === tenant.organizationId;
    if (op.kind === "get") {
      const result = await gw.graphql<{ researchPlan: { id: string } | null }>(
        {
          query: "query($id: ID!) { researchPlan(id: $id) { id } }",
          variables: { id: globalId("ResearchPlan", plan.id) },
        },
        tenant.caller,
        options,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.researchPlan === null, `${tenant.name} get ${plan.org}`).toBe(!own);
      return;
    }
    const [before] = await gw.db.asOwner<{ version: number; title: string }>(
      sql`select version, title from research_plan where id = ${plan.id}`,
    );
    const result = await gw.graphql(
      {
        query: `mutation($id: ID!, $v: Int!) { updateResearchPlan(input: { id: $id, expectedVersion: $v, title: "property:${tenant.organizationId}" }) { plan { id } } }`,
        variables: { id: globalId("ResearchPlan", plan.id), v: before?.version ?? 1 },
      },
      tenant.caller,
      options,
    );
    if (own) {
      // A concurrent writer may have bumped the version: CONFLICT is fine, anything foreign is not.
      expect(errorCodes(result).filter((code) => code !== "CONFLICT")).toEqual([]);
    } else {
      expect(errorCodes(result)).toEqual(["NOT_FOUND"]);
    }
    expect(await orgOfPlan(plan.id)).toBe(plan.org);
  }

  it("every returned row is the caller's; no write crosses tenants", async () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.constant<Op>({ kind: "list" }),
      fc.nat(1000).map<Op>((plan) => ({ kind: "get", plan })),
      fc.nat(1000).map<Op>((plan) => ({ kind: "update", plan })),
      fc.constant<Op>({ kind: "create" }),
    );
    const step = fc.record({ tenant: fc.nat(tenants.length - 1), op });
    const batches = fc.array(
      fc.record({ poolSize: fc.integer({ min: 1, max: 4 }), steps: fc.array(step, { minLength: 1, maxLength: 4 }) }),
      {
        minLength: 1,
        maxLength: 3,
      },
    );
    await fc.assert(
      fc.asyncProperty(batches, async (sequence) => {
        const perOrgBefore = await countsPerOrg();
        const created = new Map<string, number>();
        for (const batch of sequence) {
          // `poolSize` operations at once: tenants interleave on the pool's connections.
          for (let i = 0; i < batch.steps.length; i += batch.poolSize) {
            await Promise.all(
              batch.steps.slice(i, i + batch.poolSize).map(async ({ tenant: index, op: operation }) => {
                const tenant = tenants[index];
                if (!tenant) return;
                await run(tenant, operation);
                if (operation.kind === "create") {
                  created.set(tenant.organizationId, (created.get(tenant.organizationId) ?? 0) + 1);
                }
              }),
            );
          }
        }
        // Every title a tenant wrote sits on that tenant's rows only (updates of foreign ids wrote nothing).
        const [crossed] = await gw.db.asOwner<{ n: number }>(
          sql`select count(*)::int as n from research_plan
              where title like 'property:%' and title <> 'property:' || organization_id`,
        );
        expect(Number(crossed?.n)).toBe(0);
        // Row counts moved only where the creating tenant lives.
        const perOrgAfter = await countsPerOrg();
        for (const org of [acme, globex, initech]) {
          expect(perOrgAfter[org] ?? 0).toBe((perOrgBefore[org] ?? 0) + (created.get(org) ?? 0));
        }
      }),
      { numRuns: 6, seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2_147_483_647) },
    );
  }, 300_000);

  async function countsPerOrg(): Promise<Record<string, number>> {
    const rows = await gw.db.asOwner<{ org: string; n: number }>(
      sql`select organization_id as org, count(*)::int as n from research_plan group by organization_id`,
    );
    return Object.fromEntries(rows.map((row) => [row.org, Number(row.n)]));
  }
});
