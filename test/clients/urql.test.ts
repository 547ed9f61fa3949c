import { Client, cacheExchange, fetchExchange } from "@urql/core";
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

// urql (@urql/core) with its defaults: the cache and fetch exchanges, queries sent as GET while the URL is short
// enough (preferGetMethod: "within-url-limit"), mutations as POST. A GET has no Content-Type, so it is a
// "simple" request: it must carry the CSRF header (docs/clients.md), the one setting urql users add.

let server: ClientServer;

beforeAll(async () => {
  server = await startClientServer(new Map());
}, 300_000);

afterAll(async () => {
  await server?.close();
});

function urql(headers: Record<string, string>) {
  const requests = recordingFetch();
  const client = new Client({
    url: server.endpoint,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { headers },
    fetch: requests.fetch,
  });
  return { client, sent: requests.sent };
}

describe("urql with its defaults", () => {
  it("without the CSRF header, its GET query is refused: 403, CSRF_HEADER_REQUIRED", async () => {
    const { client, sent } = urql({ ...aliceAtAcme });
    const result = await client.query<OrganizationData>(organizationQuery, {}).toPromise();
    expect(sent.map((request) => request.method)).toEqual(["GET"]);
    expect(sent[0]?.headers.has("content-type")).toBe(false);
    expect(result.data).toBeUndefined();
    expect(result.error?.response).toMatchObject({ status: 403 });
    expect(result.error?.graphQLErrors.map((error) => error.extensions.code)).toEqual(["CSRF_HEADER_REQUIRED"]);
  });

  it("with x-graphql-csrf: a query over GET", async () => {
    const { client, sent } = urql({ ...aliceAtAcme, "x-graphql-csrf": "1" });
    const result = await client.query<OrganizationData>(organizationQuery, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.organization).toMatchObject(acmeOrganization);
    expect(sent.map((request) => request.method)).toEqual(["GET"]);
  });

  it("a paginated query by cursor, page after page, over GET", async () => {
    const { client, sent } = urql({ ...aliceAtAcme, "x-graphql-csrf": "1" });
    const ids = await walkPlanPages(async (variables) => {
      const result = await client.query<PlanPage>(planPageQuery, variables).toPromise();
      if (result.error) throw result.error;
      return result.data as PlanPage;
    }, 5);
    expect(ids.length).toBe(12);
    expect(new Set(sent.map((request) => request.method))).toEqual(new Set(["GET"]));
  });

  it("a mutation (POST): the new plan is then on the pages", async () => {
    const { client, sent } = urql({ ...aliceAtAcme, "x-graphql-csrf": "1" });
    const created = await client
      .mutation<CreatePlanData>(createPlanMutation, { input: { title: "Planned with urql" } })
      .toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data?.createResearchPlan.plan?.title).toBe("Planned with urql");
    expect(sent.map((request) => request.method)).toEqual(["POST"]);
    const ids = await walkPlanPages(async (variables) => {
      const result = await client
        .query<PlanPage>(planPageQuery, variables, { requestPolicy: "network-only" })
        .toPromise();
      if (result.error) throw result.error;
      return result.data as PlanPage;
    }, 5);
    expect(ids).toContain(created.data?.createResearchPlan.plan?.id);
  });
});
