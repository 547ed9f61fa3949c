import { type SQL, sql } from "drizzle-orm";
import {
  GraphQLError,
  type GraphQLFieldConfig,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from "graphql";
import { createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { researchPlan } from "../../schema/index.js";
import { useTenantTransaction } from "../../src/pipeline/tenant-transaction.js";
import { type Principal, resolvePrincipal } from "../../src/platform/auth/principal.js";
import { DEMO_TOKEN, demoUsers, type TenantTransaction } from "../../src/platform/db/index.js";
import { backendName, rowsOf } from "../support/database.js";
import {
  baseUrl,
  createTestGateway,
  demoPat,
  errorCodes,
  globalId,
  type SignedIn,
  type TestGateway,
} from "../support/gateway.js";
import { pgErrorOf } from "../support/pg-error.js";
import { acme, dataOf, dataStatements, initech, isTransactionSetup, type Page, type WithId } from "./helpers.js";

// One transaction per operation, seen from the database: how many statements an operation sends (one per
// root field whatever the number of rows, so an N+1 fails the test), that queries run read-only, and that
// a mutation that fails part-way leaves nothing written.

let gw: TestGateway;
const alice = demoUsers.alice.id;

function owner<T>(query: SQL): Promise<T[]> {
  return gw.db.asOwner<T>(query);
}

/** An organization of Alice's holding `plans` plans, each with 4 steps, 4 conditions, 1 artifact, 3 chunks. */
async function addOrganization(id: string, plans: number): Promise<void> {
  await owner(sql`insert into organization (id, name, slug, type) values (${id}, ${id}, ${id}, 'team')`);
  await owner(
    sql`insert into member (id, organization_id, user_id, role) values (${`${id}-alice`}, ${id}, ${alice}, 'owner')`,
  );
  await owner(sql`insert into research_plan (id, organization_id, title, status, author_id, created_at, updated_at)
    select ${id} || '-plan-' || g, ${id}, 'Plan ' || g, 'draft', ${alice},
      timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute', timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute'
    from generate_series(1, ${plans}::int) g`);
  await owner(sql`insert into plan_step (id, organization_id, plan_id, position, title)
    select p.id || '-step-' || s, p.organization_id, p.id, s, 'Step ' || s
    from research_plan p cross join generate_series(1, 4) s where p.organization_id = ${id}`);
  await owner(sql`insert into plan_branching_condition (id, organization_id, step_id, target_step_id, label, rule, priority)
    select st.id || '-next', st.organization_id, st.id, st.plan_id || '-step-' || (st.position + 1), 'next', '{"kind":"always"}'::jsonb, 0
    from plan_step st where st.organization_id = ${id} and st.position < 4
    union all
    select st.id || '-retry', st.organization_id, st.id, st.plan_id || '-step-1', 'retry', '{"kind":"status","equals":"failed"}'::jsonb, 1
    from plan_step st where st.organization_id = ${id} and st.position = 2`);
  await owner(sql`insert into research_artifact (id, organization_id, plan_id, kind, title)
    select p.id || '-artifact', p.organization_id, p.id, 'note', 'Notes on ' || p.title
    from research_plan p where p.organization_id = ${id}`);
  await owner(sql`insert into document_chunk (id, organization_id, artifact_id, chunk_index, content, token_count, embedding)
    select a.id || '-chunk-' || c, a.organization_id, a.id, c, 'Chunk ' || c, 10, array_fill(0.5::real, array[1536])::halfvec
    from research_artifact a cross join generate_series(0, 2) c where a.organization_id = ${id}`);
}

let dave: SignedIn;
const scale1 = "scale-1x";
const scale10 = "scale-10x";
const basePlans = 6;

beforeAll(async () => {
  gw = await createTestGateway();
  await addOrganization(scale1, basePlans);
  await addOrganization(scale10, basePlans * 10);
  dave = await gw.signIn(demoUsers.dave.email);
});
afterAll(() => gw?.cleanup());

describe(`statements per operation on ${backendName}`, () => {
  // Page sizes that hold every row of the 10× organization (60 plans, 4 steps each, at most 2 conditions a
  // step, 3 chunks an artifact) and stay within the operation cost limit.
  const nested = `{
    researchPlans(first: 60) { nodes { id title
      steps(first: 5) { nodes { id position
        branchingConditions(first: 3) { nodes { id label targetStep { id } } }
      } }
    } }
    researchArtifacts(first: 60) { nodes { id title chunks(first: 3) { nodes { id chunkIndex } } } }
  }`;
  interface Nested {
    researchPlans: Page<{ id: string; steps: Page<{ id: string; branchingConditions: Page<WithId> }> }>;
    researchArtifacts: Page<{ id: string; chunks: Page<WithId> }>;
  }

  async function countsOf(organizationId: string) {
    const [counts] = await owner<{
      plans: number;
      steps: number;
      conditions: number;
      artifacts: number;
      chunks: number;
    }>(sql`
      select (select count(*)::int from research_plan where organization_id = ${organizationId}) as plans,
        (select count(*)::int from plan_step where organization_id = ${organizationId}) as steps,
        (select count(*)::int from plan_branching_condition where organization_id = ${organizationId}) as conditions,
        (select count(*)::int from research_artifact where organization_id = ${organizationId}) as artifacts,
        (select count(*)::int from document_chunk where organization_id = ${organizationId}) as chunks`);
    if (!counts) throw new Error("no counts");
    return counts;
  }

  function countsIn(data: Nested) {
    const steps = data.researchPlans.nodes.flatMap((plan) => plan.steps.nodes);
    return {
      plans: data.researchPlans.nodes.length,
      steps: steps.length,
      conditions: steps.flatMap((step) => step.branchingConditions.nodes).length,
      artifacts: data.researchArtifacts.nodes.length,
      chunks: data.researchArtifacts.nodes.flatMap((artifact) => artifact.chunks.nodes).length,
    };
  }

  it("a 3-level nested query sends one statement per root field plus the transaction's own, at 1× and 10× the rows", async () => {
    const runs = [];
    for (const organizationId of [scale1, scale10]) {
      const { result, statements } = await gw.countStatements(() =>
        gw.graphql<Nested>({ query: nested }, demoPat, { organizationId }),
      );
      const counts = countsIn(dataOf(result));
      expect(counts).toEqual(await countsOf(organizationId));
      runs.push({ counts, statements });
    }
    const [one, ten] = runs;
    if (!one || !ten) throw new Error("two runs expected");
    // The data really is ten times larger...
    expect(ten.counts).toEqual({
      plans: one.counts.plans * 10,
      steps: one.counts.steps * 10,
      conditions: one.counts.conditions * 10,
      artifacts: one.counts.artifacts * 10,
      chunks: one.counts.chunks * 10,
    });
    expect(one.counts.conditions).toBeGreaterThan(one.counts.plans);
    // ...and the statements are the same: the transaction's setup, then one per root field.
    for (const { statements } of [one, ten]) {
      expect(statements.filter(isTransactionSetup)).toHaveLength(2);
      expect(statements[0]).toMatch(/^(set transaction|begin) read only/i);
      expect(statements[1]).toMatch(/set_config\('role'/);
      const data = dataStatements(statements);
      expect(data).toHaveLength(2);
      expect(data.find((s) => s.includes('from "research_plan"'))).toContain('"plan_branching_condition"');
      expect(data.find((s) => s.includes('from "research_artifact"'))).toContain('"document_chunk"');
    }
    expect(ten.statements.length).toBe(one.statements.length);
  });

  describe("totalCount of a root connection", () => {
    const count = async (query: string) => {
      const { result, statements } = await gw.countStatements(() =>
        gw.graphql<{ researchPlans: Page<WithId> }>({ query }, demoPat, { organizationId: scale10 }),
      );
      return { page: dataOf(result).researchPlans, data: dataStatements(statements) };
    };
    const plansIn = async (title?: string) =>
      Number(
        (
          await owner<{ n: string }>(
            sql`select count(*) as n from research_plan where organization_id = ${scale10}${title ? sql` and title ilike ${`%${title}%`}` : sql``}`,
          )
        )[0]?.n,
      );

    it("rides in the page's statement: one data statement, whether it is selected or not", async () => {
      const without = await count(
        "{ researchPlans(first: 60) { nodes { id steps(first: 5) { totalCount nodes { id } } } } }",
      );
      const withTotal = await count(
        "{ researchPlans(first: 5) { totalCount nodes { id stepCount steps(first: 5) { totalCount nodes { id } } } } }",
      );
      expect(without.data).toHaveLength(1);
      expect(withTotal.data).toHaveLength(1);
      expect(withTotal.page.totalCount).toBe(await plansIn());
      expect(withTotal.page.nodes).toHaveLength(5);
    });

    it("counts what the filter matches, not the page", async () => {
      const filtered = await count(
        '{ researchPlans(first: 2, filter: { title: { contains: "Plan 1" } }) { totalCount nodes { id } } }',
      );
      expect(filtered.data).toHaveLength(1);
      expect(filtered.page.totalCount).toBe(await plansIn("Plan 1"));
      expect(filtered.page.totalCount).toBeGreaterThan(2);
    });

    it("past the last page there is no row to carry it: counted in a statement of its own", async () => {
      const all = await count("{ researchPlans(first: 100) { totalCount pageInfo { endCursor } nodes { id } } }");
      const end = all.page.pageInfo?.endCursor;
      expect(end).toBeTruthy();
      const past = await count(`{ researchPlans(first: 5, after: "${end}") { totalCount nodes { id } } }`);
      expect(past.page.nodes).toEqual([]);
      expect(past.page.totalCount).toBe(await plansIn());
      expect(past.data).toHaveLength(2);
    });
  });

  // Every root field with its relations, in a tenant with many rows (Acme) and one with few (Initech's
  // Dave): the number of statements is a property of the query, not of the data.
  const rootFieldCases: {
    name: string;
    query: string;
    statements: number;
    variables?: () => Promise<Record<string, unknown>>;
  }[] = [
    {
      name: "viewer",
      query: "{ viewer { user { name } activeOrganization { name } memberships { slug } role } }",
      statements: 2,
    },
    {
      name: "organization",
      query: "{ organization { name members(first: 100) { nodes { role user { name } } } } }",
      statements: 1,
    },
    {
      name: "researchPlans (every relation)",
      query: `{ researchPlans(first: 20) { nodes { title author { name } stepCount
        steps(first: 10) { totalCount nodes { title plan { id } branchingConditions(first: 5) { nodes { targetStep { title } step { id } } }
          incomingConditions(first: 5) { nodes { id } } artifacts(first: 5) { nodes { id } } skillExecutions(first: 5) { nodes { id } } } }
        auditLog(first: 5) { totalCount nodes { action actor { name } plan { id } } }
        artifacts(first: 5) { totalCount nodes { title } } skillExecutions(first: 5) { totalCount nodes { skillName } }
        outputs(first: 5) { totalCount nodes { title } } } } }`,
      statements: 1,
    },
    {
      name: "researchArtifacts",
      query: `{ researchArtifacts(first: 30) { nodes { title plan { title } step { title }
        chunks(first: 10) { totalCount nodes { heading artifact { id } } }
        extractionResults(first: 5) { nodes { values artifact { id } } } } } }`,
      statements: 1,
    },
    {
      name: "researchOutputs",
      query:
        "{ researchOutputs(first: 50) { nodes { title plan { title } feedback(first: 10) { totalCount nodes { rating author { name } output { id } } } } } }",
      statements: 1,
    },
    {
      name: "researchFeedback",
      query: "{ researchFeedback(first: 100) { nodes { rating author { name } output { title plan { title } } } } }",
      statements: 1,
    },
    {
      name: "skillExecutions",
      query:
        "{ skillExecutions(first: 50) { nodes { skillName plan { title } step { title } toolCalls(first: 10) { totalCount nodes { toolName skillExecution { id } } } } } }",
      statements: 1,
    },
    {
      name: "mcpToolCalls",
      query: "{ mcpToolCalls(first: 100) { nodes { toolName skillExecution { skillName plan { title } } } } }",
      statements: 1,
    },
    {
      name: "aiUsage",
      query: `{ aiUsage(first: 100) { nodes { costUsd model { name currentPricing { validFrom } } user { name } plan { title } step { title }
        batch { status model { name } usage(first: 5) { totalCount } } callDetails { temperature latencyMs } } } }`,
      statements: 1,
    },
    {
      name: "aiModels (current pricing)",
      query: "{ aiModels { name currentPricing { validFrom inputPricePerToken } } }",
      statements: 1,
    },
    { name: "aiModels (pricing history)", query: "{ aiModels { name pricingHistory { validFrom } } }", statements: 1 },
    {
      // Both are the `pricing` relation with different filters, and one drizzle query holds a relation once:
      // plugin-drizzle loads the second view by the models' keys, one batched statement whatever the rows.
      name: "aiModels (current pricing and history: two views of one relation)",
      query: "{ aiModels { name currentPricing { validFrom } pricingHistory { validFrom } } }",
      statements: 2,
    },
    {
      name: "aiUsageSummary (the aggregate, then one batched model lookup)",
      query:
        '{ aiUsageSummary(from: "2026-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z") { day calls model { name } } }',
      statements: 2,
    },
    { name: "personalAccessTokens", query: "{ personalAccessTokens { name scopes } }", statements: 1 },
    {
      name: "nodes (several ids of one type)",
      query:
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ResearchPlan { title steps(first: 100) { nodes { title } } } } }",
      statements: 1,
      variables: async () => ({
        ids: (
          await owner<WithId>(sql`select id from research_plan where organization_id in (${acme}, ${initech})`)
        ).map((r) => globalId("ResearchPlan", r.id)),
      }),
    },
  ];

  it.each(rootFieldCases)(
    "$name: $statements data statement(s) whatever the number of rows",
    async ({ query, statements: expected, variables }) => {
      const vars = variables ? await variables() : undefined;
      const callers = [
        { as: demoPat, organizationId: acme },
        { as: dave.bearer, organizationId: initech },
      ];
      for (const { as, organizationId } of callers) {
        const { result, statements } = await gw.countStatements(() =>
          gw.graphql({ query, ...(vars ? { variables: vars } : {}) }, as, { organizationId }),
        );
        dataOf(result);
        expect(dataStatements(statements), `${organizationId}: ${statements.join("\n")}`).toHaveLength(expected);
      }
    },
  );
});

describe(`one transaction per operation on ${backendName}`, () => {
  it("queries run read-only and mutations read-write (the access mode the gateway sets)", async () => {
    const query = await gw.countStatements(() =>
      gw.graphql({ query: "{ researchPlans(first: 1) { nodes { id } } }" }, demoPat, { organizationId: acme }),
    );
    expect(query.statements[0]).toMatch(/^(set transaction|begin) read only$/i);
    const mutation = await gw.countStatements(() =>
      gw.graphql(
        { query: 'mutation { createResearchPlan(input: { title: "Access mode probe" }) { plan { id } } }' },
        demoPat,
        { organizationId: acme },
      ),
    );
    dataOf(mutation.result);
    expect(mutation.statements[0]).toMatch(/^(set transaction|begin) read write$/i);
  });

  it("a mutation that fails part-way leaves nothing written; the same write alone is committed", async () => {
    const [draft] = await owner<WithId>(
      sql`select min(id) as id from research_plan where organization_id = ${acme} and status = 'draft'`,
    );
    if (!draft?.id) throw new Error("no draft plan in Acme");
    const plansTitled = async (title: string) =>
      owner<{ id: string }>(sql`select id from research_plan where title = ${title}`);
    const auditOf = async (title: string) =>
      owner<{ n: number }>(sql`select count(*)::int as n from plan_audit_log where diff->'after'->>'title' = ${title}`);

    // Create a plan, then ask for a transition the state machine refuses: the create must not survive.
    const failing = await gw.graphql<{ created: { plan: WithId } | null }>(
      {
        query: `mutation ($draft: ID!) {
          created: createResearchPlan(input: { title: "Atomic probe" }) { plan { id } }
          refused: transitionResearchPlan(input: { id: $draft, to: COMPLETED }) { plan { id } }
        }`,
        variables: { draft: globalId("ResearchPlan", draft.id) },
      },
      demoPat,
      { organizationId: acme },
    );
    expect(errorCodes(failing)).toEqual(["CONFLICT"]);
    expect(await plansTitled("Atomic probe")).toEqual([]);
    expect((await auditOf("Atomic probe"))[0]?.n).toBe(0);
    const [status] = await owner<{ status: string }>(
      sql`select status::text from research_plan where id = ${draft.id}`,
    );
    expect(status?.status).toBe("draft");

    // The control: the same create on its own is committed, with its audit entry.
    const alone = dataOf(
      await gw.graphql<{ created: { plan: WithId } }>(
        { query: 'mutation { created: createResearchPlan(input: { title: "Atomic probe" }) { plan { id } } }' },
        demoPat,
        { organizationId: acme },
      ),
    );
    expect(await plansTitled("Atomic probe")).toHaveLength(1);
    expect((await auditOf("Atomic probe"))[0]?.n).toBe(1);
    expect(alone.created.plan.id).toBeTruthy();
  });

  // The plugin on its own, with a schema made for the purpose: resolvers that look at the transaction's
  // access mode, write from a query, and fail after a write.
  describe("the tenant-transaction plugin with a probe schema", () => {
    interface ProbeContext {
      principal: Principal | null;
      tx?: TenantTransaction;
    }

    function txOf(context: ProbeContext): TenantTransaction {
      if (!context.tx) throw new Error("no transaction in the context");
      return context.tx;
    }

    async function readOnlySetting(context: ProbeContext): Promise<string> {
      const rows = rowsOf<{ setting: string }>(
        await txOf(context).execute(sql`select current_setting('transaction_read_only') as setting`),
      );
      return rows[0]?.setting ?? "?";
    }

    /** Inserts a plan; a refusal by PostgreSQL is reported with its SQLSTATE and message. */
    async function insertPlan(context: ProbeContext, title: string): Promise<string> {
      try {
        const [row] = await txOf(context)
          .insert(researchPlan)
          .values({ title, authorId: context.principal?.userId ?? "" })
          .returning({ id: researchPlan.id });
        return row?.id ?? "";
      } catch (error) {
        const refusal = pgErrorOf(error);
        throw new GraphQLError(`${refusal.code}: ${refusal.message}`);
      }
    }

    type Field = GraphQLFieldConfig<unknown, ProbeContext>;
    const readOnly: Field = { type: GraphQLString, resolve: (_root, _args, context) => readOnlySetting(context) };
    const writePlan: Field = {
      type: GraphQLString,
      args: { title: { type: new GraphQLNonNull(GraphQLString) } },
      resolve: (_root, args: { title: string }, context) => insertPlan(context, args.title),
    };
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType<unknown, ProbeContext>({ name: "Query", fields: { readOnly, writePlan } }),
      mutation: new GraphQLObjectType<unknown, ProbeContext>({
        name: "Mutation",
        fields: {
          readOnly,
          writePlan,
          fail: {
            type: GraphQLString,
            resolve: () => {
              throw new GraphQLError("fails on purpose", { extensions: { code: "CONFLICT" } });
            },
          },
        },
      }),
    });

    interface ProbeResult {
      data?: Record<string, unknown> | null;
      errors?: { message: string }[];
    }

    async function probe(query: string): Promise<ProbeResult> {
      const yoga = createYoga<Record<string, never>, ProbeContext>({
        schema,
        maskedErrors: false,
        logging: false,
        plugins: [useTenantTransaction(gw.db.database)],
        context: async ({ request }) => ({
          principal: await resolvePrincipal(request, { auth: gw.auth, database: gw.db.database }),
        }),
      });
      const response = await yoga.fetch(`${baseUrl}/graphql`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${DEMO_TOKEN}`,
          "x-organization-id": acme,
        },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as ProbeResult;
    }

    const titled = (title: string) => owner<WithId>(sql`select id from research_plan where title = ${title}`);

    it("a query's transaction is read-only: PostgreSQL refuses a write attempted inside it", async () => {
      expect(await probe("{ readOnly }")).toEqual({ data: { readOnly: "on" } });
      const write = await probe('{ writePlan(title: "Written by a query") }');
      expect(write.data?.writePlan ?? null).toBeNull();
      expect(write.errors?.map((error) => error.message).join("\n")).toMatch(
        /cannot execute INSERT in a read-only transaction/,
      );
      expect(await titled("Written by a query")).toEqual([]);
    });

    it("a query with a failing statement keeps the other fields' data, alike on both backends", async () => {
      // writePlan's INSERT fails in the read-only transaction; `before` was read first, in the same one.
      const result = await probe('{ before: readOnly writePlan(title: "Refused in a query") }');
      expect(result.data).toEqual({ before: "on", writePlan: null });
      expect(result.errors?.map((error) => error.message)).toEqual([
        expect.stringMatching(/cannot execute INSERT in a read-only transaction/),
      ]);
      expect(await titled("Refused in a query")).toEqual([]);
    });

    it("a mutation's transaction is read-write and commits when every field succeeds", async () => {
      expect(await probe("mutation { readOnly }")).toEqual({ data: { readOnly: "off" } });
      const written = await probe('mutation { writePlan(title: "Committed by the probe") }');
      expect(written.errors).toBeUndefined();
      expect(await titled("Committed by the probe")).toEqual([{ id: written.data?.writePlan }]);
    });

    it("a mutation whose later field fails rolls back the earlier field's write", async () => {
      const result = await probe('mutation { writePlan(title: "Rolled back by the probe") fail }');
      expect(typeof result.data?.writePlan).toBe("string");
      expect(result.errors?.map((error) => error.message)).toEqual(["fails on purpose"]);
      expect(await titled("Rolled back by the probe")).toEqual([]);
    });
  });
});
