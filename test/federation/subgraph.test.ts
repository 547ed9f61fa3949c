import { buildSubgraphSchema, printSubgraphSchema } from "@apollo/subgraph";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { composeServices } from "@theguild/federation-composition";
import { sql } from "drizzle-orm";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { propagateHeaders } from "../../examples/hive-gateway/propagate-headers.js";
import { buildSchema } from "../../src/domains/api-schema.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";

// Our subgraph composed with a second, small one ("reviews": it adds ResearchPlan.reviewNote and references
// Organization and ResearchPlan), served by a real Hive Gateway in-process. Requests go gateway → subgraphs
// through fetch functions, no sockets; Authorization and X-Organization-Id are forwarded to ours like a router
// would (test/federation/router-headers.test.ts does the same over sockets).

const trovellaUrl = "http://trovella.subgraph/graphql";
const reviewsUrl = "http://reviews.subgraph/graphql";

const reviewsTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type ResearchPlan @key(fields: "id") {
    id: ID!
    reviewNote: String!
  }

  type Organization @key(fields: "databaseId", resolvable: false) {
    databaseId: ID!
  }

  type Query {
    featuredOrganization: Organization
    pinnedPlans: [ResearchPlan]
  }
`);

describe(`federation on ${backendName}`, () => {
  let gw: TestGateway;
  let pinnedPlanIds: string[] = [];
  let runtime: ReturnType<typeof createGatewayRuntime>;

  beforeAll(async () => {
    gw = await createTestGateway();
    const acmePlan = "demo-org-acme-plan-01";
    const globexPlan = "demo-org-globex-plan-01";
    pinnedPlanIds = [encodeGlobalID("ResearchPlan", acmePlan), encodeGlobalID("ResearchPlan", globexPlan)];

    const reviews = createYoga({
      schema: buildSubgraphSchema({
        typeDefs: reviewsTypeDefs,
        resolvers: {
          Query: {
            featuredOrganization: () => ({ __typename: "Organization", databaseId: "demo-org-acme" }),
            pinnedPlans: () => pinnedPlanIds.map((id) => ({ __typename: "ResearchPlan", id })),
          },
          ResearchPlan: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
            reviewNote: (plan: { id: string }) => `reviewed ${plan.id.slice(0, 8)}`,
          },
        },
      }),
      logging: false,
    });

    const composed = composeServices([
      { name: "trovella", typeDefs: parse(printSubgraphSchema(buildSchema())), url: trovellaUrl },
      { name: "reviews", typeDefs: reviewsTypeDefs, url: reviewsUrl },
    ]);
    if (composed.errors?.length) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    if (!composed.supergraphSdl) throw new Error("composition produced no supergraph");

    runtime = createGatewayRuntime({
      supergraph: composed.supergraphSdl,
      logging: false,
      fetchAPI: {
        fetch: (input: string | URL | Request, init?: RequestInit) => {
          const request = new Request(input, init);
          return request.url.startsWith(trovellaUrl) ? gw.app.fetch(request) : reviews.fetch(request);
        },
      },
      // The example of docs/federation.md: credentials and tenant to our subgraph only.
      propagateHeaders,
    });
  });
  afterAll(async () => {
    await runtime?.dispose();
    await gw?.cleanup();
  });

  async function throughGateway(query: string, organizationId: string) {
    const response = await runtime.fetch("http://gateway/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${demoPat.kind === "pat" ? demoPat.token : ""}`,
        "x-organization-id": organizationId,
      },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  }

  it("composes with another subgraph without errors", () => {
    const composed = composeServices([
      { name: "trovella", typeDefs: parse(printSubgraphSchema(buildSchema())), url: trovellaUrl },
      { name: "reviews", typeDefs: reviewsTypeDefs, url: reviewsUrl },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    expect(composed.supergraphSdl).toContain("reviewNote");
  });

  it("serves its SDL through _service, with the entity keys", async () => {
    const result = await gw.graphql<{ _service: { sdl: string } }>({ query: "{ _service { sdl } }" }, demoPat);
    expect(result.errors).toBeUndefined();
    for (const type of [
      "Organization",
      "User",
      "ResearchPlan",
      "PlanStep",
      "ResearchArtifact",
      "ResearchOutput",
      "DocumentChunk",
      "AiModel",
    ]) {
      expect(result.data?._service.sdl).toMatch(new RegExp(`type ${type}\\s[^{]*@key\\(fields: "id"\\)`));
      // Every entity is a Node: `id` is its global ID, `databaseId` the row's id, a key too.
      expect(result.data?._service.sdl).toMatch(
        new RegExp(`type ${type} implements Node\\s[^{]*@key\\(fields: "databaseId"\\)`),
      );
    }
  });

  it("resolves fields of the other subgraph on our plans (our subgraph → reviews)", async () => {
    const result = await throughGateway(
      "{ researchPlans(first: 3) { nodes { id title reviewNote } } }",
      "demo-org-acme",
    );
    expect(result.errors).toBeUndefined();
    const plans = result.data?.researchPlans as { nodes: { id: string; reviewNote: string }[] } | undefined;
    const nodes = plans?.nodes ?? [];
    expect(nodes).toHaveLength(3);
    for (const node of nodes) expect(node.reviewNote).toBe(`reviewed ${node.id.slice(0, 8)}`);
  });

  it("resolves our entities referenced by the other subgraph (reviews → our subgraph)", async () => {
    const result = await throughGateway("{ featuredOrganization { id databaseId name slug } }", "demo-org-acme");
    expect(result.errors).toBeUndefined();
    expect(result.data?.featuredOrganization).toEqual({
      id: encodeGlobalID("Organization", "demo-org-acme"),
      databaseId: "demo-org-acme",
      name: "Acme Research",
      slug: "acme",
    });
  });

  it("resolves a reference to another tenant's plan to null, and the caller's own to the plan", async () => {
    const result = await throughGateway("{ pinnedPlans { id title reviewNote } }", "demo-org-acme");
    const [mine, theirs] = (result.data?.pinnedPlans ?? []) as ({ title: string } | null)[];
    const [row] = await gw.db.asOwner<{ title: string }>(
      sql`select title from research_plan where id = 'demo-org-acme-plan-01'`,
    );
    expect(mine?.title).toBe(row?.title);
    expect(theirs).toBeNull();
    expect(JSON.stringify(result)).not.toContain("Globex");
  });

  it("resolves an organization the caller does not belong to as null", async () => {
    // Alice belongs to Acme and Globex, not to Initech.
    const direct = await gw.graphql<{ _entities: unknown[] }>(
      {
        query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id name } } }",
        variables: {
          r: [
            { __typename: "Organization", id: encodeGlobalID("Organization", "demo-org-initech") },
            { __typename: "Organization", databaseId: "demo-org-globex" },
            { __typename: "Organization", databaseId: "demo-org-initech" },
            { __typename: "Organization", id: encodeGlobalID("Organization", "demo-org-globex") },
          ],
        },
      },
      demoPat,
      { organizationId: "demo-org-acme" },
    );
    expect(direct.errors).toBeUndefined();
    const globex = { id: encodeGlobalID("Organization", "demo-org-globex"), name: "Globex Labs" };
    expect(direct.data?._entities).toEqual([null, globex, null, globex]);
  });

  it("batches _entities: one statement per entity type, however many references", async () => {
    const representations = [
      ...Array.from({ length: 12 }, (_, i) => ({
        __typename: "ResearchPlan",
        id: encodeGlobalID("ResearchPlan", `demo-org-acme-plan-${String(i + 1).padStart(2, "0")}`),
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        __typename: "ResearchPlan",
        id: encodeGlobalID("ResearchPlan", `demo-org-globex-plan-${String(i + 1).padStart(2, "0")}`),
      })),
      { __typename: "Organization", databaseId: "demo-org-acme" },
      { __typename: "AiModel", id: encodeGlobalID("AiModel", "model-gpt-4o-mini") },
    ];
    const { result, statements } = await gw.countStatements(() =>
      gw.graphql<{ _entities: ({ title?: string; name?: string; displayName?: string } | null)[] }>(
        {
          query: `query($r: [_Any!]!) { _entities(representations: $r) {
            ... on ResearchPlan { title status }
            ... on Organization { name }
            ... on AiModel { displayName }
          } }`,
          variables: { r: representations },
        },
        demoPat,
        { organizationId: "demo-org-acme" },
      ),
    );
    expect(result.errors).toBeUndefined();
    const entities = result.data?._entities ?? [];
    expect(entities.slice(0, 12).every((e) => typeof e?.title === "string")).toBe(true);
    expect(entities.slice(12, 17)).toEqual([null, null, null, null, null]);
    expect(entities[17]).toEqual({ name: "Acme Research" });
    expect(entities[18]).toEqual({ displayName: "GPT-4o mini" });
    // Leave out the transaction's own statements (its settings and access mode: `begin read only` on
    // PostgreSQL, `set transaction read only` on PGlite).
    const data = statements.filter((s) => !s.includes("set_config") && !/^(set transaction|begin)\b/i.test(s));
    // research_plan, organization, ai_model: one each.
    expect(data).toHaveLength(3);
  });
});

describe(`router secret on ${backendName}`, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await createTestGateway({ seed: true, hostileInput: { routerSecret: "s3cret-router-value" } });
  });
  afterAll(() => gw?.cleanup());

  const entitiesQuery = {
    query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }",
    variables: { r: [{ __typename: "Organization", databaseId: "demo-org-acme" }] },
  };

  it("refuses _entities and _service without the router's secret, and serves them with it", async () => {
    const without = await gw.graphql(entitiesQuery, demoPat, { organizationId: "demo-org-acme" });
    expect(without.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(without.data ?? null).toBeNull();
    const wrong = await gw.graphql({ query: "{ _service { sdl } }" }, demoPat, {
      headers: { "x-router-secret": "s3cret-router-valuX" },
    });
    expect(wrong.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const right = await gw.graphql<{ _entities: unknown[] }>(entitiesQuery, demoPat, {
      organizationId: "demo-org-acme",
      headers: { "x-router-secret": "s3cret-router-value" },
    });
    expect(right.errors).toBeUndefined();
    expect(right.data?._entities).toEqual([{ name: "Acme Research" }]);
  });

  it("leaves ordinary client fields alone", async () => {
    const result = await gw.graphql<{ viewer: { user: { name: string } } }>(
      { query: "{ viewer { user { name } } }" },
      demoPat,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.viewer.user.name).toBe("Alice Archer");
  });
});
