import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchOrganization, benchOrganizations, loadBenchData } from "../../bench/seed.js";
import { isTransactionSetup } from "../graphql/helpers.js";
import { serverUrl } from "../support/database.js";
import { createTestGateway, errorCodes, type RecordedStatement, type TestGateway } from "../support/gateway.js";

// Every documented filter and ordering (docs/filtering.md) is served by an index: the statements the gateway
// sends for each of them, EXPLAINed as the tenant (RLS on), must not Seq Scan a table of more than 1,000 rows.
// Real server only (skipped on PGlite: its planner sees a single-user WASM database of test size, and the
// question is what PostgreSQL does with realistic volumes). Data: the benchmark's seed at SIZE=small
// (bench/seed.ts: 20 organizations, 5,000 plans, ~50,000 steps, ~100,000 conditions, 10,000 artifacts, …),
// plus skill executions, tool calls and AI usage seeded here (the bench has none), then ANALYZE.
// The queries run as the largest organization (~28% of every table): the hardest case for the planner.

const describeOnServer = serverUrl ? describe : describe.skip;
const largeTable = 1_000;

let gw: TestGateway;
let owner: postgres.Sql;
const orgs = benchOrganizations("small");
const org: BenchOrganization = orgs[0] ?? { index: 1, id: "", userId: "", token: "", planCount: 0 };
const rowCounts = new Map<string, number>();

const extraDataSql = `
insert into ai_model (id, provider, name, display_name, kind, context_window)
  values ('explain-model', 'test', 'explain-model', 'Explain model', 'chat', 8192);
insert into skill_execution (id, organization_id, plan_id, step_id, skill_name, status, input, started_at)
  select 'se-' || p.id || '-' || k, p.organization_id, p.id, case when k = 1 then null else 'st-' || substr(p.id, 4) || '-1' end,
    'skill-' || k, (array['running','succeeded','failed'])[1 + (k + length(p.id)) % 3]::execution_status, '{}'::jsonb,
    p.created_at + k * interval '1 second'
  from research_plan p, generate_series(1, 2) k;
insert into mcp_tool_call_log (id, organization_id, skill_execution_id, server_name, tool_name, status, duration_ms, metadata, created_at)
  select 'tc-' || s.id || '-' || k, s.organization_id, s.id, 'server', 'tool_' || k,
    (array['success','error','timeout'])[1 + k % 3]::tool_call_status, 10 * k, '{"arguments":{}}'::jsonb,
    s.started_at + k * interval '1 second'
  from skill_execution s, generate_series(1, 2) k;
insert into ai_usage (id, organization_id, model_id, user_id, plan_id, step_id, input_tokens, output_tokens, cost_usd, occurred_at)
  select 'us-' || p.id || '-' || k, p.organization_id, 'explain-model', p.author_id, p.id,
    case when k = 1 then null else 'st-' || substr(p.id, 4) || '-1' end, 100, 50, 0.001, p.created_at + k * interval '1 second'
  from research_plan p, generate_series(1, 2) k;
`;

beforeAll(async () => {
  if (!serverUrl) return;
  gw = await createTestGateway({ seed: false });
  owner = postgres(gw.db.databaseUrl ?? "", { max: 1, onnotice: () => {} });
  await loadBenchData(owner, orgs);
  await owner.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx.unsafe(extraDataSql);
  });
  await owner`analyze`;
  const counts = await owner<{ relname: string; n: number }[]>`
    select relname, reltuples::int as n from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace`;
  for (const { relname, n } of counts) rowCounts.set(relname, n);
}, 300_000);
afterAll(async () => {
  if (indexesUsed.length > 0) console.log(`indexes used, as ${org.id}:\n${indexesUsed.join("\n")}`);
  await owner?.end({ timeout: 5 });
  await gw?.cleanup();
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function* nodesOf(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodesOf(child);
}

/** The plan of one recorded statement, as the tenant: the door's role and settings, RLS applied. */
async function explain(statement: RecordedStatement): Promise<PlanNode> {
  return owner.begin(async (tx) => {
    await tx`set local role authenticated`;
    await tx`select set_config('app.organization_id', ${org.id}, true), set_config('app.user_id', ${org.userId}, true)`;
    const rows = await tx.unsafe(
      `explain (format json) ${statement.sql}`,
      statement.params as postgres.ParameterOrJSON<never>[],
    );
    const plan = (rows[0]?.["QUERY PLAN"] as { Plan: PlanNode }[] | undefined)?.[0]?.Plan;
    if (!plan) throw new Error(`no plan for ${statement.sql}`);
    return plan;
  });
}

const planId = () => `pl-${org.index}-7`;
const stepId = () => `st-${org.index}-7-1`;
const outputId = () => `ou-${org.index}-7-1`;
const executionId = () => `se-pl-${org.index}-7-2`;
const since = "2026-01-02T00:00:00Z";

/** Each documented filter and ordering of a root connection, one query each. */
const cases: { name: string; query: () => string }[] = [
  ...["CREATED_AT", "UPDATED_AT", "TITLE"].flatMap((field) =>
    ["ASC", "DESC"].map((direction) => ({
      name: `researchPlans orderBy ${field} ${direction}`,
      query: () =>
        `{ researchPlans(first: 20, orderBy: { field: ${field}, direction: ${direction} }) { totalCount nodes { id } } }`,
    })),
  ),
  ...[
    "{ status: { in: [COMPLETED, FAILED] } }",
    "{ status: { eq: DRAFT } }",
    '{ title: { eq: "Plan 7 of organization 1" } }',
    '{ title: { startsWith: "Plan 7" } }',
    '{ title: { startsWith: "Plan 1234 " } }',
    '{ title: { contains: "plan 77 " } }',
    `{ authorId: { eq: "bench-user-001" } }`,
    `{ createdAt: { gte: "${since}" } }`,
    `{ updatedAt: { lt: "${since}" } }`,
  ].map((filter) => ({
    name: `researchPlans filter ${filter}`,
    query: () => `{ researchPlans(first: 20, filter: ${filter}) { totalCount nodes { id } } }`,
  })),
  ...[
    ["researchArtifacts", () => `{ planId: { eq: "${planId()}" } }`],
    ["researchArtifacts", () => `{ stepId: { eq: "st-${org.index}-7-2" } }`],
    ["researchArtifacts", () => `{ createdAt: { gte: "${since}" } }`],
    ["researchOutputs", () => `{ planId: { eq: "${planId()}" } }`],
    ["researchOutputs", () => `{ createdAt: { lt: "${since}" } }`],
    ["researchFeedback", () => `{ outputId: { eq: "${outputId()}" } }`],
    ["researchFeedback", () => `{ authorId: { eq: "bench-user-002" } }`],
    ["researchFeedback", () => `{ createdAt: { gte: "${since}" } }`],
    ["skillExecutions", () => `{ planId: { eq: "${planId()}" } }`],
    ["skillExecutions", () => `{ stepId: { eq: "${stepId()}" } }`],
    ["skillExecutions", () => "{ status: { eq: FAILED } }"],
    ["skillExecutions", () => `{ startedAt: { gte: "${since}" } }`],
    ["mcpToolCalls", () => `{ skillExecutionId: { eq: "${executionId()}" } }`],
    ["mcpToolCalls", () => '{ toolName: { eq: "tool_1" } }'],
    ["mcpToolCalls", () => '{ toolName: { startsWith: "tool_2" } }'],
    ["mcpToolCalls", () => `{ createdAt: { gte: "${since}" } }`],
    ["aiUsage", () => '{ modelId: { eq: "explain-model" } }'],
    ["aiUsage", () => `{ planId: { eq: "${planId()}" } }`],
    ["aiUsage", () => `{ stepId: { eq: "${stepId()}" } }`],
    ["aiUsage", () => '{ batchId: { eq: "none" } }'],
    ["aiUsage", () => '{ userId: { eq: "bench-user-002" } }'],
    ["aiUsage", () => `{ occurredAt: { gte: "${since}" } }`],
  ].map(([field, filter]) => ({
    name: `${field} filter ${(filter as () => string)()}`,
    query: () => `{ ${field}(first: 20, filter: ${(filter as () => string)()}) { totalCount nodes { id } } }`,
  })),
  ...["researchArtifacts", "researchOutputs", "researchFeedback", "skillExecutions", "mcpToolCalls", "aiUsage"].map(
    (field) => ({
      name: `${field}, default order`,
      query: () => `{ ${field}(first: 20) { totalCount nodes { id } } }`,
    }),
  ),
  ...[
    `steps(first: 5, filter: { status: { eq: COMPLETED }, position: { lte: 3 } }, orderBy: { field: CREATED_AT }) {
      totalCount nodes { id branchingConditions(first: 2, filter: { priority: { eq: 0 } }) { nodes { id } } } }`,
    `artifacts(first: 2, filter: { createdAt: { gte: "${since}" } }) {
      nodes { id extractionResults(first: 2, orderBy: { field: CONFIDENCE }) { nodes { id } } } }`,
    "auditLog(first: 5, filter: { action: { eq: PLAN_CREATED } }) { totalCount nodes { id } }",
    `outputs(first: 2, filter: { createdAt: { gte: "${since}" } }) {
      nodes { id feedback(first: 2, filter: { createdAt: { gte: "${since}" } }) { totalCount nodes { id } } } }`,
    `skillExecutions(first: 2, filter: { status: { eq: FAILED } }) {
      nodes { id toolCalls(first: 2, filter: { toolName: { startsWith: "tool" } }) { nodes { id } } } }`,
  ].map((related) => ({
    name: `related: ${related.slice(0, related.indexOf("("))}`,
    query: () => `{ researchPlans(first: 3, filter: { title: { startsWith: "Plan 7" } }) { nodes { ${related} } } }`,
  })),
];

/** The Seq Scans of tables over 1,000 rows in a plan. */
function largeSeqScans(plan: PlanNode): string[] {
  return [...nodesOf(plan)]
    .filter(
      (node) => node["Node Type"] === "Seq Scan" && (rowCounts.get(node["Relation Name"] ?? "") ?? 0) > largeTable,
    )
    .map((node) => node["Relation Name"] ?? "");
}

/** Index names per case, printed at the end (docs/filtering.md quotes them). */
const indexesUsed: string[] = [];

describeOnServer(
  "connection filters and orderings are served by indexes (EXPLAIN, PostgreSQL, bench SIZE=small)",
  () => {
    it("the data set is large enough to matter", () => {
      for (const table of [
        "research_plan",
        "plan_step",
        "research_artifact",
        "research_feedback",
        "skill_execution",
        "mcp_tool_call_log",
        "ai_usage",
      ]) {
        expect(rowCounts.get(table) ?? 0, table).toBeGreaterThan(largeTable);
      }
    });

    it("the check can fail: the same EXPLAIN without RLS's tenant condition finds the Seq Scan", async () => {
      const plan = await owner.begin(async (tx) => {
        const rows = await tx.unsafe("explain (format json) select id from plan_step where instructions like $1", [
          "%x%",
        ]);
        return (rows[0]?.["QUERY PLAN"] as { Plan: PlanNode }[] | undefined)?.[0]?.Plan;
      });
      expect(plan && largeSeqScans(plan)).toEqual(["plan_step"]);
    });

    it("title startsWith is an index search: research_plan_org_title_c_idx with the prefix range as its condition", async () => {
      await gw.countStatements(() =>
        gw.graphql(
          {
            query:
              '{ researchPlans(first: 20, filter: { title: { startsWith: "Plan 1234 " } }) { totalCount nodes { id } } }',
          },
          { kind: "pat", token: org.token },
          { organizationId: org.id },
        ),
      );
      const statement = gw.statementsWithParams.find(
        (s) => /^\s*select/i.test(s.sql) && s.sql.includes("research_plan"),
      );
      if (!statement) throw new Error("no statement on research_plan");
      const nodes = [...nodesOf(await explain(statement))] as (PlanNode & { "Index Cond"?: string })[];
      const searches = nodes.filter((n) => n["Index Name"] === "research_plan_org_title_c_idx");
      expect(searches.length).toBeGreaterThan(0);
      expect(searches.map((n) => n["Index Cond"] ?? "")).toEqual(
        searches.map(() => expect.stringMatching(/title.*>=/)),
      );
    });

    it.each(cases)("$name: no Seq Scan of a table over 1,000 rows", async ({ name, query }) => {
      const { result, statements } = await gw.countStatements(() =>
        gw.graphql({ query: query() }, { kind: "pat", token: org.token }, { organizationId: org.id }),
      );
      expect(errorCodes(result), JSON.stringify(result.errors)).toEqual([]);
      const data = gw.statementsWithParams.length > 0 ? gw.statementsWithParams : [];
      const dataStatements = data.filter((s) => !isTransactionSetup(s.sql) && /^\s*select/i.test(s.sql));
      expect(dataStatements.length, statements.join("\n")).toBeGreaterThan(0);
      for (const statement of dataStatements) {
        const plan = await explain(statement);
        indexesUsed.push(
          `${name}: ${[...new Set([...nodesOf(plan)].flatMap((node) => (node["Index Name"] ? [node["Index Name"]] : [])))].join(", ")}`,
        );
        expect(largeSeqScans(plan), `${statement.sql}\n${JSON.stringify(plan, null, 1).slice(0, 4000)}`).toEqual([]);
      }
    });
  },
);
