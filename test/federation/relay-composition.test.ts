import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { composeServices as composeWithApollo } from "@apollo/composition";
import { printSubgraphSchema } from "@apollo/subgraph";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import { composeServices as composeWithGuild } from "@theguild/federation-composition";
import { sql } from "drizzle-orm";
import { type DocumentNode, parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { propagateHeaders } from "../../examples/hive-gateway/propagate-headers.js";
import { useUnresolvedEntitiesAsNull } from "../../examples/hive-gateway/unresolved-entities.js";
import { buildSchema } from "../../src/domains/api-schema.js";
import { type HttpServer, listen } from "../../src/http/server.js";
import { DEMO_TOKEN } from "../../src/platform/db/index.js";
import { repoRoot } from "../ops/support/stack.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, globalId, type TestGateway } from "../support/gateway.js";
import { type BookmarkRow, buildBookmarksSubgraph } from "./relay-subgraph.js";
import { close, serve } from "./support/http.js";

// Our subgraph composed with a second Relay-style one ("bookmarks", a small Pothos subgraph with its own
// PageInfo and Node, test/federation/relay-subgraph.ts) by both compositions, Apollo's and the Guild's, and
// served by Hive Gateway: gateway, our app and the bookmarks subgraph each on a loopback socket. Bookmarks
// reference our plans by the database-id key: the caller's own plan resolves, another tenant's plan and a
// plan that does not exist are null, with no error entry.

const routerSecret = "router-secret-for-the-relay-composition-test";
const acme = "demo-org-acme";

const bookmarkRows: BookmarkRow[] = [
  { id: "bm-1", label: "our first plan", planDatabaseId: "demo-org-acme-plan-01" },
  { id: "bm-2", label: "our second plan", planDatabaseId: "demo-org-acme-plan-02" },
  { id: "bm-3", label: "another tenant's plan", planDatabaseId: "demo-org-globex-plan-01" },
  { id: "bm-4", label: "no such plan", planDatabaseId: "no-such-plan" },
];

const bookmarks = buildBookmarksSubgraph(bookmarkRows);

function compose(ours: DocumentNode) {
  const services = [
    { name: "trovella", typeDefs: ours, url: "http://trovella.invalid/graphql" },
    { name: "bookmarks", typeDefs: bookmarks.typeDefs, url: "http://bookmarks.invalid/graphql" },
  ];
  const guild = composeWithGuild(services);
  const apollo = composeWithApollo(services);
  return {
    guild: { errors: (guild.errors ?? []).map((e) => e.message), supergraphSdl: guild.supergraphSdl },
    apollo: { errors: (apollo.errors ?? []).map((e) => e.message), supergraphSdl: apollo.supergraphSdl },
  };
}

describe("composition with a second Relay-style subgraph", () => {
  const ours = parse(printSubgraphSchema(buildSchema()));

  it("composes with both Apollo's and the Guild's composition", () => {
    const { guild, apollo } = compose(ours);
    expect(guild.errors).toEqual([]);
    expect(apollo.errors).toEqual([]);
    for (const supergraph of [guild.supergraphSdl, apollo.supergraphSdl]) {
      expect(supergraph).toMatch(/join__type\(graph: TROVELLA, key: "databaseId"\)/);
      expect(supergraph).toMatch(/type PageInfo[^{]*join__type\(graph: BOOKMARKS\)[^{]*join__type\(graph: TROVELLA\)/);
    }
  });

  it("is refused by both when our PageInfo is not @shareable (why it is)", () => {
    const unshared = parse(printSubgraphSchema(buildSchema()).replace(/type PageInfo\s+@shareable/, "type PageInfo"));
    const { guild, apollo } = compose(unshared);
    for (const errors of [guild.errors, apollo.errors]) {
      expect(errors).toContain(
        'Non-shareable field "PageInfo.hasNextPage" is resolved from multiple subgraphs: it is resolved from subgraphs "bookmarks" and "trovella" and defined as non-shareable in subgraph "trovella"',
      );
    }
  });
});

describe(`Hive Gateway over our subgraph and a Relay-style one, real sockets, on ${backendName}`, () => {
  let gw: TestGateway;
  let trovella: HttpServer;
  let bookmarksServer: { server: Server; url: string };
  let gateway: { server: Server; url: string };
  let runtime: ReturnType<typeof createGatewayRuntime>;
  let plainRuntime: ReturnType<typeof createGatewayRuntime>;

  beforeAll(async () => {
    gw = await createTestGateway({ hostileInput: { routerSecret } });
    trovella = await listen(gw.app, 0, "127.0.0.1");
    const bookmarksYoga = createYoga({ schema: bookmarks.schema, logging: false });
    bookmarksServer = await serve((request, response) => void bookmarksYoga(request, response));

    const composed = composeWithGuild([
      {
        name: "trovella",
        typeDefs: parse(readFileSync(join(repoRoot, "schema.graphql"), "utf8")),
        url: `http://127.0.0.1:${trovella.port}/graphql`,
      },
      { name: "bookmarks", typeDefs: bookmarks.typeDefs, url: `${bookmarksServer.url}/graphql` },
    ]);
    if (composed.errors?.length) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    if (!composed.supergraphSdl) throw new Error("composition produced no supergraph");

    vi.stubEnv("ROUTER_SECRET", routerSecret); // read by propagateHeaders
    runtime = createGatewayRuntime({
      supergraph: composed.supergraphSdl,
      logging: false,
      propagateHeaders,
      plugins: () => [useUnresolvedEntitiesAsNull()],
    });
    plainRuntime = createGatewayRuntime({ supergraph: composed.supergraphSdl, logging: false, propagateHeaders });
    gateway = await serve(runtime);
  }, 120_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await close(gateway?.server);
    await runtime?.dispose();
    await plainRuntime?.dispose();
    await close(bookmarksServer?.server);
    await trovella?.close(5000);
    await gw?.cleanup();
  });

  interface Reply {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[] }[];
    extensions?: { valueCompletion?: { message: string; path: (string | number)[] }[] };
  }

  async function ask(query: string, via: "socket" | "plain" = "socket"): Promise<Reply> {
    const init = {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${DEMO_TOKEN}`,
        "x-organization-id": acme,
      },
      body: JSON.stringify({ query }),
    };
    const response =
      via === "socket"
        ? await fetch(`${gateway.url}/graphql`, init)
        : await plainRuntime.fetch("http://gateway/graphql", init);
    return (await response.json()) as Reply;
  }

  const crossingQuery = /* GraphQL */ `{
    bookmarks(first: 10) {
      pageInfo { hasNextPage endCursor }
      nodes { id label plan { id databaseId title status } }
    }
    researchPlans(first: 2) { pageInfo { hasNextPage } nodes { databaseId title } }
  }`;

  interface Bookmarks {
    bookmarks: {
      pageInfo: { hasNextPage: boolean };
      nodes: { label: string; plan: { id: string; databaseId: string; title: string } | null }[];
    };
    researchPlans: { pageInfo: { hasNextPage: boolean }; nodes: { databaseId: string; title: string }[] };
  }

  it("answers a query crossing both subgraphs; another tenant's plan and a missing one are null, no errors", async () => {
    const result = await ask(crossingQuery);
    expect(result.errors).toBeUndefined();
    const data = result.data as unknown as Bookmarks;
    expect(data.bookmarks.pageInfo.hasNextPage).toBe(false);
    expect(data.researchPlans.pageInfo.hasNextPage).toBe(true);
    expect(data.researchPlans.nodes).toHaveLength(2);

    const titles = await gw.db.asOwner<{ id: string; title: string }>(
      sql`select id, title from research_plan where id in ('demo-org-acme-plan-01', 'demo-org-acme-plan-02', 'demo-org-globex-plan-01')`,
    );
    const titleOf = new Map(titles.map((row) => [row.id, row.title]));
    const plans = data.bookmarks.nodes.map((node) => node.plan);
    expect(plans.slice(0, 2)).toEqual(
      ["demo-org-acme-plan-01", "demo-org-acme-plan-02"].map((databaseId) => ({
        id: globalId("ResearchPlan", databaseId),
        databaseId,
        title: titleOf.get(databaseId),
        status: expect.any(String),
      })),
    );
    expect(plans.slice(2)).toEqual([null, null]);
    expect(JSON.stringify(result)).not.toContain(titleOf.get("demo-org-globex-plan-01"));
    // What Hive Gateway would have reported as errors is kept aside, by the plugin.
    expect(result.extensions?.valueCompletion?.map((entry) => entry.path?.slice(0, 4))).toEqual([
      ["bookmarks", "nodes", 2, "plan"],
      ["bookmarks", "nodes", 3, "plan"],
    ]);
  });

  it("without the plugin, Hive Gateway adds its own error for each null entity (our subgraph answered null)", async () => {
    const result = await ask(crossingQuery, "plain");
    const plans = (result.data as unknown as Bookmarks).bookmarks.nodes.map((node) => node.plan);
    expect(plans.slice(2)).toEqual([null, null]);
    expect(result.errors?.map((error) => error.path?.slice(0, 4))).toEqual([
      ["bookmarks", "nodes", 2, "plan"],
      ["bookmarks", "nodes", 3, "plan"],
    ]);
  });

  it("resolves _entities by databaseId and by global id in one statement; hidden rows are null without error", async () => {
    const { result, statements } = await gw.countStatements(() =>
      gw.graphql<{ _entities: ({ databaseId: string; title: string } | null)[] }>(
        {
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on ResearchPlan { databaseId title } } }`,
          variables: {
            r: [
              { __typename: "ResearchPlan", databaseId: "demo-org-acme-plan-01" },
              { __typename: "ResearchPlan", databaseId: "demo-org-globex-plan-01" },
              { __typename: "ResearchPlan", databaseId: "no-such-plan" },
              { __typename: "ResearchPlan", id: globalId("ResearchPlan", "demo-org-acme-plan-02") },
            ],
          },
        },
        demoPat,
        { organizationId: acme, headers: { "x-router-secret": routerSecret } },
      ),
    );
    expect(result.errors).toBeUndefined();
    const entities = result.data?._entities ?? [];
    expect(entities.map((entity) => entity?.databaseId ?? null)).toEqual([
      "demo-org-acme-plan-01",
      null,
      null,
      "demo-org-acme-plan-02",
    ]);
    // The transaction's own statements aside (settings, access mode): one statement for the plans.
    const data = statements.filter((s) => !s.includes("set_config") && !/^(set transaction|begin)\b/i.test(s));
    expect(data).toHaveLength(1);
  });

  it("docs/federation.md shows the plugin this test runs, verbatim", () => {
    const manual = readFileSync(join(repoRoot, "docs/federation.md"), "utf8");
    const example = readFileSync(join(repoRoot, "examples/hive-gateway/unresolved-entities.ts"), "utf8");
    expect(manual).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
