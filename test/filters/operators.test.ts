import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { filterLimits } from "../../src/schema-builder/connection-filters.js";
import { acme, dataOf, globex, type Page, rawIds, type WithId } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, errorCodes, globalId, type TestGateway } from "../support/gateway.js";

// The generated `filter` and `orderBy` arguments (src/schema-builder/connection-*.ts), on the demo data plus a
// few rows made to tie, through the whole gateway on either backend. Expected rows are read as the owner
// (bypassing RLS) and filtered in JavaScript: every operator against real rows, and as one tenant with values
// only another tenant has, which must never bring that tenant's rows back.

let gw: TestGateway;
const bob = demoUsers.bob.id;
const carol = "demo-user-carol";

interface PlanRow {
  id: string;
  title: string;
  status: string;
  author_id: string;
  created_at: Date;
  updated_at: Date;
}
let acmePlans: PlanRow[];
let globexPlans: PlanRow[];

/** Three Acme plans that tie on title, created_at and updated_at: only the id tells them apart. */
const tieIds = ["filters-tie-a", "filters-tie-b", "filters-tie-c"];

beforeAll(async () => {
  gw = await createTestGateway();
  for (const id of tieIds) {
    await gw.db.asOwner(sql`insert into research_plan (id, organization_id, title, status, author_id, created_at, updated_at)
      values (${id}, ${acme}, 'Tied plan', 'draft', ${bob}, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')`);
  }
  // Demo organizations share plan topics: one title only Globex has.
  await gw.db.asOwner(sql`insert into research_plan (id, organization_id, title, status, author_id)
    values ('filters-globex-only', ${globex}, 'Only Globex has this title', 'running', ${carol})`);
  const plans = (org: string) =>
    gw.db.asOwner<PlanRow>(sql`select id, title, status::text, author_id, created_at, updated_at
      from research_plan where organization_id = ${org}`);
  acmePlans = (await plans(acme)).map(normalize);
  globexPlans = (await plans(globex)).map(normalize);
}, 60_000);
afterAll(() => gw?.cleanup());

function normalize(row: PlanRow): PlanRow {
  return { ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}

async function ask<T>(query: string, variables: Record<string, unknown> = {}, organizationId = acme) {
  return gw.graphql<T>({ query, variables }, demoPat, { organizationId });
}

const plansQuery = `query ($filter: ResearchPlanFilter, $orderBy: ResearchPlanOrder, $first: Int, $after: String) {
  researchPlans(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount nodes { id } pageInfo { hasNextPage endCursor }
  }
}`;

type PlansPage = { researchPlans: Page<WithId> & { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

async function planIds(filter: unknown, organizationId = acme): Promise<{ ids: string[]; totalCount: number }> {
  const data = dataOf(await ask<PlansPage>(plansQuery, { filter, first: 100 }, organizationId));
  return { ids: rawIds(data.researchPlans.nodes), totalCount: data.researchPlans.totalCount ?? -1 };
}

describe(`every operator on real rows (${backendName})`, () => {
  const defined = (row: PlanRow | undefined): PlanRow => {
    if (!row) throw new Error("the demo data has no Acme plans");
    return row;
  };
  const sample = () => defined(acmePlans.find((p) => !tieIds.includes(p.id)));
  const middle = () =>
    defined([...acmePlans].sort((a, b) => +a.created_at - +b.created_at)[Math.floor(acmePlans.length / 2)]);

  const cases: { name: string; filter: () => unknown; keep: (p: PlanRow) => boolean }[] = [
    { name: "ID eq", filter: () => ({ authorId: { eq: bob } }), keep: (p) => p.author_id === bob },
    { name: "ID ne", filter: () => ({ authorId: { ne: bob } }), keep: (p) => p.author_id !== bob },
    { name: "ID in", filter: () => ({ authorId: { in: [bob, carol] } }), keep: (p) => p.author_id === bob },
    { name: "ID notIn", filter: () => ({ authorId: { notIn: [bob] } }), keep: (p) => p.author_id !== bob },
    // What `User.id` answers (the global ID) or `User.databaseId`: both name the same row.
    {
      name: "ID eq by global ID",
      filter: () => ({ authorId: { eq: globalId("User", bob) } }),
      keep: (p) => p.author_id === bob,
    },
    {
      name: "ID in by global and database ids",
      filter: () => ({ authorId: { in: [globalId("User", carol), bob] } }),
      keep: (p) => p.author_id === bob || p.author_id === carol,
    },
    { name: "in: [] matches nothing", filter: () => ({ authorId: { in: [] } }), keep: () => false },
    { name: "notIn: [] matches everything", filter: () => ({ authorId: { notIn: [] } }), keep: () => true },
    { name: "text eq", filter: () => ({ title: { eq: sample().title } }), keep: (p) => p.title === sample().title },
    { name: "text ne", filter: () => ({ title: { ne: "Tied plan" } }), keep: (p) => p.title !== "Tied plan" },
    {
      name: "text in",
      filter: () => ({ title: { in: ["Tied plan", sample().title] } }),
      keep: (p) => ["Tied plan", sample().title].includes(p.title),
    },
    {
      name: "text startsWith (case-sensitive)",
      filter: () => ({ title: { startsWith: sample().title.slice(0, 4) } }),
      keep: (p) => p.title.startsWith(sample().title.slice(0, 4)),
    },
    { name: "startsWith, other case", filter: () => ({ title: { startsWith: "tIED" } }), keep: () => false },
    {
      name: "startsWith a wildcard",
      filter: () => ({ title: { startsWith: "%" } }),
      keep: (p) => p.title.startsWith("%"),
    },
    {
      name: "text contains (ignoring case)",
      filter: () => ({ title: { contains: "IED PL" } }),
      keep: (p) => p.title.toLowerCase().includes("ied pl"),
    },
    { name: "isNull: true on a required column", filter: () => ({ title: { isNull: true } }), keep: () => false },
    { name: "isNull: false", filter: () => ({ title: { isNull: false } }), keep: () => true },
    { name: "enum eq", filter: () => ({ status: { eq: "DRAFT" } }), keep: (p) => p.status === "draft" },
    { name: "enum ne", filter: () => ({ status: { ne: "DRAFT" } }), keep: (p) => p.status !== "draft" },
    {
      name: "enum in",
      filter: () => ({ status: { in: ["COMPLETED", "RUNNING"] } }),
      keep: (p) => ["completed", "running"].includes(p.status),
    },
    { name: "enum notIn", filter: () => ({ status: { notIn: ["DRAFT"] } }), keep: (p) => p.status !== "draft" },
    {
      name: "date gt",
      filter: () => ({ createdAt: { gt: middle().created_at.toISOString() } }),
      keep: (p) => p.created_at > middle().created_at,
    },
    {
      name: "date gte + lt",
      filter: () => ({ createdAt: { gte: middle().created_at.toISOString(), lt: "2026-12-31T00:00:00Z" } }),
      keep: (p) => p.created_at >= middle().created_at && p.created_at < new Date("2026-12-31T00:00:00Z"),
    },
    {
      name: "date lte",
      filter: () => ({ updatedAt: { lte: middle().updated_at.toISOString() } }),
      keep: (p) => p.updated_at <= middle().updated_at,
    },
    {
      name: "date eq",
      filter: () => ({ createdAt: { eq: "2026-03-01T00:00:00Z" } }),
      keep: (p) => tieIds.includes(p.id),
    },
    {
      name: "two columns (both hold)",
      filter: () => ({ status: { eq: "DRAFT" }, authorId: { eq: bob } }),
      keep: (p) => p.status === "draft" && p.author_id === bob,
    },
    {
      name: "and",
      filter: () => ({ and: [{ status: { eq: "DRAFT" } }, { title: { ne: "Tied plan" } }] }),
      keep: (p) => p.status === "draft" && p.title !== "Tied plan",
    },
    {
      name: "or",
      filter: () => ({ or: [{ status: { eq: "COMPLETED" } }, { title: { eq: "Tied plan" } }] }),
      keep: (p) => p.status === "completed" || p.title === "Tied plan",
    },
    { name: "or: [] matches nothing", filter: () => ({ or: [] }), keep: () => false },
    { name: "and: [] matches everything", filter: () => ({ and: [] }), keep: () => true },
    { name: "not", filter: () => ({ not: { status: { eq: "DRAFT" } } }), keep: (p) => p.status !== "draft" },
    {
      name: "not of or, nested",
      filter: () => ({ not: { or: [{ status: { eq: "DRAFT" } }, { authorId: { eq: bob } }] } }),
      keep: (p) => !(p.status === "draft" || p.author_id === bob),
    },
    { name: "null operators are absent", filter: () => ({ status: { eq: null }, title: null }), keep: () => true },
  ];

  it.each(cases)("$name", async ({ filter, keep }) => {
    const expected = acmePlans.filter(keep).map((p) => p.id);
    const { ids, totalCount } = await planIds(filter());
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(totalCount).toBe(expected.length);
  });

  it("the cases are not vacuous: most keep some rows and drop others", () => {
    const partial = cases.filter(({ keep }) => {
      const kept = acmePlans.filter(keep).length;
      return kept > 0 && kept < acmePlans.length;
    });
    expect(partial.length).toBeGreaterThan(cases.length / 2);
  });

  it("int comparisons and orderBy on a related connection (plan.steps)", async () => {
    const steps = await gw.db.asOwner<{ plan_id: string; position: number }>(
      sql`select plan_id, position from plan_step where organization_id = ${acme} order by plan_id, position`,
    );
    const planId = steps[0]?.plan_id ?? "";
    const positions = steps.filter((s) => s.plan_id === planId).map((s) => s.position);
    expect(positions.length).toBeGreaterThan(2);
    const query = `query ($id: ID!, $filter: PlanStepFilter, $orderBy: PlanStepOrder) {
      node(id: $id) { ... on ResearchPlan { steps(first: 50, filter: $filter, orderBy: $orderBy) { totalCount nodes { position } } } }
    }`;
    const id = Buffer.from(`ResearchPlan:${planId}`).toString("base64");
    type StepsData = { node: { steps: { totalCount: number; nodes: { position: number }[] } } };
    const all = dataOf(await ask<StepsData>(query, { id }));
    // The global id format is the plugin's: make sure it resolved before trusting the cases below.
    expect(all.node.steps.nodes.map((n) => n.position)).toEqual(positions);
    const cases: { filter: unknown; orderBy?: unknown; expected: number[] }[] = [
      { filter: { position: { gt: 1, lte: 3 } }, expected: positions.filter((p) => p > 1 && p <= 3) },
      { filter: { position: { in: [1, 3] } }, expected: [1, 3] },
      {
        filter: { position: { gte: 2 } },
        orderBy: { field: "POSITION", direction: "DESC" },
        expected: positions.filter((p) => p >= 2).reverse(),
      },
      { filter: { not: { position: { eq: 1 } } }, expected: positions.filter((p) => p !== 1) },
    ];
    for (const { filter, orderBy, expected } of cases) {
      const data = dataOf(await ask<StepsData>(query, { id, filter, orderBy }));
      expect(
        data.node.steps.nodes.map((n) => n.position),
        JSON.stringify(filter),
      ).toEqual(expected);
      expect(data.node.steps.totalCount, JSON.stringify(filter)).toBe(expected.length);
    }
  });

  it("isNull on a nullable column and an ID filter on another root connection (skillExecutions.stepId)", async () => {
    const rows = await gw.db.asOwner<{ id: string; step_id: string | null }>(
      sql`select id, step_id from skill_execution where organization_id = ${acme}`,
    );
    const query = `query ($filter: SkillExecutionFilter) { skillExecutions(first: 100, filter: $filter) { totalCount nodes { id } } }`;
    type Data = { skillExecutions: Page<WithId> };
    for (const [filter, keep] of [
      [{ stepId: { isNull: true } }, (r: (typeof rows)[number]) => r.step_id === null],
      [{ stepId: { isNull: false } }, (r: (typeof rows)[number]) => r.step_id !== null],
    ] as const) {
      const data = dataOf(await ask<Data>(query, { filter }));
      expect(rawIds(data.skillExecutions.nodes).sort()).toEqual(
        rows
          .filter(keep)
          .map((r) => r.id)
          .sort(),
      );
    }
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe(`the model list's filter and ordering (${backendName})`, () => {
  type ModelRow = { provider: string; name: string; kind: string; is_active: boolean; context_window: number };
  type Models = { aiModels: { provider: string; name: string; contextWindow: number }[] };
  const modelsQuery = `query ($filter: AiModelFilter, $orderBy: AiModelOrder) {
    aiModels(filter: $filter, orderBy: $orderBy) { provider name contextWindow }
  }`;
  const key = (m: { provider: string; name: string }) => `${m.provider}/${m.name}`;

  it("filters like a connection, and orders by provider and name unless told otherwise", async () => {
    const rows = await gw.db.asOwner<ModelRow>(
      sql`select provider, name, kind::text, is_active, context_window from ai_model`,
    );
    expect(rows.length).toBeGreaterThan(1);
    const provider = rows[0]?.provider ?? "";
    const byProvider = dataOf(await ask<Models>(modelsQuery, { filter: { provider: { eq: provider } } }));
    expect(byProvider.aiModels.map(key).sort()).toEqual(
      rows
        .filter((r) => r.provider === provider)
        .map(key)
        .sort(),
    );

    const all = dataOf(await ask<Models>(modelsQuery));
    const expected = [...rows].sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
    expect(all.aiModels.map(key)).toEqual(expected.map(key));

    const wide = dataOf(
      await ask<Models>(modelsQuery, {
        filter: { contextWindow: { gte: 100_000 } },
        orderBy: { field: "CONTEXT_WINDOW" },
      }),
    );
    const windows = wide.aiModels.map((m) => m.contextWindow);
    expect(windows).toEqual(
      rows
        .filter((r) => r.context_window >= 100_000)
        .map((r) => r.context_window)
        .sort((a, b) => b - a),
    );
  });
});

describe(`filters never reveal another tenant's rows (${backendName})`, () => {
  it("values only Globex has, as Acme: nothing of Globex, and the counts are Acme's", async () => {
    const acmeTitles = new Set(acmePlans.map((p) => p.title));
    const globexOnly = globexPlans.filter((p) => !acmeTitles.has(p.title));
    expect(globexOnly.length).toBeGreaterThan(0);
    const globexTitle = globexOnly[0]?.title ?? "";
    const globexIds = new Set(globexPlans.map((p) => p.id));
    const cases: { filter: unknown; expected: number }[] = [
      { filter: { authorId: { eq: carol } }, expected: 0 },
      { filter: { title: { eq: globexTitle } }, expected: 0 },
      { filter: { title: { in: globexOnly.map((p) => p.title) } }, expected: 0 },
      { filter: { or: [{ title: { eq: globexTitle } }, { authorId: { eq: carol } }] }, expected: 0 },
      { filter: { not: { title: { eq: globexTitle } } }, expected: acmePlans.length },
      { filter: { authorId: { notIn: [carol] } }, expected: acmePlans.length },
      { filter: { createdAt: { gt: "1970-01-01T00:00:00Z" } }, expected: acmePlans.length },
    ];
    for (const { filter, expected } of cases) {
      const { ids, totalCount } = await planIds(filter);
      expect(
        ids.filter((id) => globexIds.has(id)),
        JSON.stringify(filter),
      ).toEqual([]);
      expect(totalCount, JSON.stringify(filter)).toBe(expected);
    }
    // And as Globex, the same filter answers Globex's rows.
    expect((await planIds({ authorId: { eq: carol } }, globex)).ids.sort()).toEqual(
      globexPlans
        .filter((p) => p.author_id === carol)
        .map((p) => p.id)
        .sort(),
    );
  });
});

describe(`orderings page stably through ties (${backendName})`, () => {
  const orders: { field: string; key: keyof PlanRow; defaultDirection: "ASC" | "DESC" }[] = [
    { field: "CREATED_AT", key: "created_at", defaultDirection: "DESC" },
    { field: "UPDATED_AT", key: "updated_at", defaultDirection: "DESC" },
    { field: "TITLE", key: "title", defaultDirection: "ASC" },
  ];
  const cases = orders.flatMap((o) => [
    { ...o, direction: "ASC" as const },
    { ...o, direction: "DESC" as const },
    { ...o, direction: undefined },
  ]);

  it.each(cases)("$field $direction: pages of 2 give every row once, in (field, id) order", async (o) => {
    const direction = o.direction ?? o.defaultDirection;
    const sign = direction === "ASC" ? 1 : -1;
    const compare = (a: PlanRow, b: PlanRow) => {
      const x = a[o.key];
      const y = b[o.key];
      const byField =
        x instanceof Date && y instanceof Date ? +x - +y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      return sign * (byField !== 0 ? byField : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    };
    const orderBy = o.direction ? { field: o.field, direction: o.direction } : { field: o.field };
    // One page of everything, in the database's order (text collation is the database's).
    const whole = dataOf(await ask<PlansPage>(plansQuery, { orderBy, first: 100 }));
    const wholeIds = rawIds(whole.researchPlans.nodes);
    expect([...wholeIds].sort()).toEqual(acmePlans.map((p) => p.id).sort());
    if (o.key !== "title") expect(wholeIds).toEqual([...acmePlans].sort(compare).map((p) => p.id));
    // The tied rows come out in id order, in the ordering's direction.
    const tiedInOrder = wholeIds.filter((id) => tieIds.includes(id));
    expect(tiedInOrder).toEqual(direction === "ASC" ? tieIds : [...tieIds].reverse());
    // Page by 2 with cursors: the same rows in the same order, none twice.
    const paged: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: PlansPage = dataOf(await ask<PlansPage>(plansQuery, { orderBy, first: 2, after }));
      paged.push(...rawIds(page.researchPlans.nodes));
      if (!page.researchPlans.pageInfo.hasNextPage) break;
      after = page.researchPlans.pageInfo.endCursor;
    }
    expect(paged).toEqual(wholeIds);
  });

  it("a filter and an ordering together, paged: the filtered rows in order", async () => {
    const filter = { status: { eq: "DRAFT" } };
    const orderBy = { field: "CREATED_AT", direction: "ASC" };
    const expected = acmePlans
      .filter((p) => p.status === "draft")
      .sort((a, b) => +a.created_at - +b.created_at || (a.id < b.id ? -1 : 1))
      .map((p) => p.id);
    const paged: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: PlansPage = dataOf(await ask<PlansPage>(plansQuery, { filter, orderBy, first: 2, after }));
      paged.push(...rawIds(page.researchPlans.nodes));
      if (!page.researchPlans.pageInfo.hasNextPage) break;
      after = page.researchPlans.pageInfo.endCursor;
    }
    expect(paged).toEqual(expected);
    expect(expected.length).toBeGreaterThan(2);
  });
});

describe(`bounds and bad values are coded errors (${backendName})`, () => {
  const nest = (depth: number): unknown => (depth === 0 ? { status: { eq: "DRAFT" } } : { not: nest(depth - 1) });

  it("the nesting limit: depth 2 runs; depth 3 is not in the types (refused before execution, no plan read)", async () => {
    expect(filterLimits.maxDepth).toBe(2);
    expect(await planIds(nest(filterLimits.maxDepth))).toBeDefined();
    const { result, statements } = await gw.countStatements(() =>
      ask(plansQuery, { filter: nest(filterLimits.maxDepth + 1) }),
    );
    const codes = errorCodes(result);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes).not.toContain("INTERNAL_SERVER_ERROR");
    expect(codes.every((code) => code !== undefined)).toBe(true);
    expect(statements.filter((s) => s.includes('"research_plan"'))).toEqual([]);
  });

  const refused: { name: string; filter: unknown; limit: string }[] = [
    {
      name: "too many conditions (a wide or)",
      filter: { or: Array.from({ length: filterLimits.maxConditions }, () => ({ status: { eq: "DRAFT" } })) },
      limit: "maxConditions",
    },
    {
      name: "an in list past the limit",
      filter: { title: { in: Array.from({ length: filterLimits.maxListItems + 1 }, (_, i) => `t${i}`) } },
      limit: "maxListItems",
    },
    {
      name: "an in list of 10,000 items",
      filter: { authorId: { in: Array.from({ length: 10_000 }, (_, i) => `u${i}`) } },
      limit: "maxListItems",
    },
    { name: "a huge string", filter: { title: { contains: "x".repeat(100_000) } }, limit: "maxTextLength" },
    {
      name: "a long string in a list",
      filter: { title: { in: ["ok", "y".repeat(filterLimits.maxTextLength + 1)] } },
      limit: "maxTextLength",
    },
  ];
  it.each(refused)("$name: BAD_USER_INPUT ($limit)", async ({ filter, limit }) => {
    const result = await ask(plansQuery, { filter, first: 5 });
    expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors?.[0]?.extensions?.limit).toBe(limit);
  });

  it("a bound inside a related connection's filter is refused the same way", async () => {
    const query = `{ researchPlans(first: 1) { nodes { steps(first: 5, filter: { position: { in: [${Array.from({ length: 101 }, (_, i) => i).join(",")}] } }) { nodes { id } } } } }`;
    const result = await ask(query);
    expect(errorCodes(result)).toEqual(["BAD_USER_INPUT"]);
  });

  it("invalid values are refused before execution with a code, never an internal error", async () => {
    for (const [filter, orderBy] of [
      [{ status: { in: ["BOGUS"] } }, undefined],
      [{ createdAt: { gt: "yesterday" } }, undefined],
      [{ createdAt: { gt: "99999-01-01T00:00:00Z" } }, undefined],
      [{ bogus: { eq: 1 } }, undefined],
      [{ title: { eq: "nul\u0000byte" } }, undefined],
      [{ authorId: { in: ["\u0000"] } }, undefined],
      [{ title: { eq: 5 } }, undefined],
      [undefined, { field: "BOGUS" }],
      [undefined, { direction: "ASC" }],
    ] as const) {
      const result = await ask(plansQuery, { filter, orderBy, first: 5 });
      const codes = errorCodes(result);
      expect(codes.length, JSON.stringify({ filter, orderBy })).toBeGreaterThan(0);
      expect(codes).not.toContain("INTERNAL_SERVER_ERROR");
      expect(codes.every((code) => code !== undefined)).toBe(true);
    }
  });
});
