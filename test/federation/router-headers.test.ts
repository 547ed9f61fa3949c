import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders, Server } from "node:http";
import { join } from "node:path";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import { composeServices } from "@theguild/federation-composition";
import { parse } from "graphql";
import { createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { propagateHeaders } from "../../examples/hive-gateway/propagate-headers.js";
import { DEMO_TOKEN } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "../ops/support/cluster.js";
import { prepareDatabase, repoRoot, type ServerProcess, spawnServer } from "../ops/support/stack.js";
import { close, serve } from "./support/http.js";

// The router example of docs/federation.md, run: Hive Gateway composes our subgraph (the real server process,
// production, with a router secret) and a tiny second one ("notes", its own HTTP server), every hop over a loopback
// socket. The gateway forwards headers with examples/hive-gateway/propagate-headers.ts, the very file the
// manual shows. The second subgraph records what it received: never the caller's Authorization, tenant or
// the router secret. Ours still answers, including `_entities`, which requires the secret.

const routerSecret = "router-secret-for-the-federation-test";

const notesTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type ResearchPlan @key(fields: "id") {
    id: ID!
    note: String!
  }

  type Organization @key(fields: "databaseId", resolvable: false) {
    databaseId: ID!
  }

  type Query {
    featuredOrganization: Organization
  }
`);

describe("the router example of docs/federation.md (Hive Gateway, two subgraphs, real sockets)", () => {
  let cluster: Cluster;
  let trovella: ServerProcess;
  let notes: { server: Server; url: string };
  let gateway: { server: Server; url: string };
  let runtime: ReturnType<typeof createGatewayRuntime>;
  const notesReceived: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    const url = await prepareDatabase(cluster, "trovella_router_headers");
    trovella = await spawnServer(url, { ROUTER_SECRET: routerSecret });

    const notesYoga = createYoga({
      schema: buildSubgraphSchema({
        typeDefs: notesTypeDefs,
        resolvers: {
          Query: { featuredOrganization: () => ({ __typename: "Organization", databaseId: "demo-org-acme" }) },
          ResearchPlan: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
            note: (plan: { id: string }) => `noted ${plan.id.slice(0, 8)}`,
          },
        },
      }),
      logging: false,
    });
    notes = await serve((request, response) => {
      notesReceived.push(request.headers);
      void notesYoga(request, response);
    });

    // Composed from schema.graphql, as docs/federation.md says a deployment does.
    const composed = composeServices([
      {
        name: "trovella",
        typeDefs: parse(readFileSync(join(repoRoot, "schema.graphql"), "utf8")),
        url: `${trovella.baseUrl}/graphql`,
      },
      { name: "notes", typeDefs: notesTypeDefs, url: `${notes.url}/graphql` },
    ]);
    if (composed.errors?.length) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    if (!composed.supergraphSdl) throw new Error("composition produced no supergraph");

    vi.stubEnv("ROUTER_SECRET", routerSecret);
    runtime = createGatewayRuntime({ supergraph: composed.supergraphSdl, logging: false, propagateHeaders });
    gateway = await serve(runtime);
  }, 240_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await close(gateway?.server);
    await runtime?.dispose();
    await close(notes?.server);
    trovella?.kill();
    await cluster?.destroy();
  });

  async function throughGateway(query: string) {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${DEMO_TOKEN}`,
        "x-organization-id": "demo-org-acme",
        "x-request-id": "router-headers-test",
      },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  }

  it("ours answers in both directions, the other subgraph never sees the credentials, tenant or secret", async () => {
    // Ours → notes (ResearchPlan.note), and notes → ours (_entities for Organization: needs the secret).
    const result = await throughGateway(
      "{ researchPlans(first: 2) { nodes { id title note } } featuredOrganization { databaseId name } }",
    );
    expect(result.errors).toBeUndefined();
    const plans = (result.data?.researchPlans as { nodes: { id: string; note: string }[] } | undefined)?.nodes ?? [];
    expect(plans).toHaveLength(2);
    for (const plan of plans) expect(plan.note).toBe(`noted ${plan.id.slice(0, 8)}`);
    expect(result.data?.featuredOrganization).toEqual({ databaseId: "demo-org-acme", name: "Acme Research" });

    expect(notesReceived.length).toBeGreaterThanOrEqual(2);
    for (const headers of notesReceived) {
      expect(headers.authorization).toBeUndefined();
      expect(headers["x-organization-id"]).toBeUndefined();
      expect(headers["x-router-secret"]).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(DEMO_TOKEN);
      expect(JSON.stringify(headers)).not.toContain(routerSecret);
    }
    // What is not a credential still goes everywhere.
    expect(notesReceived.some((headers) => headers["x-request-id"] === "router-headers-test")).toBe(true);
  });

  it("docs/federation.md shows the file this test runs, verbatim", () => {
    const manual = readFileSync(join(repoRoot, "docs/federation.md"), "utf8");
    const example = readFileSync(join(repoRoot, "examples/hive-gateway/propagate-headers.ts"), "utf8");
    expect(manual).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
