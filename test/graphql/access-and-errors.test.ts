import { type SQL, sql } from "drizzle-orm";
import { type GraphQLObjectType, getNamedType, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import {
  anonymous,
  type Caller,
  createTestGateway,
  demoPat,
  errorCodes,
  globalId,
  type RequestOptions,
  type SignedIn,
  type TestGateway,
} from "../support/gateway.js";
import { acme, dataOf, globex, initech, type Page, rawId, rawIds, type WithId } from "./helpers.js";

// Who may see what, and how the gateway says no: another tenant's rows are indistinguishable from rows that
// do not exist, a foreign organization is FORBIDDEN before anything runs, no organization means no tenant
// rows, and bad input gets a coded error while internal errors are masked.

let gw: TestGateway;
let aliceSession: SignedIn;
let daveSession: SignedIn;

function owner<T>(query: SQL): Promise<T[]> {
  return gw.db.asOwner<T>(query);
}

beforeAll(async () => {
  gw = await createTestGateway({ captureLogs: true });
  aliceSession = await gw.signIn(demoUsers.alice.email);
  daveSession = await gw.signIn(demoUsers.dave.email);
});
afterAll(() => gw?.cleanup());

/** Alice in every way she can call (sessions are signed in by beforeAll, hence the functions). */
const aliceCallers: { name: string; as: () => Caller }[] = [
  { name: "session cookie", as: () => aliceSession.cookie },
  { name: "bearer session token", as: () => aliceSession.bearer },
  { name: "personal access token", as: () => demoPat },
];

/** The id of one row of `table` in `organizationId`. */
async function someRow(table: string, organizationId: string): Promise<string> {
  const [row] = await owner<{ id: string }>(
    sql`select min(id) as id from ${sql.identifier(table)} where organization_id = ${organizationId}`,
  );
  if (!row?.id) throw new Error(`no ${table} row in ${organizationId}`);
  return row.id;
}

/** Every table with an organization_id column: tenant tables. */
async function tenantTables(): Promise<string[]> {
  const rows = await owner<{ table_name: string }>(
    sql`select table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'organization_id' order by table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe(`cross-tenant access on ${backendName}`, () => {
  const nodeTypes = [
    { type: "ResearchPlan", table: "research_plan" },
    { type: "PlanStep", table: "plan_step" },
    { type: "PlanBranchingCondition", table: "plan_branching_condition" },
    { type: "ResearchArtifact", table: "research_artifact" },
    { type: "DocumentChunk", table: "document_chunk" },
    { type: "SkillExecution", table: "skill_execution" },
    { type: "McpToolCall", table: "mcp_tool_call_log" },
    { type: "ResearchOutput", table: "research_output" },
    { type: "ResearchFeedback", table: "research_feedback" },
    { type: "AiUsage", table: "ai_usage" },
    { type: "Member", table: "member" },
  ];

  it.each(nodeTypes)(
    "node(id) of another tenant's $type is null, exactly like an id that does not exist",
    async ({ type, table }) => {
      const query = "query ($id: ID!) { node(id: $id) { __typename id } }";
      const ask = (id: string) => gw.graphql({ query, variables: { id } }, demoPat, { organizationId: acme });
      const own = await ask(globalId(type, await someRow(table, acme)));
      expect(own.body).toEqual({
        data: { node: { __typename: type, id: globalId(type, await someRow(table, acme)) } },
      });

      const missing = await ask(globalId(type, "no-such-row"));
      expect(missing.body).toEqual({ data: { node: null } });
      // Globex: Alice is a member there, but this request acts in Acme. Initech: she is not a member at all.
      for (const organizationId of [globex, initech]) {
        const foreign = await ask(globalId(type, await someRow(table, organizationId)));
        expect(foreign.status).toBe(missing.status);
        expect(foreign.body).toEqual(missing.body);
      }
    },
  );

  it("nodes(ids) and researchPlan(id): foreign and missing rows are null without disturbing the caller's own", async () => {
    const ownPlan = await someRow("research_plan", acme);
    const foreignPlan = await someRow("research_plan", initech);
    const ids = [
      globalId("ResearchPlan", ownPlan),
      globalId("ResearchPlan", foreignPlan),
      globalId("ResearchPlan", "no-such-plan"),
      globalId("PlanStep", await someRow("plan_step", globex)),
      globalId("PlanStep", await someRow("plan_step", acme)),
    ];
    const many = await gw.graphql<{ nodes: (WithId | null)[] }>(
      { query: "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids } },
      demoPat,
      { organizationId: acme },
    );
    expect(many.body).toEqual({ data: { nodes: [{ id: ids[0] }, null, null, null, { id: ids[4] }] } });

    const byId = (id: string) =>
      gw.graphql(
        {
          query: "query ($id: ID!) { researchPlan(id: $id) { id title } }",
          variables: { id: globalId("ResearchPlan", id) },
        },
        demoPat,
        { organizationId: acme },
      );
    const missing = await byId("no-such-plan");
    expect(missing.body).toEqual({ data: { researchPlan: null } });
    expect((await byId(foreignPlan)).body).toEqual(missing.body);
    expect(dataOf(await byId(ownPlan))).toMatchObject({ researchPlan: { id: globalId("ResearchPlan", ownPlan) } });
  });

  it("a cursor made from another tenant's rows pages through the caller's rows only", async () => {
    const pageQuery = `query ($after: String) { researchPlans(first: 100, after: $after) {
      edges { cursor node { id } }
    } }`;
    interface Data {
      researchPlans: { edges: { cursor: string; node: WithId }[] };
    }
    const foreignPages = [
      { as: aliceSession.bearer, organizationId: globex },
      { as: daveSession.bearer, organizationId: initech },
    ];
    for (const { as, organizationId } of foreignPages) {
      const foreign = dataOf(await gw.graphql<Data>({ query: pageQuery }, as, { organizationId }));
      const edge = foreign.researchPlans.edges[0];
      if (!edge) throw new Error(`no plans in ${organizationId}`);
      const [position] = await owner<{ created_at: string; id: string }>(
        sql`select created_at::text, id from research_plan where id = ${rawId(edge.node.id)}`,
      );
      const expected = await owner<WithId>(
        sql`select id from research_plan where organization_id = ${acme}
            and (created_at, id) < (${position?.created_at}::timestamptz, ${position?.id})
            order by created_at desc, id desc`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const mine = dataOf(
        await gw.graphql<Data>({ query: pageQuery, variables: { after: edge.cursor } }, demoPat, {
          organizationId: acme,
        }),
      );
      expect(rawIds(mine.researchPlans.edges.map((e) => e.node))).toEqual(expected.map((row) => row.id));
    }
  });

  it.each(aliceCallers)(
    "X-Organization-Id of a non-member ($name): FORBIDDEN, no data, no transaction",
    async (caller) => {
      const as = caller.as();
      const query = "{ viewer { user { id } } aiModels { id } researchPlans(first: 5) { nodes { id } } }";
      const answers = [];
      for (const organizationId of [initech, "no-such-organization"]) {
        const { result, statements } = await gw.countStatements(() => gw.graphql({ query }, as, { organizationId }));
        expect(errorCodes(result)).toEqual(["FORBIDDEN"]);
        expect(result.body).not.toHaveProperty("data");
        expect(statements).toEqual([]);
        answers.push({ status: result.status, message: result.errors?.[0]?.message });
      }
      // A foreign organization and one that does not exist get the same answer.
      expect(answers[0]).toEqual(answers[1]);
    },
  );

  const withoutOrganization = `query ($plan: ID!) {
    viewer { user { id } activeOrganization { id } role }
    aiModels { id }
    organization { id }
    researchPlans(first: 5) { nodes { id } }
    researchPlan(id: $plan) { id }
    researchArtifacts(first: 5) { nodes { id } }
    researchOutputs(first: 5) { nodes { id } }
    researchFeedback(first: 5) { nodes { id } }
    skillExecutions(first: 5) { nodes { id } }
    mcpToolCalls(first: 5) { nodes { id } }
    aiUsage(first: 5) { nodes { id } }
    aiUsageSummary(from: "2026-01-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { day }
  }`;
  const tenantFields = [
    "organization",
    "researchPlans",
    "researchPlan",
    "researchArtifacts",
    "researchOutputs",
    "researchFeedback",
    "skillExecutions",
    "mcpToolCalls",
    "aiUsage",
    "aiUsageSummary",
  ];
  interface WithoutOrganization {
    viewer: { user: WithId; activeOrganization: WithId | null; role: string | null } | null;
    aiModels: WithId[];
    [field: string]: unknown;
  }

  it.each([
    { name: "a session with no active organization", as: () => aliceSession.bearer },
    { name: "a personal access token without X-Organization-Id", as: () => demoPat },
  ])(
    "no organization ($name): each tenant field FORBIDDEN with no rows, viewer and aiModels answer",
    async ({ as }) => {
      const plan = globalId("ResearchPlan", await someRow("research_plan", acme));
      const { result, statements } = await gw.countStatements(() =>
        gw.graphql<WithoutOrganization>({ query: withoutOrganization, variables: { plan } }, as()),
      );
      // The tenant fields are non-null (docs/clients.md): a refused one nulls `data`, and only FORBIDDEN is said.
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.length).toBeGreaterThan(0);
      expect(new Set(errorCodes(result))).toEqual(new Set(["FORBIDDEN"]));
      // Not a single statement even named a tenant table.
      const tables = await tenantTables();
      expect(tables).toContain("research_plan");
      expect(tables.filter((table) => statements.some((statement) => statement.includes(`"${table}"`)))).toEqual([]);

      // Each tenant field on its own: FORBIDDEN at that field.
      for (const field of tenantFields) {
        const selection = withoutOrganization
          .split("\n")
          .map((line) => line.trim())
          .find((line) => line.startsWith(`${field}(`) || line.startsWith(`${field} `));
        const usesPlan = selection?.includes("$plan") ?? false;
        const alone = await gw.graphql(
          usesPlan
            ? { query: `query ($plan: ID!) { ${selection} }`, variables: { plan } }
            : { query: `{ ${selection} }` },
          as(),
        );
        expect(
          (alone.errors ?? []).map((e) => ({ path: e.path?.join("."), code: e.extensions?.code })),
          field,
        ).toEqual([{ path: field, code: "FORBIDDEN" }]);
        // researchPlan(id:) is nullable (null is an answer of its own); the others null `data`.
        expect(alone.data ?? null, field).toEqual(field === "researchPlan" ? { researchPlan: null } : null);
      }

      // What needs no organization answers in an operation of its own.
      const own = await gw.graphql<WithoutOrganization>(
        { query: "{ viewer { user { id } activeOrganization { id } role } aiModels { id } }" },
        as(),
      );
      const [models] = await owner<{ n: number }>(sql`select count(*)::int as n from ai_model`);
      expect(own.data?.viewer).toEqual({
        user: { id: globalId("User", demoUsers.alice.id) },
        activeOrganization: null,
        role: null,
      });
      expect(own.data?.aiModels).toHaveLength(models?.n ?? -1);

      // node(id) needs no organization, and without one RLS shows it no tenant row.
      const node = await gw.graphql(
        { query: "query ($id: ID!) { node(id: $id) { id } }", variables: { id: plan } },
        as(),
      );
      expect(node.body).toEqual({ data: { node: null } });
    },
  );

  it("anonymous: tenant and viewer-only fields UNAUTHENTICATED, viewer null, aiModels answer", async () => {
    const plan = globalId("ResearchPlan", await someRow("research_plan", acme));
    const result = await gw.graphql<WithoutOrganization>(
      {
        query: withoutOrganization.replace("aiModels { id }", "aiModels { id } personalAccessTokens { id }"),
        variables: { plan },
      },
      anonymous,
    );
    expect(result.data ?? null).toBeNull();
    expect(new Set(errorCodes(result))).toEqual(new Set(["UNAUTHENTICATED"]));
    for (const field of [
      "researchPlans(first: 5) { nodes { id } }",
      "organization { id }",
      "personalAccessTokens { id }",
    ]) {
      const alone = await gw.graphql({ query: `{ ${field} }` }, anonymous);
      expect(errorCodes(alone), field).toEqual(["UNAUTHENTICATED"]);
      expect(alone.data ?? null, field).toBeNull();
    }
    const own = await gw.graphql<WithoutOrganization>({ query: "{ viewer { role } aiModels { id } }" }, anonymous);
    expect(own.data?.viewer).toBeNull();
    expect(own.data?.aiModels.length).toBeGreaterThan(0);

    const withHeader = await gw.graphql({ query: "{ aiModels { id } }" }, anonymous, { organizationId: acme });
    expect(errorCodes(withHeader)).toEqual(["UNAUTHENTICATED"]);
    expect(withHeader.body).not.toHaveProperty("data");
  });
});

describe(`node, nodes and _entities for a caller who cannot see the rows, on ${backendName}`, () => {
  /** Every object type implementing Node, from the schema itself: a new one is covered by being added. */
  function nodeTypes(): string[] {
    return Object.values(buildSchema().getTypeMap())
      .filter((type): type is GraphQLObjectType => isObjectType(type))
      .filter((type) => type.getInterfaces().some((iface) => iface.name === "Node"))
      .map((type) => type.name)
      .sort();
  }

  it("anonymous: node and nodes answer null for every type but public reference data, with no error and no error log", async () => {
    const plan = await someRow("research_plan", acme);
    const [model] = await owner<WithId>(sql`select min(id) as id from ai_model`);
    const types = nodeTypes();
    expect(types).toContain("ResearchPlan");
    const logged = gw.logs.length;
    for (const type of types.filter((name) => name !== "AiModel")) {
      const id = globalId(type, plan);
      const result = await gw.graphql(
        {
          query: "query ($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }",
          variables: { id, ids: [id, globalId("AiModel", model?.id ?? "")] },
        },
        anonymous,
      );
      expect(result.body, type).toEqual({
        data: { node: null, nodes: [null, { id: globalId("AiModel", model?.id ?? "") }] },
      });
    }
    expect(gw.logs.slice(logged)).toEqual([]);
  });

  it("anonymous: _entities answers null for Organization, User and tenant references, and still resolves a public AiModel beside them", async () => {
    const plan = await someRow("research_plan", acme);
    const [model] = await owner<WithId>(sql`select min(id) as id from ai_model`);
    const representations = [
      { __typename: "Organization", id: acme },
      { __typename: "User", id: demoUsers.alice.id },
      { __typename: "ResearchPlan", id: globalId("ResearchPlan", plan) },
      { __typename: "PlanStep", id: globalId("PlanStep", `${plan}-step-1`) },
      { __typename: "ResearchArtifact", id: globalId("ResearchArtifact", plan) },
      { __typename: "ResearchOutput", id: globalId("ResearchOutput", plan) },
      { __typename: "DocumentChunk", id: globalId("DocumentChunk", plan) },
      { __typename: "AiModel", id: globalId("AiModel", model?.id ?? "") },
    ];
    const logged = gw.logs.length;
    const result = await gw.graphql(
      {
        query: `query ($r: [_Any!]!) { _entities(representations: $r) {
          ... on Organization { id } ... on User { id } ... on Node { id } ... on AiModel { name }
        } }`,
        variables: { r: representations },
      },
      anonymous,
    );
    expect(result.errors).toBeUndefined();
    const entities = (result.data as { _entities: unknown[] })._entities;
    expect(entities.slice(0, -1)).toEqual(representations.slice(0, -1).map(() => null));
    expect(entities.at(-1)).toMatchObject({ id: globalId("AiModel", model?.id ?? "") });
    expect(gw.logs.slice(logged)).toEqual([]);
  });
});

describe(`error answers on ${backendName}`, () => {
  const ask = <TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options: RequestOptions = { organizationId: acme },
  ) => gw.graphql<TData>({ query, ...(variables ? { variables } : {}) }, demoPat, options);

  it("a DateTime PostgreSQL cannot store (year 0, or past 9999 in UTC) is BAD_USER_INPUT, with no error log", async () => {
    const logged = gw.logs.length;
    for (const from of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]) {
      const result = await ask("query ($from: DateTime) { aiUsage(first: 1, from: $from) { nodes { id } } }", { from });
      expect(errorCodes(result), from).toEqual(["BAD_USER_INPUT"]);
    }
    expect(gw.logs.slice(logged)).toEqual([]);
  });

  it("an invalid global id is BAD_USER_INPUT", async () => {
    const [model] = await owner<WithId>(sql`select min(id) as id from ai_model`);
    const cases = [
      { query: 'query { node(id: "garbage") { id } }' },
      { query: "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids: ["garbage"] } },
      { query: "query ($id: ID!) { node(id: $id) { id } }", variables: { id: globalId("NoSuchType", "x") } },
      // A type that exists but is not a Node.
      { query: "query ($id: ID!) { node(id: $id) { id } }", variables: { id: globalId("Viewer", demoUsers.alice.id) } },
      { query: 'query { researchPlan(id: "garbage") { id } }' },
      // A well-formed id of another type where a plan's is expected.
      {
        query: "query ($id: ID!) { researchPlan(id: $id) { id } }",
        variables: { id: globalId("AiModel", model?.id ?? "") },
      },
    ];
    for (const { query, variables } of cases) {
      const result = await ask(query, variables);
      expect(errorCodes(result), JSON.stringify(variables ?? query)).toEqual(["BAD_USER_INPUT"]);
    }
  });

  it("a malformed or foreign-ordering cursor is BAD_USER_INPUT, and no SQL runs with it", async () => {
    const tuple = (...chunks: string[]) => Buffer.from(`DC:T:${JSON.stringify(chunks)}`).toString("base64");
    const byTitle = dataOf(
      await ask<{ researchPlans: { pageInfo: { endCursor: string } } }>(
        "{ researchPlans(first: 2, orderBy: { field: TITLE, direction: ASC }) { pageInfo { endCursor } } }",
      ),
    ).researchPlans.pageInfo.endCursor;
    const byCreated = dataOf(
      await ask<{ researchPlans: { pageInfo: { endCursor: string } } }>(
        "{ researchPlans(first: 2) { pageInfo { endCursor } } }",
      ),
    ).researchPlans.pageInfo.endCursor;
    const cases: { name: string; after?: string; before?: string; orderBy?: Record<string, string> }[] = [
      { name: "not base64 of anything", after: "garbage" },
      { name: "not a drizzle cursor", after: Buffer.from("hello").toString("base64") },
      { name: "empty tuple", after: tuple() },
      { name: "a date that is not a number", after: tuple("D:notanumber", "S:x") },
      { name: "a string where the date goes", after: tuple("S:yesterday", "S:x") },
      { name: "too many values", after: tuple("D:1", "S:x", "S:y") },
      { name: "a TITLE cursor with the default ordering", after: byTitle },
      {
        name: "a CREATED_AT cursor with TITLE ordering",
        after: byCreated,
        orderBy: { field: "TITLE", direction: "ASC" },
      },
      { name: "a malformed before", before: "garbage" },
    ];
    const query = `query ($after: String, $before: String, $orderBy: ResearchPlanOrder) {
      researchPlans(first: 5, after: $after, before: $before, orderBy: $orderBy) { nodes { id } }
    }`;
    for (const { name, ...variables } of cases) {
      const { result, statements } = await gw.countStatements(() => ask(query, variables));
      expect(errorCodes(result), name).toEqual(["BAD_USER_INPUT"]);
      expect(result.data ?? null, name).toBeNull(); // researchPlans is non-null: its error nulls `data`
      expect(
        statements.filter((s) => s.includes('"research_plan"')),
        name,
      ).toEqual([]);
    }
    // The other root connections check their cursors too.
    for (const field of [
      "researchArtifacts",
      "researchOutputs",
      "researchFeedback",
      "skillExecutions",
      "mcpToolCalls",
      "aiUsage",
    ]) {
      const result = await ask(`query ($after: String) { ${field}(first: 5, after: $after) { nodes { id } } }`, {
        after: tuple("S:title", "S:x"),
      });
      expect(errorCodes(result), field).toEqual(["BAD_USER_INPUT"]);
    }
    // And a nested connection's cursor is parsed too.
    const nested = await ask(
      '{ researchPlans(first: 2) { nodes { steps(first: 2, after: "garbage") { nodes { id } } } } }',
    );
    expect(errorCodes(nested)).toEqual(["BAD_USER_INPUT"]);
  });

  it("a nested connection at any depth refuses a cursor of another connection or with values of the wrong type: BAD_USER_INPUT, no error log", async () => {
    const tuple = (...chunks: string[]) => Buffer.from(`DC:T:${JSON.stringify(chunks)}`).toString("base64");
    const plan = await someRow("research_plan", acme);
    // Real cursors of two orderings: steps (position, id) and the audit log (createdAt, id).
    const issued = dataOf(
      await ask<{
        node: { steps: { pageInfo: { endCursor: string } }; auditLog: { pageInfo: { endCursor: string } } };
      }>(
        `query ($id: ID!) { node(id: $id) { ... on ResearchPlan {
          steps(first: 1) { pageInfo { endCursor } } auditLog(first: 1) { pageInfo { endCursor } } } } }`,
        { id: globalId("ResearchPlan", plan) },
      ),
    ).node;
    const stepCursor = issued.steps.pageInfo.endCursor;
    const auditCursor = issued.auditLog.pageInfo.endCursor;
    expect(stepCursor && auditCursor).toBeTruthy();
    const forged = [
      tuple("S:yesterday", "S:x"), // a string where a number or a date goes
      tuple("N:10000000000", "S:x"), // past a 32-bit integer
      tuple("N:1.5", "S:x"), // not a whole number
      tuple("D:-99999999999999", "S:x"), // a date before year 1
      tuple("O:true", "S:x"), // a boolean
    ];
    // Every nested connection of the schema, reached through node(id:) (or organization), at depth 1 or 2.
    const reach: Record<string, { query: (field: string) => string; id?: () => Promise<string> }> = {
      ResearchPlan: {
        query: (f) => `node(id: $id) { ... on ResearchPlan { ${f} } }`,
        id: async () => globalId("ResearchPlan", plan),
      },
      PlanStep: {
        query: (f) => `node(id: $id) { ... on ResearchPlan { steps(first: 1) { nodes { ${f} } } } }`,
        id: async () => globalId("ResearchPlan", plan),
      },
      ResearchArtifact: {
        query: (f) => `node(id: $id) { ... on ResearchArtifact { ${f} } }`,
        id: async () => globalId("ResearchArtifact", await someRow("research_artifact", acme)),
      },
      SkillExecution: {
        query: (f) => `node(id: $id) { ... on SkillExecution { ${f} } }`,
        id: async () => globalId("SkillExecution", await someRow("skill_execution", acme)),
      },
      ResearchOutput: {
        query: (f) => `node(id: $id) { ... on ResearchOutput { ${f} } }`,
        id: async () => globalId("ResearchOutput", await someRow("research_output", acme)),
      },
      AiBatch: {
        query: (f) => `node(id: $id) { ... on AiBatch { ${f} } }`,
        id: async () => globalId("AiBatch", await someRow("ai_batch", acme)),
      },
      Organization: { query: (f) => `organization { ${f} }` },
    };
    const nested = Object.values(buildSchema().getTypeMap())
      .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__"))
      .filter((type) => type.name !== "Query" && type.name !== "Mutation")
      .flatMap((type) =>
        Object.values(type.getFields())
          .filter(
            (field) =>
              field.args.some((arg) => arg.name === "after") && getNamedType(field.type).name.endsWith("Connection"),
          )
          .map((field) => ({ type: type.name, field: field.name })),
      );
    expect(nested.length).toBeGreaterThan(10);
    const logged = gw.logs.length;
    for (const { type, field } of nested) {
      const route = reach[type];
      if (!route) throw new Error(`no route to ${type}.${field} in this test: add one`);
      const id = route.id ? await route.id() : undefined;
      const query = `query (${id ? "$id: ID!, " : ""}$c: String) { ${route.query(`${field}(first: 5, after: $c) { nodes { id } }`)} }`;
      // The foreign real cursor: the audit log's for an ordering by a number, the steps' for one by a date.
      const foreign =
        field === "steps" || field.endsWith("Conditions") || field === "chunks" ? auditCursor : stepCursor;
      for (const c of [foreign, ...forged]) {
        const result = await ask(query, { ...(id ? { id } : {}), c });
        expect(errorCodes(result), `${type}.${field} after ${Buffer.from(c, "base64").toString()}`).toEqual([
          "BAD_USER_INPUT",
        ]);
      }
    }
    expect(gw.logs.slice(logged)).toEqual([]);
  });

  it("a page size outside 1..100 is BAD_USER_INPUT before the operation runs", async () => {
    const cases = [
      { query: "{ researchPlans(first: 0) { nodes { id } } }" },
      { query: "{ researchPlans(first: 101) { nodes { id } } }" },
      { query: "{ researchPlans(first: -1) { nodes { id } } }" },
      { query: "{ researchPlans(last: 0) { nodes { id } } }" },
      { query: "{ researchPlans(last: 101) { nodes { id } } }" },
      { query: "query ($n: Int) { aiUsage(first: $n) { nodes { id } } }", variables: { n: 1000 } },
      { query: "{ researchPlans(first: 5) { nodes { steps(first: 101) { nodes { id } } } } }" },
      { query: "{ organization { members(first: 0) { nodes { id } } } }" },
      { query: "query { ...Plans } fragment Plans on Query { researchArtifacts(first: 500) { nodes { id } } }" },
    ];
    for (const { query, variables } of cases) {
      const { result, statements } = await gw.countStatements(() => ask(query, variables));
      expect(errorCodes(result), query).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.message, query).toMatch(/must be between 1 and 100/);
      expect(result.body, query).not.toHaveProperty("data");
      expect(statements, query).toEqual([]);
    }
    // The bounds themselves are fine, and a skipped field is not checked.
    const [plans] = await owner<{ n: number }>(
      sql`select count(*)::int as n from research_plan where organization_id = ${acme}`,
    );
    const ok = dataOf(
      await ask<{ one: Page<WithId>; hundred: Page<WithId> }>(
        `query ($skip: Boolean!) {
          one: researchPlans(first: 1) { nodes { id } }
          hundred: researchPlans(last: 100) { nodes { id } }
          skipped: researchPlans(first: 1000) @skip(if: $skip) { nodes { id } }
        }`,
        { skip: true },
      ),
    );
    expect(ok.one.nodes).toHaveLength(1);
    expect(ok.hundred.nodes).toHaveLength(Math.min(100, plans?.n ?? 0));
  });

  it("first with last on one connection is BAD_USER_INPUT before the operation runs; either alone runs", async () => {
    const cases = [
      { query: "{ researchPlans(first: 5, last: 5) { nodes { id } } }" },
      { query: "query ($n: Int) { researchPlans(first: 5, last: $n) { nodes { id } } }", variables: { n: 2 } },
      { query: "{ researchPlans(first: 2) { nodes { steps(first: 1, last: 1) { nodes { id } } } } }" },
      { query: "{ organization { members(first: 1, last: 1) { nodes { id } } } }" },
      { query: "{ aiUsage(first: 1, last: 1) { nodes { id } } }" },
    ];
    for (const { query, variables } of cases) {
      const { result, statements } = await gw.countStatements(() => ask(query, variables));
      expect(errorCodes(result), query).toEqual(["BAD_USER_INPUT"]);
      expect(result.errors?.[0]?.message, query).toMatch(/"first" or "last" .*not both/);
      expect(result.errors?.[0]?.extensions?.argument, query).toBe("last");
      expect(result.body, query).not.toHaveProperty("data");
      expect(statements, query).toEqual([]);
    }
    // A variable left out is no second size: the field runs with `first` alone.
    const alone = dataOf(
      await ask<{ researchPlans: Page<WithId> }>(
        "query ($n: Int) { researchPlans(first: 2, last: $n) { nodes { id } } }",
      ),
    );
    expect(alone.researchPlans.nodes).toHaveLength(2);
  });

  it("other bad input: unknown enum value, a bad date, an empty range", async () => {
    const unknownEnum = await ask("{ researchPlans(orderBy: { field: BOGUS }) { nodes { id } } }");
    expect(errorCodes(unknownEnum)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const unknownEnumVariable = await ask(
      "query ($status: [PlanStatus!]) { researchPlans(filter: { status: { in: $status } }) { nodes { id } } }",
      { status: ["BOGUS"] },
    );
    expect(unknownEnumVariable.errors?.[0]?.message).toMatch(/BOGUS/);
    expect(unknownEnumVariable.body).not.toHaveProperty("data");
    const badDate = await ask('{ aiUsage(first: 5, from: "yesterday") { nodes { id } } }');
    expect(errorCodes(badDate)).toEqual(["BAD_USER_INPUT"]);
    const emptyRange = await ask(
      '{ aiUsageSummary(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { day } }',
    );
    expect(errorCodes(emptyRange)).toEqual(["BAD_USER_INPUT"]);
  });

  it("@defer and @stream are refused with OPERATION_NOT_SUPPORTED, before anything runs", async () => {
    const cases = ["{ researchPlans(first: 2) { nodes { id ... @defer { title } } } }", "{ aiModels @stream { id } }"];
    for (const query of cases) {
      const { result, statements } = await gw.countStatements(() => ask(query));
      expect(errorCodes(result), query).toEqual(["OPERATION_NOT_SUPPORTED"]);
      expect(result.body, query).not.toHaveProperty("data");
      expect(statements, query).toEqual([]);
    }
  });

  it("a subscription on a gateway without live updates is refused with LIVE_UPDATES_UNAVAILABLE, before anything runs (test/live/ serves them)", async () => {
    const query = "subscription { researchPlanEvents { kind } }";
    const { result, statements } = await gw.countStatements(() => ask(query, undefined, { organizationId: acme }));
    expect(errorCodes(result), query).toEqual(["LIVE_UPDATES_UNAVAILABLE"]);
    expect(statements, query).toEqual([]);
  });

  it("an internal error is masked (no SQL, no table), carries the request id, and is logged in full", async () => {
    // A real failure inside PostgreSQL: the runtime role loses its grant on a table for this one request.
    await owner(sql`revoke select on research_plan from authenticated`);
    try {
      const requestId = "test-masking-0001";
      const result = await ask("{ researchPlans(first: 2) { nodes { id title } } aiModels { id } }", undefined, {
        organizationId: acme,
        requestId,
      });
      expect(result.headers.get("x-request-id")).toBe(requestId);
      // One masked error. (On PGlite it is the field's, with a path; postgres.js fails the whole transaction
      // after a failed statement, so on PostgreSQL it is the operation's.)
      expect(result.errors).toHaveLength(1);
      expect(result.errors?.[0]).toMatchObject({
        message: "Unexpected error.",
        extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
      });
      expect(result.data?.researchPlans ?? null).toBeNull();
      const text = JSON.stringify(result.body);
      for (const leak of ["research_plan", "permission", "select", "denied", "stack", "at "]) {
        expect(text.toLowerCase()).not.toContain(leak);
      }
      const logged = gw.logs.filter((entry) => entry.requestId === requestId);
      expect(logged).toHaveLength(1);
      expect(JSON.stringify(logged[0])).toMatch(/permission denied for table research_plan/);
    } finally {
      await owner(sql`select trovella_private.secure_tenant_tables()`);
    }
    // The grant is back: the same query works again.
    expect(dataOf(await ask("{ researchPlans(first: 2) { nodes { id } } }"))).toBeTruthy();
  });
});
