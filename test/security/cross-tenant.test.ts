import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acme, dataOf, globex, initech, rawId, rawIds } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, errorCodes, globalId, type TestGateway } from "../support/gateway.js";
import { plansPerOrganization, tableCounts } from "./helpers.js";

// Cross-tenant attacks: Alice (demo PAT) acting in Acme tries to reach Globex's and Initech's rows through
// every path the API has. Each attack asserts the exact safe answer, and (afterEach-style, as the table owner)
// that no table changed.

describe(`cross-tenant attacks on ${backendName}`, () => {
  let gw: TestGateway;
  let before: Record<string, number>;
  let plansBefore: Record<string, number>;
  const foreign = { plan: "", step: "", condition: "", output: "", globexPlan: "", globexStep: "" };

  async function one<T>(query: string): Promise<T | undefined> {
    return (await gw.db.asOwner<T>(sql.raw(query)))[0];
  }

  beforeAll(async () => {
    gw = await createTestGateway();
    foreign.plan =
      (await one<{ id: string }>(`select id from research_plan where organization_id = '${initech}' limit 1`))?.id ??
      "";
    foreign.step =
      (await one<{ id: string }>(`select id from plan_step where organization_id = '${initech}' limit 1`))?.id ?? "";
    foreign.condition =
      (await one<{ id: string }>(`select id from plan_branching_condition where organization_id = '${globex}' limit 1`))
        ?.id ?? "";
    foreign.output =
      (await one<{ id: string }>(`select id from research_output where organization_id = '${initech}' limit 1`))?.id ??
      "";
    foreign.globexPlan =
      (await one<{ id: string }>(`select id from research_plan where organization_id = '${globex}' limit 1`))?.id ?? "";
    foreign.globexStep =
      (await one<{ id: string }>(`select id from plan_step where organization_id = '${globex}' limit 1`))?.id ?? "";
    for (const [name, id] of Object.entries(foreign)) expect(id, name).not.toBe("");
    before = await tableCounts(gw);
    plansBefore = await plansPerOrganization(gw);
  }, 300_000);
  afterAll(async () => {
    await gw?.cleanup();
  });

  async function expectNothingWritten(): Promise<void> {
    expect(await tableCounts(gw)).toEqual(before);
    expect(await plansPerOrganization(gw)).toEqual(plansBefore);
  }

  const inAcme = { organizationId: acme };

  it("node(id) and nodes(ids) with another tenant's ids: null, exactly like ids that do not exist", async () => {
    const query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    const ids = [
      globalId("ResearchPlan", foreign.plan),
      globalId("PlanStep", foreign.step),
      globalId("PlanBranchingCondition", foreign.condition),
      globalId("ResearchOutput", foreign.output),
      globalId("ResearchPlan", "does-not-exist"),
    ];
    const result = dataOf(await gw.graphql<{ nodes: unknown[] }>({ query, variables: { ids } }, demoPat, inAcme));
    expect(result.nodes).toEqual([null, null, null, null, null]);
    const single = dataOf(
      await gw.graphql<{ node: unknown }>(
        { query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: ids[0] } },
        demoPat,
        inAcme,
      ),
    );
    expect(single.node).toBeNull();
    await expectNothingWritten();
  });

  it("nested relations: every plan, step and condition reached through nesting belongs to Acme", async () => {
    const query = `{ researchPlans(first: 12) { nodes { id steps(first: 20) { nodes { id plan { id }
      branchingConditions(first: 10) { nodes { id targetStep { id } } } } } } } }`;
    interface Data {
      researchPlans: {
        nodes: {
          id: string;
          steps: {
            nodes: {
              id: string;
              plan: { id: string };
              branchingConditions: { nodes: { id: string; targetStep: { id: string } }[] };
            }[];
          };
        }[];
      };
    }
    const data = dataOf(await gw.graphql<Data>({ query }, demoPat, inAcme));
    const planIds = rawIds(data.researchPlans.nodes);
    const stepIds = data.researchPlans.nodes.flatMap((plan) => rawIds(plan.steps.nodes));
    const targets = data.researchPlans.nodes.flatMap((plan) =>
      plan.steps.nodes.flatMap((step) => step.branchingConditions.nodes.map((c) => rawId(c.targetStep.id))),
    );
    expect(planIds.length).toBeGreaterThan(0);
    for (const [table, ids] of [
      ["research_plan", planIds],
      ["plan_step", [...stepIds, ...targets]],
    ] as const) {
      const orgs = await gw.db.asOwner<{ org: string }>(
        sql`select distinct organization_id as org from ${sql.identifier(table)} where id in ${sql`(${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`}`,
      );
      expect(orgs.map((row) => row.org)).toEqual([acme]);
    }
  });

  it("connection cursors: a cursor carrying another tenant's key pages through Acme's rows only", async () => {
    const position = await one<{ created_at: string }>(
      `select created_at::text from research_plan where id = '${foreign.globexPlan}'`,
    );
    // A cursor forged from Globex's row (the cursor format is opaque, so take a real one from Globex).
    const globexPage = dataOf(
      await gw.graphql<{ researchPlans: { edges: { cursor: string }[] } }>(
        { query: "{ researchPlans(first: 1) { edges { cursor } } }" },
        demoPat,
        { organizationId: globex },
      ),
    );
    const cursor = globexPage.researchPlans.edges[0]?.cursor;
    expect(position).toBeDefined();
    const page = dataOf(
      await gw.graphql<{ researchPlans: { nodes: { id: string }[] } }>(
        {
          query: "query($c: String) { researchPlans(first: 100, after: $c) { nodes { id } } }",
          variables: { c: cursor },
        },
        demoPat,
        inAcme,
      ),
    );
    const orgs = await gw.db.asOwner<{ org: string }>(
      sql`select distinct organization_id as org from research_plan where id in (${sql.join(
        [...rawIds(page.researchPlans.nodes), "none"].map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    expect(orgs.map((row) => row.org).filter((org) => org !== acme)).toEqual([]);
  });

  it("filter arguments: authorId of a user in another tenant, titles only Globex has → empty, not Globex's rows", async () => {
    const carolTitle = await one<{ title: string }>(
      `select title from research_plan where id = '${foreign.globexPlan}'`,
    );
    const query = `query($f: ResearchPlanFilter) { researchPlans(first: 100, filter: $f) { totalCount nodes { id } } }`;
    const byAuthor = dataOf(
      await gw.graphql<{ researchPlans: { totalCount: number; nodes: unknown[] } }>(
        { query, variables: { f: { authorId: { eq: "demo-user-carol" } } } },
        demoPat,
        inAcme,
      ),
    );
    expect(byAuthor.researchPlans).toEqual({ totalCount: 0, nodes: [] });
    const byTitle = dataOf(
      await gw.graphql<{ researchPlans: { nodes: { id: string }[] } }>(
        { query, variables: { f: { title: { contains: carolTitle?.title ?? "" } } } },
        demoPat,
        inAcme,
      ),
    );
    expect(rawIds(byTitle.researchPlans.nodes)).not.toContain(foreign.globexPlan);
  });

  it("order arguments: every ordering returns exactly Acme's plans (totalCount matches the owner's count)", async () => {
    const [acmeCount] = await gw.db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from research_plan where organization_id = ${acme}`,
    );
    for (const field of ["CREATED_AT", "UPDATED_AT", "TITLE"]) {
      for (const direction of ["ASC", "DESC"]) {
        const result = await gw.graphql<{ researchPlans: { totalCount: number; nodes: { id: string }[] } }>(
          {
            query: `query($o: ResearchPlanOrder) { researchPlans(first: 100, orderBy: $o) { totalCount nodes { id } } }`,
            variables: { o: { field, direction } },
          },
          demoPat,
          inAcme,
        );
        if (result.errors) {
          // An ordering the schema does not have is refused as bad input, never answered with other rows.
          expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
          continue;
        }
        const data = dataOf(result);
        expect(data.researchPlans.totalCount).toBe(Number(acmeCount?.n));
        expect(data.researchPlans.nodes.length).toBe(Number(acmeCount?.n));
      }
    }
  });

  it("aggregates: aiUsageSummary sums Acme's usage only (equal to the owner's per-tenant sum)", async () => {
    const to = new Date(Date.now() + 86_400_000);
    const from = new Date(to.getTime() - 360 * 86_400_000);
    const data = dataOf(
      await gw.graphql<{ aiUsageSummary: { calls: number }[] }>(
        {
          query: "query($from: DateTime!, $to: DateTime!) { aiUsageSummary(from: $from, to: $to) { calls } }",
          variables: { from: from.toISOString(), to: to.toISOString() },
        },
        demoPat,
        inAcme,
      ),
    );
    const [owner] = await gw.db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from ai_usage where organization_id = ${acme}
          and occurred_at >= ${from.toISOString()}::timestamptz and occurred_at < ${to.toISOString()}::timestamptz`,
    );
    expect(Number(owner?.n)).toBeGreaterThan(0);
    expect(data.aiUsageSummary.reduce((sum, row) => sum + row.calls, 0)).toBe(Number(owner?.n));
  });

  it("search: searchDocumentChunks returns Acme's chunks only, whatever the vector", async () => {
    const [chunk] = await gw.db.asOwner<{ embedding: string }>(
      sql`select embedding::text as embedding from document_chunk where organization_id = ${initech} and embedding is not null limit 1`,
    );
    // Initech's own vector: its chunks would be the nearest if they were visible.
    const embedding = chunk
      ? (JSON.parse(chunk.embedding) as number[])
      : Array.from({ length: 1536 }, (_, i) => (i === 0 ? 1 : 0));
    const result = await gw.graphql<{ searchDocumentChunks: { chunk: { id: string } }[] | null }>(
      {
        query: "query($e: [Float!]) { searchDocumentChunks(embedding: $e, first: 50) { chunk { id } } }",
        variables: { e: embedding },
      },
      demoPat,
      inAcme,
    );
    const chunks = dataOf(result).searchDocumentChunks ?? [];
    expect(chunks.length).toBeGreaterThan(0);
    const orgs = await gw.db.asOwner<{ org: string }>(
      sql`select distinct organization_id as org from document_chunk where id in (${sql.join(
        chunks.map((c) => sql`${rawId(c.chunk.id)}`),
        sql`, `,
      )})`,
    );
    expect(orgs.map((row) => row.org)).toEqual([acme]);
  });

  it("entity references: _entities with another tenant's plan and step answers null for them", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on ResearchPlan { id title } ... on PlanStep { id title } } }`;
    const representations = [
      { __typename: "ResearchPlan", id: globalId("ResearchPlan", foreign.plan) },
      { __typename: "PlanStep", id: globalId("PlanStep", foreign.step) },
    ];
    const result = await gw.graphql<{ _entities: unknown[] }>(
      { query, variables: { r: representations } },
      demoPat,
      inAcme,
    );
    expect(dataOf(result)._entities).toEqual([null, null]);
  });

  it("mutations with foreign ids: update, transition, delete another tenant's plan → NOT_FOUND, nothing written", async () => {
    const id = globalId("ResearchPlan", foreign.plan);
    const attempts = [
      {
        query:
          'mutation($id: ID!) { updateResearchPlan(input: { id: $id, expectedVersion: 1, title: "pwned" }) { plan { id } } }',
      },
      { query: "mutation($id: ID!) { transitionResearchPlan(input: { id: $id, to: CANCELLED }) { plan { id } } }" },
      { query: "mutation($id: ID!) { deleteResearchPlan(input: { id: $id }) { __typename } }" },
      { query: 'mutation($id: ID!) { addPlanStep(input: { planId: $id, title: "implant" }) { __typename } }' },
    ];
    for (const attempt of attempts) {
      const result = await gw.graphql({ ...attempt, variables: { id } }, demoPat, inAcme);
      expect(errorCodes(result), attempt.query).toEqual(["NOT_FOUND"]);
      expect(result.data ?? null).toBeNull();
    }
    await expectNothingWritten();
  });

  it("mutations with foreign ids: a branching condition to another tenant's step, or reusing its id", async () => {
    const [acmeStep] = await gw.db.asOwner<{ id: string }>(
      sql`select s.id from plan_step s join research_plan p on p.id = s.plan_id
          where s.organization_id = ${acme} and p.status = 'draft' limit 1`,
    );
    const query = `mutation($input: SetBranchingConditionInput!) { setBranchingCondition(input: $input) { __typename } }`;
    const targetForeign = await gw.graphql(
      {
        query,
        variables: {
          input: {
            stepId: globalId("PlanStep", acmeStep?.id ?? ""),
            targetStepId: globalId("PlanStep", foreign.globexStep),
            rule: { kind: "ALWAYS" },
          },
        },
      },
      demoPat,
      inAcme,
    );
    expect(errorCodes(targetForeign)[0]).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    const reuseForeignId = await gw.graphql(
      {
        query,
        variables: {
          input: {
            id: globalId("PlanBranchingCondition", foreign.condition),
            stepId: globalId("PlanStep", acmeStep?.id ?? ""),
            targetStepId: globalId("PlanStep", acmeStep?.id ?? ""),
            rule: { kind: "ALWAYS" },
          },
        },
      },
      demoPat,
      inAcme,
    );
    expect(errorCodes(reuseForeignId)[0]).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    const [condition] = await gw.db.asOwner<{ org: string }>(
      sql`select organization_id as org from plan_branching_condition where id = ${foreign.condition}`,
    );
    expect(condition?.org).toBe(globex);
    await expectNothingWritten();
  });

  it("moving a row to another tenant: no input can name the organization; acting in Globex on Acme's plan is NOT_FOUND", async () => {
    const [acmePlan] = await gw.db.asOwner<{ id: string; version: number }>(
      sql`select id, version from research_plan where organization_id = ${acme} limit 1`,
    );
    const id = globalId("ResearchPlan", acmePlan?.id ?? "");
    // Alice is also in Globex: switching the header does not carry Acme's plan along.
    const moved = await gw.graphql(
      {
        query:
          'mutation($id: ID!, $v: Int!) { updateResearchPlan(input: { id: $id, expectedVersion: $v, title: "moved" }) { plan { id } } }',
        variables: { id, v: acmePlan?.version ?? 1 },
      },
      demoPat,
      { organizationId: globex },
    );
    expect(errorCodes(moved)).toEqual(["NOT_FOUND"]);
    // An extra organizationId field in the input is refused by the schema, not ignored into a write.
    const smuggled = await gw.graphql(
      {
        query: `mutation($id: ID!) { updateResearchPlan(input: { id: $id, expectedVersion: 1, organizationId: "${initech}" }) { plan { id } } }`,
        variables: { id },
      },
      demoPat,
      inAcme,
    );
    expect(errorCodes(smuggled)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const [after] = await gw.db.asOwner<{ org: string }>(
      sql`select organization_id as org from research_plan where id = ${acmePlan?.id ?? ""}`,
    );
    expect(after?.org).toBe(acme);
    await expectNothingWritten();
  });

  it("recording usage against another tenant's plan is NOT_FOUND (or refused), nothing written", async () => {
    const [model] = await gw.db.asOwner<{ id: string }>(sql`select id from ai_model limit 1`);
    const result = await gw.graphql(
      {
        query: `mutation($input: RecordAiUsageInput!) { recordAiUsage(input: $input) { __typename } }`,
        variables: {
          input: {
            modelId: globalId("AiModel", model?.id ?? ""),
            planId: globalId("ResearchPlan", foreign.plan),
            inputTokens: 1,
            outputTokens: 1,
            details: { requestMetadata: {} },
          },
        },
      },
      demoPat,
      inAcme,
    );
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(errorCodes(result)[0]).toMatch(/NOT_FOUND|BAD_USER_INPUT/);
    await expectNothingWritten();
  });
});
