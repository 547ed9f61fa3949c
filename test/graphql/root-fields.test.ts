import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenScopes } from "../../schema/index.js";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import {
  type Caller,
  createTestGateway,
  demoPat,
  globalId,
  type RequestOptions,
  type SignedIn,
  type TestGateway,
} from "../support/gateway.js";
import { acme, dataOf, groupBy, type Page, type PageInfo, rawId, rawIds, type WithId } from "./helpers.js";

// Every root field and every relation of the schema, on the demo data, as the three kinds of caller: a
// browser session (cookie, tenant = the session's active organization), a script with the session's bearer
// token and X-Organization-Id, and an agent with a personal access token and X-Organization-Id. Expected
// values are read as the owner (bypassing RLS), so the tests follow the seed rather than hard-code it.

let gw: TestGateway;
let cookieUser: SignedIn;
let bearerUser: SignedIn;

const alice = demoUsers.alice.id;
const bob = demoUsers.bob.id;
/** Two plans by Bob that tie on every ordering column (and carry LIKE wildcards in their title). */
const tiePlanIds = ["acme-tie-plan-a", "acme-tie-plan-b"];
const tieTitle = "Tie: 100% sure_thing";

function owner<T>(query: SQL): Promise<T[]> {
  return gw.db.asOwner<T>(query);
}

beforeAll(async () => {
  gw = await createTestGateway();
  for (const id of tiePlanIds) {
    await owner(sql`insert into research_plan (id, organization_id, title, status, author_id, created_at, updated_at)
      values (${id}, ${acme}, ${tieTitle}, 'draft', ${bob}, '2026-09-05T12:00:00Z', '2026-09-05T12:00:00Z')`);
  }
  // Tenant from the session: a browser that picked Acme as its active organization.
  cookieUser = await gw.signIn(demoUsers.alice.email);
  await gw.setActiveOrganization(cookieUser, acme);
  // Tenant from the header: another session of Alice's, with no active organization.
  bearerUser = await gw.signIn(demoUsers.alice.email);
});
afterAll(() => gw?.cleanup());

interface CallerCase {
  name: string;
  as: () => Caller;
  options: RequestOptions;
  kind: "session" | "token";
}

const callers: CallerCase[] = [
  { name: "a session cookie (active organization)", as: () => cookieUser.cookie, options: {}, kind: "session" },
  {
    name: "a bearer session token (X-Organization-Id)",
    as: () => bearerUser.bearer,
    options: { organizationId: acme },
    kind: "session",
  },
  {
    name: "a personal access token (X-Organization-Id)",
    as: () => demoPat,
    options: { organizationId: acme },
    kind: "token",
  },
];

const epochMs = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::float8`;

describe(`root fields and relations on ${backendName}`, () => {
  it("exposes no secret: no session, account or verification type, no hash, password or provider token", async () => {
    interface Introspection {
      __schema: { types: { name: string; fields: { name: string }[] | null }[] };
    }
    const data = dataOf(
      await gw.graphql<Introspection>({ query: "{ __schema { types { name fields { name } } } }" }, demoPat),
    );
    const typeNames = data.__schema.types.map((type) => type.name);
    expect(typeNames).toContain("PersonalAccessToken");
    for (const hidden of ["Session", "Account", "Verification"]) expect(typeNames).not.toContain(hidden);
    const fields = data.__schema.types.flatMap((type) =>
      (type.fields ?? []).map((f) => ({ type: type.name, field: f.name })),
    );
    expect(fields).toContainEqual({ type: "PersonalAccessToken", field: "tokenPrefix" });
    const secretLike = fields.filter(({ field }) => /hash|password|secret|^(access|refresh|id)Token$/i.test(field));
    expect(secretLike).toEqual([]);

    const asked = await gw.graphql({ query: "{ personalAccessTokens { id tokenHash } }" }, demoPat);
    expect(asked.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(asked.body)).not.toContain(DEMO_TOKEN);
  });

  describe.each(callers)("as $name", (caller) => {
    const run = <TData>(query: string, variables?: Record<string, unknown>) =>
      gw.graphql<TData>({ query, ...(variables ? { variables } : {}) }, caller.as(), caller.options);

    it("viewer: the user, every membership, the active organization, role and scopes", async () => {
      interface Data {
        viewer: {
          user: { id: string; databaseId: string; name: string; email: string };
          memberships: { organizationId: string; name: string; slug: string; role: string }[];
          activeOrganization: { id: string; databaseId: string; name: string; slug: string } | null;
          role: string | null;
          scopes: string[];
        };
      }
      const { viewer } = dataOf(
        await run<Data>(`{ viewer {
          user { id databaseId name email }
          memberships { organizationId name slug role }
          activeOrganization { id databaseId name slug }
          role
          scopes
        } }`),
      );
      const [user] = await owner<{ id: string; name: string; email: string }>(
        sql`select id, name, email from "user" where id = ${alice}`,
      );
      expect(viewer.user).toEqual({ ...user, id: globalId("User", alice), databaseId: alice });
      const memberships = await owner<{ organizationId: string; name: string; slug: string; role: string }>(
        sql`select m.organization_id as "organizationId", o.name, o.slug, m.role
            from member m join organization o on o.id = m.organization_id
            where m.user_id = ${alice} order by o.name, o.id`,
      );
      expect(memberships.length).toBeGreaterThan(1);
      expect(viewer.memberships).toEqual(memberships);
      const [org] = await owner<{ id: string; name: string; slug: string }>(
        sql`select id, name, slug from organization where id = ${acme}`,
      );
      expect(viewer.activeOrganization).toEqual({ ...org, id: globalId("Organization", acme), databaseId: acme });
      expect(viewer.role).toBe(memberships.find((m) => m.organizationId === acme)?.role);
      if (caller.kind === "token") {
        const [token] = await owner<{ scopes: string[] }>(
          sql`select scopes from personal_access_token where id = 'demo-token-alice'`,
        );
        expect(viewer.scopes).toEqual(token?.scopes);
      } else {
        expect(viewer.scopes).toEqual([...tokenScopes]);
      }
    });

    it("organization: the selected one, its members and invitations", async () => {
      interface Data {
        organization: {
          id: string;
          name: string;
          slug: string;
          type: string;
          members: Page<{ id: string; role: string; user: { id: string }; organization: { id: string } }>;
          invitations: Page<WithId>;
        };
      }
      const { organization } = dataOf(
        await run<Data>(`{ organization {
          id databaseId name slug type
          members(first: 100) { totalCount nodes { id role user { id: databaseId } organization { id: databaseId } } }
          invitations(first: 100) { totalCount nodes { id } }
        } }`),
      );
      const [org] = await owner<{ id: string; name: string; slug: string; type: string }>(
        sql`select id, name, slug, type::text from organization where id = ${acme}`,
      );
      expect(organization).toMatchObject({
        id: globalId("Organization", acme),
        databaseId: org?.id,
        name: org?.name,
        slug: org?.slug,
        type: org?.type.toUpperCase(),
      });
      const members = await owner<{ id: string; role: string; user_id: string }>(
        sql`select id, role, user_id from member where organization_id = ${acme} order by created_at, id`,
      );
      expect(members.length).toBeGreaterThan(1);
      expect(organization.members.totalCount).toBe(members.length);
      expect(
        organization.members.nodes.map((m) => ({
          id: rawId(m.id),
          role: m.role,
          user: m.user.id,
          org: m.organization.id,
        })),
      ).toEqual(members.map((m) => ({ id: m.id, role: m.role, user: m.user_id, org: acme })));
      const [invitations] = await owner<{ n: number }>(
        sql`select count(*)::int as n from invitation where organization_id = ${acme}`,
      );
      expect(organization.invitations.totalCount).toBe(invitations?.n);
      expect(organization.invitations.nodes).toHaveLength(invitations?.n ?? -1);
    });

    it("researchPlans: every plan with its steps, conditions, audit log, artifacts, executions and outputs", async () => {
      interface Step {
        id: string;
        position: number;
        title: string;
        status: string;
        executionReport: { summary: string } | null;
        plan: WithId;
        branchingConditions: Page<{
          id: string;
          label: string | null;
          priority: number;
          rule: { kind: string; equals: string | null };
          step: WithId;
          targetStep: WithId;
        }>;
        incomingConditions: Page<WithId>;
        artifacts: Page<WithId>;
        skillExecutions: Page<WithId>;
      }
      interface Plan {
        id: string;
        title: string;
        description: string | null;
        status: string;
        version: number;
        author: { id: string; name: string };
        createdAt: string;
        updatedAt: string;
        stepCount: number;
        steps: Page<Step>;
        auditLog: Page<{ id: string; action: string; actor: { id: string } | null; plan: WithId | null }>;
        artifacts: Page<WithId>;
        skillExecutions: Page<WithId>;
        outputs: Page<WithId>;
      }
      const { researchPlans } = dataOf(
        await run<{ researchPlans: Page<Plan> }>(`{ researchPlans(first: 20) {
          totalCount
          nodes {
            id title description status version author { id: databaseId name } createdAt updatedAt stepCount
            steps(first: 10) { totalCount nodes {
              id position title status executionReport { summary } plan { id }
              branchingConditions(first: 5) { totalCount nodes {
                id label priority rule { kind equals } step { id } targetStep { id }
              } }
              incomingConditions(first: 5) { nodes { id } }
              artifacts(first: 5) { nodes { id } }
              skillExecutions(first: 5) { nodes { id } }
            } }
            auditLog(first: 5) { totalCount nodes { id action actor { id: databaseId } plan { id } } }
            artifacts(first: 5) { totalCount nodes { id } }
            skillExecutions(first: 5) { totalCount nodes { id } }
            outputs(first: 5) { totalCount nodes { id } }
          }
        } }`),
      );

      const plans = await owner<{
        id: string;
        title: string;
        description: string | null;
        status: string;
        version: number;
        author_id: string;
        author_name: string;
        created_ms: number;
        updated_ms: number;
      }>(sql`select p.id, p.title, p.description, p.status::text, p.version, p.author_id, u.name as author_name,
            ${epochMs(sql`p.created_at`)} as created_ms, ${epochMs(sql`p.updated_at`)} as updated_ms
          from research_plan p join "user" u on u.id = p.author_id
          where p.organization_id = ${acme} order by p.created_at desc, p.id desc`);
      expect(plans.length).toBeGreaterThan(12);
      expect(researchPlans.totalCount).toBe(plans.length);
      expect(
        researchPlans.nodes.map((p) => ({
          id: rawId(p.id),
          title: p.title,
          description: p.description,
          status: p.status,
          version: p.version,
          author: p.author,
          created: new Date(p.createdAt).getTime(),
          updated: new Date(p.updatedAt).getTime(),
        })),
      ).toEqual(
        plans.map((p) => ({
          id: p.id,
          title: p.title,
          description: p.description,
          status: p.status.toUpperCase(),
          version: p.version,
          author: { id: p.author_id, name: p.author_name },
          created: p.created_ms,
          updated: p.updated_ms,
        })),
      );

      const steps = await owner<{ id: string; plan_id: string; position: number; title: string; status: string }>(
        sql`select id, plan_id, position, title, status::text from plan_step
            where organization_id = ${acme} order by plan_id, position`,
      );
      const conditions = await owner<{
        id: string;
        step_id: string;
        target_step_id: string;
        priority: number;
        label: string | null;
        kind: string;
      }>(sql`select id, step_id, target_step_id, priority, label, rule->>'kind' as kind from plan_branching_condition
            where organization_id = ${acme} order by priority, id`);
      const audit = await owner<{ id: string; plan_id: string; action: string; actor_id: string | null }>(
        sql`select id, plan_id, action::text, actor_id from plan_audit_log
            where organization_id = ${acme} order by created_at desc, id desc`,
      );
      const artifacts = await owner<{ id: string; plan_id: string; step_id: string | null }>(
        sql`select id, plan_id, step_id from research_artifact where organization_id = ${acme} order by created_at, id`,
      );
      const executions = await owner<{ id: string; plan_id: string; step_id: string | null }>(
        sql`select id, plan_id, step_id from skill_execution
            where organization_id = ${acme} order by started_at desc, id desc`,
      );
      const outputs = await owner<{ id: string; plan_id: string }>(
        sql`select id, plan_id from research_output where organization_id = ${acme} order by created_at desc, id desc`,
      );
      expect(conditions.length).toBeGreaterThan(0);
      expect(outputs.length).toBeGreaterThan(0);

      const stepsByPlan = groupBy(steps, (s) => s.plan_id);
      const conditionsByStep = groupBy(conditions, (c) => c.step_id);
      const incomingByStep = groupBy(conditions, (c) => c.target_step_id);
      const ids = <T extends { id: string }>(rows: T[] | undefined) => (rows ?? []).map((row) => row.id);
      for (const plan of researchPlans.nodes) {
        const planId = rawId(plan.id);
        const planSteps = stepsByPlan.get(planId) ?? [];
        expect(plan.stepCount).toBe(planSteps.length);
        expect(plan.steps.totalCount).toBe(planSteps.length);
        expect(
          plan.steps.nodes.map((s) => ({ id: rawId(s.id), position: s.position, title: s.title, status: s.status })),
        ).toEqual(
          planSteps.map((s) => ({ id: s.id, position: s.position, title: s.title, status: s.status.toUpperCase() })),
        );
        for (const step of plan.steps.nodes) {
          const stepId = rawId(step.id);
          expect(rawId(step.plan.id)).toBe(planId);
          const expected = conditionsByStep.get(stepId) ?? [];
          expect(step.branchingConditions.totalCount).toBe(expected.length);
          expect(
            step.branchingConditions.nodes.map((c) => ({
              id: rawId(c.id),
              step: rawId(c.step.id),
              target: rawId(c.targetStep.id),
              priority: c.priority,
              label: c.label,
              kind: c.rule.kind,
            })),
          ).toEqual(
            expected.map((c) => ({
              id: c.id,
              step: c.step_id,
              target: c.target_step_id,
              priority: c.priority,
              label: c.label,
              kind: c.kind,
            })),
          );
          expect(rawIds(step.incomingConditions.nodes)).toEqual(ids(incomingByStep.get(stepId)));
          expect(rawIds(step.artifacts.nodes)).toEqual(ids(artifacts.filter((a) => a.step_id === stepId)));
          expect(rawIds(step.skillExecutions.nodes)).toEqual(ids(executions.filter((e) => e.step_id === stepId)));
        }
        const planAudit = audit.filter((a) => a.plan_id === planId);
        expect(plan.auditLog.totalCount).toBe(planAudit.length);
        expect(
          plan.auditLog.nodes.map((a) => ({ id: rawId(a.id), action: a.action, actor: a.actor?.id ?? null })),
        ).toEqual(planAudit.map((a) => ({ id: a.id, action: a.action.toUpperCase(), actor: a.actor_id })));
        for (const entry of plan.auditLog.nodes) expect(entry.plan && rawId(entry.plan.id)).toBe(planId);
        expect(rawIds(plan.artifacts.nodes)).toEqual(ids(artifacts.filter((a) => a.plan_id === planId)));
        expect(plan.artifacts.totalCount).toBe(plan.artifacts.nodes.length);
        expect(rawIds(plan.skillExecutions.nodes)).toEqual(ids(executions.filter((e) => e.plan_id === planId)));
        expect(plan.skillExecutions.totalCount).toBe(plan.skillExecutions.nodes.length);
        expect(rawIds(plan.outputs.nodes)).toEqual(ids(outputs.filter((o) => o.plan_id === planId)));
        expect(plan.outputs.totalCount).toBe(plan.outputs.nodes.length);
      }
    });

    it("a nested connection pages by each request's own arguments: one document, other variables, then by cursor", async () => {
      const steps = await owner<{ plan_id: string; id: string }>(
        sql`select plan_id, id from plan_step where organization_id = ${acme} order by plan_id, position`,
      );
      const stepsOf = groupBy(steps, (step) => step.plan_id);
      type StepPage = Page<WithId> & { pageInfo: PageInfo };
      const document = `query ($n: Int!, $after: String) { researchPlans(first: 6) { nodes { id
        steps(first: $n, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } } }`;
      const pages = async (n: number, after: string | null = null) =>
        dataOf(await run<{ researchPlans: Page<WithId & { steps: StepPage }> }>(document, { n, after })).researchPlans
          .nodes;
      for (const n of [1, 3, 2]) {
        const plans = await pages(n);
        expect(plans.some((plan) => (stepsOf.get(rawId(plan.id))?.length ?? 0) > n)).toBe(true);
        for (const plan of plans) {
          const expected = (stepsOf.get(rawId(plan.id)) ?? []).map((step) => step.id);
          expect(rawIds(plan.steps.nodes)).toEqual(expected.slice(0, n));
          expect(plan.steps.pageInfo.hasNextPage).toBe(expected.length > n);
        }
      }
      // The second page of the first plan that has one: the cursor of the first page, the same document.
      const first = (await pages(2)).find((plan) => plan.steps.pageInfo.hasNextPage);
      if (!first) throw new Error("the demo data has no plan with more than two steps");
      const second = (await pages(2, first.steps.pageInfo.endCursor)).find((plan) => plan.id === first.id);
      const expected = (stepsOf.get(rawId(first.id)) ?? []).map((step) => step.id);
      expect(rawIds(second?.steps.nodes ?? [])).toEqual(expected.slice(2, 4));
    });

    it("researchPlans filters: status in, authorId eq, title contains (case-insensitive, wildcards literal)", async () => {
      const all = await owner<{ id: string; title: string; status: string; author_id: string }>(
        sql`select id, title, status::text, author_id from research_plan
            where organization_id = ${acme} order by created_at desc, id desc`,
      );
      const cases: { filter: Record<string, unknown>; keep: (row: (typeof all)[number]) => boolean }[] = [
        {
          filter: { status: { in: ["COMPLETED", "FAILED"] } },
          keep: (r) => ["completed", "failed"].includes(r.status),
        },
        { filter: { status: { in: ["DRAFT"] } }, keep: (r) => r.status === "draft" },
        { filter: { authorId: { eq: bob } }, keep: (r) => r.author_id === bob },
        { filter: { authorId: { eq: alice } }, keep: (r) => r.author_id === alice },
        { filter: { title: { contains: "BATTERY" } }, keep: (r) => r.title.toLowerCase().includes("battery") },
        { filter: { title: { contains: "0% S" } }, keep: (r) => r.title.toLowerCase().includes("0% s") },
        { filter: { title: { contains: "%" } }, keep: (r) => r.title.includes("%") },
        { filter: { title: { contains: "_" } }, keep: (r) => r.title.includes("_") },
        {
          filter: { status: { in: ["DRAFT"] }, authorId: { eq: bob } },
          keep: (r) => r.status === "draft" && r.author_id === bob,
        },
        { filter: { status: { in: ["COMPLETED"] }, authorId: { eq: bob } }, keep: () => false },
      ];
      for (const { filter, keep } of cases) {
        const data = dataOf(
          await run<{ researchPlans: Page<WithId> }>(
            "query ($filter: ResearchPlanFilter) { researchPlans(first: 100, filter: $filter) { totalCount nodes { id } } }",
            { filter },
          ),
        );
        const expected = all.filter(keep).map((r) => r.id);
        expect(rawIds(data.researchPlans.nodes), JSON.stringify(filter)).toEqual(expected);
        expect(data.researchPlans.totalCount, JSON.stringify(filter)).toBe(expected.length);
      }
      // The cases above are not vacuous.
      expect(all.filter((r) => r.author_id === bob)).toHaveLength(2);
      expect(all.filter((r) => r.title.toLowerCase().includes("battery")).length).toBeGreaterThan(0);
    });

    const orderings = [
      { field: "CREATED_AT", column: "created_at" },
      { field: "UPDATED_AT", column: "updated_at" },
      { field: "TITLE", column: "title" },
    ] as const;
    const directions = ["ASC", "DESC"] as const;
    const pageSize = 4;
    const pageQuery = `query ($orderBy: ResearchPlanOrder, $first: Int, $after: String, $last: Int, $before: String) {
      researchPlans(orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    interface PageData {
      researchPlans: { edges: { cursor: string; node: WithId }[]; pageInfo: PageInfo };
    }

    // Every ordering with the token; the sessions, whose principal is all that differs, page one of them.
    const orderingCases = orderings
      .flatMap((o) => directions.map((direction) => ({ ...o, direction })))
      .filter((o) => caller.kind === "token" || (o.field === "TITLE" && o.direction === "ASC"));

    it.each(orderingCases)(
      "researchPlans ordered by $field $direction: every page forward and backward, each row once, in order",
      async ({ field, column, direction }) => {
        const dir = sql.raw(direction);
        const expected = (
          await owner<WithId>(
            sql`select id from research_plan where organization_id = ${acme}
              order by ${sql.raw(column)} ${dir}, id ${dir}`,
          )
        ).map((r) => r.id);
        expect(expected.length).toBeGreaterThan(pageSize * 2);
        const orderBy = { field, direction };

        const whole = dataOf(await run<PageData>(pageQuery, { orderBy, first: 100 }));
        expect(rawIds(whole.researchPlans.edges.map((e) => e.node))).toEqual(expected);

        const forward: string[] = [];
        let after: string | null = null;
        for (let page = 0; page < 20; page++) {
          const data: PageData = dataOf(await run<PageData>(pageQuery, { orderBy, first: pageSize, after }));
          const { edges, pageInfo } = data.researchPlans;
          expect(edges.length).toBeLessThanOrEqual(pageSize);
          expect(pageInfo.hasPreviousPage).toBe(after !== null);
          forward.push(...rawIds(edges.map((e) => e.node)));
          expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
          if (!pageInfo.hasNextPage) break;
          expect(edges).toHaveLength(pageSize);
          after = pageInfo.endCursor;
        }
        expect(forward).toEqual(expected);

        const backward: string[] = [];
        let before: string | null = null;
        for (let page = 0; page < 20; page++) {
          const data: PageData = dataOf(await run<PageData>(pageQuery, { orderBy, last: pageSize, before }));
          const { edges, pageInfo } = data.researchPlans;
          expect(edges.length).toBeLessThanOrEqual(pageSize);
          backward.unshift(...rawIds(edges.map((e) => e.node)));
          if (!pageInfo.hasPreviousPage) break;
          expect(edges).toHaveLength(pageSize);
          before = pageInfo.startCursor;
        }
        expect(backward).toEqual(expected);
      },
    );

    it("researchPlans ordered without a direction: TITLE A to Z, the dates newest first", async () => {
      for (const { field, column } of orderings) {
        const direction = field === "TITLE" ? "asc" : "desc";
        const expected = (
          await owner<WithId>(
            sql`select id from research_plan where organization_id = ${acme}
              order by ${sql.raw(column)} ${sql.raw(direction)}, id ${sql.raw(direction)} limit 10`,
          )
        ).map((r) => r.id);
        const data = dataOf(await run<PageData>(pageQuery, { orderBy: { field }, first: 10 }));
        expect(rawIds(data.researchPlans.edges.map((e) => e.node)), field).toEqual(expected);
      }
    });

    it("researchPlan(id), node(id) and nodes(ids) answer rows of every node type", async () => {
      const [plan] = await owner<{ id: string; title: string; steps: number }>(
        sql`select p.id, p.title, (select count(*)::int from plan_step s where s.plan_id = p.id) as steps
            from research_plan p where p.organization_id = ${acme} order by p.id limit 1`,
      );
      if (!plan) throw new Error("no plan");
      interface One {
        researchPlan: { id: string; title: string; steps: { totalCount: number } } | null;
        node: { __typename: string; id: string; title?: string } | null;
      }
      const one = dataOf(
        await run<One>(
          `query ($id: ID!) {
            researchPlan(id: $id) { id title steps(first: 1) { totalCount } }
            node(id: $id) { __typename id ... on ResearchPlan { title } }
          }`,
          { id: globalId("ResearchPlan", plan.id) },
        ),
      );
      expect(one.researchPlan).toEqual({
        id: globalId("ResearchPlan", plan.id),
        title: plan.title,
        steps: { totalCount: plan.steps },
      });
      expect(one.node).toEqual({
        __typename: "ResearchPlan",
        id: globalId("ResearchPlan", plan.id),
        title: plan.title,
      });

      // One row of every node type, as the owner sees it.
      const rows = await owner<{ type: string; id: string }>(sql`
        select 'ResearchPlan' as type, min(id) as id from research_plan where organization_id = ${acme}
        union all select 'PlanStep', min(id) from plan_step where organization_id = ${acme}
        union all select 'PlanBranchingCondition', min(id) from plan_branching_condition where organization_id = ${acme}
        union all select 'PlanAuditEntry', min(id) from plan_audit_log where organization_id = ${acme}
        union all select 'ResearchArtifact', min(id) from research_artifact where organization_id = ${acme}
        union all select 'ExtractionResult', min(id) from extraction_result where organization_id = ${acme}
        union all select 'DocumentChunk', min(id) from document_chunk where organization_id = ${acme}
        union all select 'SkillExecution', min(id) from skill_execution where organization_id = ${acme}
        union all select 'McpToolCall', min(id) from mcp_tool_call_log where organization_id = ${acme}
        union all select 'ResearchOutput', min(id) from research_output where organization_id = ${acme}
        union all select 'ResearchFeedback', min(id) from research_feedback where organization_id = ${acme}
        union all select 'AiBatch', min(id) from ai_batch where organization_id = ${acme}
        union all select 'AiUsage', min(id) from ai_usage where organization_id = ${acme}
        union all select 'AiModel', min(id) from ai_model
        union all select 'Member', min(id) from member where organization_id = ${acme}`);
      for (const row of rows) expect(row.id, row.type).toBeTruthy();
      const ids = rows.map((row) => globalId(row.type, row.id));
      const many = dataOf(
        await run<{ nodes: ({ __typename: string; id: string } | null)[] }>(
          "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
          { ids },
        ),
      );
      expect(many.nodes).toEqual(rows.map((row) => ({ __typename: row.type, id: globalId(row.type, row.id) })));
    });

    it("researchArtifacts with chunks (embedding only when asked) and extraction results", async () => {
      interface Artifact {
        id: string;
        kind: string;
        title: string;
        sourceUri: string | null;
        byteSize: number | null;
        metadata: { language: string | null; tags: string[] | null };
        plan: WithId;
        step: WithId | null;
        chunks: Page<{
          id: string;
          chunkIndex: number;
          content: string;
          tokenCount: number;
          heading: string | null;
          artifact: WithId;
        }>;
        extractionResults: Page<{
          id: string;
          confidence: number | null;
          values: unknown;
          extractionSchema: { name: string; fields: { name: string; type: string }[] };
          artifact: WithId;
        }>;
      }
      const { researchArtifacts } = dataOf(
        await run<{ researchArtifacts: Page<Artifact> }>(`{ researchArtifacts(first: 30) {
          totalCount
          nodes {
            id kind title sourceUri byteSize metadata { language tags } plan { id } step { id }
            chunks(first: 10) { totalCount nodes { id chunkIndex content tokenCount heading artifact { id } } }
            extractionResults(first: 5) { nodes { id confidence values extractionSchema { name fields { name type } } artifact { id } } }
          }
        } }`),
      );
      const artifacts = await owner<{
        id: string;
        kind: string;
        title: string;
        source_uri: string | null;
        byte_size: number | null;
        plan_id: string;
        step_id: string | null;
        tags: string[] | null;
      }>(sql`select id, kind::text, title, source_uri, byte_size, plan_id, step_id,
              (select array_agg(t order by o) from jsonb_array_elements_text(metadata->'tags') with ordinality as x(t, o)) as tags
            from research_artifact where organization_id = ${acme} order by created_at desc, id desc`);
      expect(artifacts.length).toBeGreaterThan(0);
      expect(researchArtifacts.totalCount).toBe(artifacts.length);
      expect(
        researchArtifacts.nodes.map((a) => ({
          id: rawId(a.id),
          kind: a.kind,
          title: a.title,
          sourceUri: a.sourceUri,
          byteSize: a.byteSize,
          plan: rawId(a.plan.id),
          step: a.step ? rawId(a.step.id) : null,
          tags: a.metadata.tags,
        })),
      ).toEqual(
        artifacts.map((a) => ({
          id: a.id,
          kind: a.kind.toUpperCase(),
          title: a.title,
          sourceUri: a.source_uri,
          byteSize: a.byte_size,
          plan: a.plan_id,
          step: a.step_id,
          tags: a.tags,
        })),
      );

      const chunks = await owner<{
        id: string;
        artifact_id: string;
        chunk_index: number;
        content: string;
        token_count: number;
        heading: string | null;
      }>(
        sql`select id, artifact_id, chunk_index, content, token_count, metadata->>'heading' as heading
            from document_chunk where organization_id = ${acme} order by chunk_index, id`,
      );
      const extractions = await owner<{ id: string; artifact_id: string; name: string }>(
        sql`select id, artifact_id, extraction_schema->>'name' as name from extraction_result
            where organization_id = ${acme} order by created_at, id`,
      );
      expect(chunks.length).toBeGreaterThan(0);
      const chunksByArtifact = groupBy(chunks, (c) => c.artifact_id);
      for (const artifact of researchArtifacts.nodes) {
        const id = rawId(artifact.id);
        const expected = chunksByArtifact.get(id) ?? [];
        expect(artifact.chunks.totalCount).toBe(expected.length);
        expect(
          artifact.chunks.nodes.map((c) => ({
            id: rawId(c.id),
            index: c.chunkIndex,
            content: c.content,
            tokens: c.tokenCount,
            heading: c.heading,
            artifact: rawId(c.artifact.id),
          })),
        ).toEqual(
          expected.map((c) => ({
            id: c.id,
            index: c.chunk_index,
            content: c.content,
            tokens: c.token_count,
            heading: c.heading,
            artifact: id,
          })),
        );
        expect(
          artifact.extractionResults.nodes.map((e) => ({
            id: rawId(e.id),
            name: e.extractionSchema.name,
            artifact: rawId(e.artifact.id),
          })),
        ).toEqual(
          extractions.filter((e) => e.artifact_id === id).map((e) => ({ id: e.id, name: e.name, artifact: id })),
        );
      }

      // The embedding is read when asked for, and it is the stored one.
      const chunk = chunks[0];
      if (!chunk) throw new Error("no chunk");
      const [stored] = await owner<{ embedding: string }>(
        sql`select embedding::text as embedding from document_chunk where id = ${chunk.id}`,
      );
      const storedValues = JSON.parse(stored?.embedding ?? "[]") as number[];
      const asked = dataOf(
        await run<{ node: { embedding: number[] } }>(
          "query ($id: ID!) { node(id: $id) { ... on DocumentChunk { embedding } } }",
          {
            id: globalId("DocumentChunk", chunk.id),
          },
        ),
      );
      expect(asked.node.embedding).toHaveLength(1536);
      expect(storedValues).toHaveLength(1536);
      asked.node.embedding.forEach((value, i) => {
        expect(value).toBeCloseTo(storedValues[i] ?? Number.NaN, 3);
      });
    });

    it("researchOutputs with their feedback, and researchFeedback", async () => {
      interface Output {
        id: string;
        title: string;
        format: string;
        content: string;
        resultSummary: { headline: string; keyFindings: string[] };
        plan: WithId;
        feedback: Page<{ id: string; rating: number; author: { id: string }; output: WithId }>;
      }
      interface Feedback {
        id: string;
        rating: number;
        comment: string | null;
        author: { id: string; name: string };
        output: { id: string; title: string };
      }
      const data = dataOf(
        await run<{ researchOutputs: Page<Output>; researchFeedback: Page<Feedback> }>(`{
          researchOutputs(first: 50) { totalCount nodes {
            id title format content resultSummary { headline keyFindings } plan { id }
            feedback(first: 10) { totalCount nodes { id rating author { id: databaseId } output { id } } }
          } }
          researchFeedback(first: 100) { totalCount nodes { id rating comment author { id: databaseId name } output { id title } } }
        }`),
      );
      const outputs = await owner<{
        id: string;
        title: string;
        format: string;
        content: string;
        headline: string;
        plan_id: string;
      }>(
        sql`select id, title, format::text, content, result_summary->>'headline' as headline, plan_id
            from research_output where organization_id = ${acme} order by created_at desc, id desc`,
      );
      const feedback = await owner<{
        id: string;
        rating: number;
        comment: string | null;
        author_id: string;
        author_name: string;
        output_id: string;
        output_title: string;
      }>(sql`select f.id, f.rating, f.comment, f.author_id, u.name as author_name, f.output_id, o.title as output_title
            from research_feedback f join "user" u on u.id = f.author_id join research_output o on o.id = f.output_id
            where f.organization_id = ${acme} order by f.created_at desc, f.id desc`);
      expect(outputs.length).toBeGreaterThan(0);
      expect(feedback.length).toBeGreaterThan(0);
      expect(data.researchOutputs.totalCount).toBe(outputs.length);
      expect(
        data.researchOutputs.nodes.map((o) => ({
          id: rawId(o.id),
          title: o.title,
          format: o.format,
          content: o.content,
          headline: o.resultSummary.headline,
          plan: rawId(o.plan.id),
          feedback: rawIds(o.feedback.nodes),
          feedbackCount: o.feedback.totalCount,
        })),
      ).toEqual(
        outputs.map((o) => {
          const own = feedback.filter((f) => f.output_id === o.id).map((f) => f.id);
          return {
            id: o.id,
            title: o.title,
            format: o.format.toUpperCase(),
            content: o.content,
            headline: o.headline,
            plan: o.plan_id,
            feedback: own,
            feedbackCount: own.length,
          };
        }),
      );
      expect(data.researchFeedback.totalCount).toBe(feedback.length);
      expect(
        data.researchFeedback.nodes.map((f) => ({
          id: rawId(f.id),
          rating: f.rating,
          comment: f.comment,
          author: f.author,
          output: { id: rawId(f.output.id), title: f.output.title },
        })),
      ).toEqual(
        feedback.map((f) => ({
          id: f.id,
          rating: f.rating,
          comment: f.comment,
          author: { id: f.author_id, name: f.author_name },
          output: { id: f.output_id, title: f.output_title },
        })),
      );
    });

    it("skillExecutions with their tool calls, and mcpToolCalls", async () => {
      interface Execution {
        id: string;
        skillName: string;
        status: string;
        input: unknown;
        output: unknown;
        errorMessage: string | null;
        plan: WithId;
        step: WithId | null;
        toolCalls: Page<{ id: string; toolName: string }>;
      }
      interface Call {
        id: string;
        serverName: string;
        toolName: string;
        status: string;
        durationMs: number | null;
        metadata: { arguments: unknown; resultPreview: string | null; transport: string | null };
        skillExecution: WithId;
      }
      const data = dataOf(
        await run<{ skillExecutions: Page<Execution>; mcpToolCalls: Page<Call> }>(`{
          skillExecutions(first: 50) { totalCount nodes {
            id skillName status input output errorMessage plan { id } step { id }
            toolCalls(first: 10) { totalCount nodes { id toolName } }
          } }
          mcpToolCalls(first: 100) { totalCount nodes {
            id serverName toolName status durationMs metadata { arguments resultPreview transport } skillExecution { id }
          } }
        }`),
      );
      const executions = await owner<{
        id: string;
        skill_name: string;
        status: string;
        input: unknown;
        output: unknown;
        error_message: string | null;
        plan_id: string;
        step_id: string | null;
      }>(sql`select id, skill_name, status::text, input, output, error_message, plan_id, step_id from skill_execution
            where organization_id = ${acme} order by started_at desc, id desc`);
      const calls = await owner<{
        id: string;
        server_name: string;
        tool_name: string;
        status: string;
        duration_ms: number | null;
        arguments: unknown;
        result_preview: string | null;
        transport: string | null;
        skill_execution_id: string;
      }>(sql`select id, server_name, tool_name, status::text, duration_ms, metadata->'arguments' as arguments,
              metadata->>'resultPreview' as result_preview, metadata->>'transport' as transport, skill_execution_id
            from mcp_tool_call_log where organization_id = ${acme} order by created_at desc, id desc`);
      expect(executions.length).toBeGreaterThan(0);
      expect(calls.length).toBeGreaterThan(executions.length);
      const callsAscending = await owner<{ id: string; skill_execution_id: string }>(
        sql`select id, skill_execution_id from mcp_tool_call_log where organization_id = ${acme} order by created_at, id`,
      );
      expect(data.skillExecutions.totalCount).toBe(executions.length);
      expect(
        data.skillExecutions.nodes.map((e) => ({
          id: rawId(e.id),
          skill: e.skillName,
          status: e.status,
          input: e.input,
          output: e.output,
          error: e.errorMessage,
          plan: rawId(e.plan.id),
          step: e.step ? rawId(e.step.id) : null,
          calls: rawIds(e.toolCalls.nodes),
          callCount: e.toolCalls.totalCount,
        })),
      ).toEqual(
        executions.map((e) => {
          const own = callsAscending.filter((c) => c.skill_execution_id === e.id).map((c) => c.id);
          return {
            id: e.id,
            skill: e.skill_name,
            status: e.status.toUpperCase(),
            input: e.input,
            output: e.output,
            error: e.error_message,
            plan: e.plan_id,
            step: e.step_id,
            calls: own,
            callCount: own.length,
          };
        }),
      );
      expect(data.mcpToolCalls.totalCount).toBe(calls.length);
      expect(
        data.mcpToolCalls.nodes.map((c) => ({
          id: rawId(c.id),
          server: c.serverName,
          tool: c.toolName,
          status: c.status,
          duration: c.durationMs,
          arguments: c.metadata.arguments,
          preview: c.metadata.resultPreview,
          transport: c.metadata.transport,
          execution: rawId(c.skillExecution.id),
        })),
      ).toEqual(
        calls.map((c) => ({
          id: c.id,
          server: c.server_name,
          tool: c.tool_name,
          status: c.status.toUpperCase(),
          duration: c.duration_ms,
          arguments: c.arguments,
          preview: c.result_preview,
          transport: c.transport,
          execution: c.skill_execution_id,
        })),
      );
    });

    it("aiModels with the pricing valid now and the pricing history", async () => {
      interface Model {
        id: string;
        provider: string;
        name: string;
        kind: string;
        contextWindow: number;
        currentPricing: { inputPricePerToken: number; outputPricePerToken: number; validFrom: string } | null;
        pricingHistory: { validFrom: string }[];
      }
      const { aiModels } = dataOf(
        await run<{ aiModels: Model[] }>(`{ aiModels {
          id provider name kind contextWindow
          currentPricing { inputPricePerToken outputPricePerToken validFrom }
          pricingHistory { validFrom }
        } }`),
      );
      const models = await owner<{ id: string; provider: string; name: string; kind: string; context_window: number }>(
        sql`select id, provider, name, kind::text, context_window from ai_model order by provider, name`,
      );
      const prices = await owner<{
        model_id: string;
        input: number;
        output: number;
        from_ms: number;
        to_ms: number | null;
      }>(
        sql`select model_id, input_price_per_token::float8 as input, output_price_per_token::float8 as output,
              ${epochMs(sql`valid_from`)} as from_ms, ${epochMs(sql`valid_to`)} as to_ms
            from ai_model_pricing order by valid_from desc`,
      );
      const now = Date.now();
      expect(models.length).toBeGreaterThan(1);
      expect(
        aiModels.map((m) => ({
          id: rawId(m.id),
          provider: m.provider,
          name: m.name,
          kind: m.kind,
          contextWindow: m.contextWindow,
          current: m.currentPricing && {
            input: m.currentPricing.inputPricePerToken,
            output: m.currentPricing.outputPricePerToken,
            from: new Date(m.currentPricing.validFrom).getTime(),
          },
          history: m.pricingHistory.map((p) => new Date(p.validFrom).getTime()),
        })),
      ).toEqual(
        models.map((m) => {
          const own = prices.filter((p) => p.model_id === m.id);
          const current = own.find((p) => p.from_ms <= now && (p.to_ms === null || p.to_ms > now));
          return {
            id: m.id,
            provider: m.provider,
            name: m.name,
            kind: m.kind.toUpperCase(),
            contextWindow: m.context_window,
            current: current ? { input: current.input, output: current.output, from: current.from_ms } : null,
            history: own.map((p) => p.from_ms),
          };
        }),
      );
      // The seed gives one model a price that has ended: "current" really picks.
      expect(prices.some((p) => p.to_ms !== null && p.to_ms <= now)).toBe(true);
    });

    it("aiUsage: every call with its relations, and a [from, to) window", async () => {
      interface Usage {
        id: string;
        inputTokens: number;
        outputTokens: number;
        costUsd: number;
        occurredAt: string;
        model: WithId;
        user: { id: string } | null;
        plan: WithId | null;
        step: WithId | null;
        batch: { id: string; status: string; model: WithId; plan: WithId | null; usage: { totalCount: number } } | null;
        callDetails: {
          temperature: number | null;
          maxTokens: number | null;
          finishReason: string | null;
          toolNames: string[] | null;
          latencyMs: number | null;
        } | null;
      }
      const query = `query ($from: DateTime, $to: DateTime) { aiUsage(first: 100, from: $from, to: $to) {
        totalCount
        nodes {
          id inputTokens outputTokens costUsd occurredAt
          model { id } user { id: databaseId } plan { id } step { id }
          batch { id status model { id } plan { id } usage(first: 1) { totalCount } }
          callDetails { temperature maxTokens finishReason toolNames latencyMs }
        }
      } }`;
      const rows = await owner<{
        id: string;
        input_tokens: number;
        output_tokens: number;
        cost: number;
        occurred_ms: number;
        model_id: string;
        user_id: string | null;
        plan_id: string | null;
        step_id: string | null;
        batch_id: string | null;
        batch_usage: number | null;
        temperature: number | null;
        latency_ms: number | null;
      }>(sql`select u.id, u.input_tokens, u.output_tokens, u.cost_usd::float8 as cost, ${epochMs(sql`u.occurred_at`)} as occurred_ms,
              u.model_id, u.user_id, u.plan_id, u.step_id, u.batch_id,
              (select count(*)::int from ai_usage b where b.batch_id = u.batch_id) as batch_usage,
              (d.request_metadata->>'temperature')::float8 as temperature, d.latency_ms
            from ai_usage u left join ai_call_details d on d.usage_id = u.id
            where u.organization_id = ${acme} order by u.occurred_at desc, u.id desc`);
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.length).toBeLessThanOrEqual(100);
      const shape = (u: Usage) => ({
        id: rawId(u.id),
        input: u.inputTokens,
        output: u.outputTokens,
        cost: u.costUsd,
        occurred: new Date(u.occurredAt).getTime(),
        model: rawId(u.model.id),
        user: u.user?.id ?? null,
        plan: u.plan ? rawId(u.plan.id) : null,
        step: u.step ? rawId(u.step.id) : null,
        batch: u.batch ? rawId(u.batch.id) : null,
        batchUsage: u.batch?.usage.totalCount ?? null,
        temperature: u.callDetails?.temperature ?? null,
        latency: u.callDetails?.latencyMs ?? null,
      });
      const expected = rows.map((r) => ({
        id: r.id,
        input: r.input_tokens,
        output: r.output_tokens,
        cost: r.cost,
        occurred: r.occurred_ms,
        model: r.model_id,
        user: r.user_id,
        plan: r.plan_id,
        step: r.step_id,
        batch: r.batch_id,
        batchUsage: r.batch_id ? r.batch_usage : null,
        temperature: r.temperature,
        latency: r.latency_ms,
      }));
      const all = dataOf(await run<{ aiUsage: Page<Usage> }>(query));
      expect(all.aiUsage.totalCount).toBe(rows.length);
      expect(all.aiUsage.nodes.map(shape)).toEqual(expected);
      expect(expected.some((u) => u.batch !== null)).toBe(true);

      // [from, to): the row at `from` is in, the row at `to` is out.
      const ascending = [...rows].sort((a, b) => a.occurred_ms - b.occurred_ms || (a.id < b.id ? -1 : 1));
      const from = ascending[3]?.occurred_ms ?? 0;
      const to = ascending[ascending.length - 4]?.occurred_ms ?? 0;
      const windowed = dataOf(
        await run<{ aiUsage: Page<Usage> }>(query, {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        }),
      );
      const inWindow = expected.filter((u) => u.occurred >= from && u.occurred < to);
      expect(inWindow.length).toBeGreaterThan(0);
      expect(inWindow.length).toBeLessThan(expected.length);
      expect(windowed.aiUsage.nodes.map(shape)).toEqual(inWindow);
      expect(windowed.aiUsage.totalCount).toBe(inWindow.length);
    });

    it("aiUsageSummary equals the owner's per-model, per-UTC-day totals of the same rows", async () => {
      interface Aggregate {
        day: string;
        model: { id: string; name: string };
        calls: number;
        inputTokens: number;
        outputTokens: number;
        costUsd: number;
      }
      const rows = await owner<{
        model_id: string;
        name: string;
        occurred_ms: number;
        input: number;
        output: number;
        cost: number;
      }>(
        sql`select u.model_id, m.name, ${epochMs(sql`u.occurred_at`)} as occurred_ms, u.input_tokens as input,
              u.output_tokens as output, u.cost_usd::float8 as cost
            from ai_usage u join ai_model m on m.id = u.model_id where u.organization_id = ${acme}`,
      );
      const times = rows.map((r) => r.occurred_ms).sort((a, b) => a - b);
      const ranges = [
        { from: "2026-01-01T00:00:00.000Z", to: "2026-12-31T00:00:00.000Z" },
        // Cuts through the data: a day boundary inside, some rows outside on either side.
        { from: new Date(times[5] ?? 0).toISOString(), to: new Date(times[times.length - 5] ?? 0).toISOString() },
      ];
      for (const range of ranges) {
        const { aiUsageSummary } = dataOf(
          await run<{ aiUsageSummary: Aggregate[] }>(
            `query ($from: DateTime!, $to: DateTime!) { aiUsageSummary(from: $from, to: $to) {
              day model { id name } calls inputTokens outputTokens costUsd
            } }`,
            range,
          ),
        );
        const from = Date.parse(range.from);
        const to = Date.parse(range.to);
        const totals = new Map<
          string,
          { day: string; model: string; name: string; calls: number; input: number; output: number; cost: number }
        >();
        for (const row of rows) {
          if (row.occurred_ms < from || row.occurred_ms >= to) continue;
          const day = new Date(row.occurred_ms).toISOString().slice(0, 10);
          const key = `${day} ${row.model_id}`;
          const total = totals.get(key) ?? {
            day,
            model: row.model_id,
            name: row.name,
            calls: 0,
            input: 0,
            output: 0,
            cost: 0,
          };
          total.calls += 1;
          total.input += row.input;
          total.output += row.output;
          total.cost += row.cost;
          totals.set(key, total);
        }
        const expected = [...totals.values()].sort((a, b) =>
          a.day === b.day ? (a.model < b.model ? -1 : 1) : a.day < b.day ? -1 : 1,
        );
        expect(expected.length).toBeGreaterThan(1);
        expect(
          aiUsageSummary.map((a) => ({
            day: a.day,
            model: rawId(a.model.id),
            name: a.model.name,
            calls: a.calls,
            input: a.inputTokens,
            output: a.outputTokens,
          })),
        ).toEqual(expected.map(({ cost: _cost, ...rest }) => rest));
        aiUsageSummary.forEach((a, i) => {
          expect(a.costUsd).toBeCloseTo(expected[i]?.cost ?? Number.NaN, 9);
        });
      }
    });

    it("personalAccessTokens: the caller's tokens, metadata only", async () => {
      interface Token {
        id: string;
        name: string;
        tokenPrefix: string;
        scopes: string[];
        expiresAt: string | null;
        revokedAt: string | null;
        lastUsedAt: string | null;
        createdAt: string;
      }
      const { personalAccessTokens } = dataOf(
        await run<{ personalAccessTokens: Token[] }>(
          "{ personalAccessTokens { id name tokenPrefix scopes expiresAt revokedAt lastUsedAt createdAt } }",
        ),
      );
      const tokens = await owner<{ id: string; name: string; token_prefix: string; scopes: string[]; used: boolean }>(
        sql`select id, name, token_prefix, scopes, last_used_at is not null as used from personal_access_token
            where user_id = ${alice} order by created_at desc, id desc`,
      );
      expect(tokens.length).toBeGreaterThan(0);
      expect(
        personalAccessTokens.map((t) => ({
          id: rawId(t.id),
          name: t.name,
          prefix: t.tokenPrefix,
          scopes: t.scopes,
          used: t.lastUsedAt !== null,
        })),
      ).toEqual(
        tokens.map((t) => ({ id: t.id, name: t.name, prefix: t.token_prefix, scopes: t.scopes, used: t.used })),
      );
      expect(DEMO_TOKEN.startsWith(personalAccessTokens[0]?.tokenPrefix ?? "-")).toBe(true);
      if (caller.kind === "token") expect(personalAccessTokens[0]?.lastUsedAt).not.toBeNull();
    });
  });
});
