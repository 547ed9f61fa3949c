import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acmeOrganization,
  type CreatePlanData,
  createPlanMutation,
  type OrganizationData,
  organizationQuery,
  type PlanPage,
  planPageQuery,
  walkPlanPages,
} from "./support/operations.js";
import { aliceAtAcme, type ClientServer, recordingFetch, startClientServer } from "./support/server.js";

// graphql-request with its defaults: every operation a JSON POST. It has no persisted-document feature of its
// own. Asked for GET (`method: "GET"`), it sends no Content-Type, so the CSRF header is then needed.

let server: ClientServer;

beforeAll(async () => {
  server = await startClientServer(new Map());
}, 300_000);

afterAll(async () => {
  await server?.close();
});

function graphqlRequest(options: { method?: "GET"; headers?: Record<string, string> } = {}) {
  const requests = recordingFetch();
  const client = new GraphQLClient(server.endpoint, {
    headers: { ...aliceAtAcme, ...options.headers },
    fetch: requests.fetch,
    ...(options.method ? { method: options.method } : {}),
  });
  return { client, sent: requests.sent };
}

describe("graphql-request with its defaults", () => {
  it("a query, as a JSON POST", async () => {
    const { client, sent } = graphqlRequest();
    const data = await client.request<OrganizationData>(organizationQuery);
    expect(data.organization).toEqual(acmeOrganization);
    expect(sent.map((request) => [request.method, request.headers.get("content-type")])).toEqual([
      ["POST", "application/json"],
    ]);
  });

  it("a paginated query by cursor, and a mutation whose plan is then on the pages", async () => {
    const { client } = graphqlRequest();
    const walk = () => walkPlanPages((variables) => client.request<PlanPage>(planPageQuery, variables), 5);
    expect(await walk()).toHaveLength(12);
    const created = await client.request<CreatePlanData>(createPlanMutation, {
      input: { title: "Planned with graphql-request" },
    });
    expect(created.createResearchPlan.plan?.title).toBe("Planned with graphql-request");
    expect(await walk()).toContain(created.createResearchPlan.plan?.id);
  });

  it('method: "GET" needs the CSRF header: CSRF_HEADER_REQUIRED without it', async () => {
    const refused = await graphqlRequest({ method: "GET" })
      .client.request(organizationQuery)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as ClientError).response.status).toBe(403);
    expect((refused as ClientError).response.errors?.map((error) => error.extensions?.code)).toEqual([
      "CSRF_HEADER_REQUIRED",
    ]);
    const { client, sent } = graphqlRequest({ method: "GET", headers: { "x-graphql-csrf": "1" } });
    expect((await client.request<OrganizationData>(organizationQuery)).organization).toEqual(acmeOrganization);
    expect(sent.map((request) => request.method)).toEqual(["GET"]);
  });
});
