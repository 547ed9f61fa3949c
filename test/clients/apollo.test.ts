import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "@apollo/client/utilities";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acmeOrganization,
  type CreatePlanData,
  createPlanMutation,
  type OrganizationData,
  organizationQuery,
  type PlanPage,
  planPageQuery,
  sha256,
  walkPlanPages,
} from "./support/operations.js";
import { aliceAtAcme, type ClientServer, recordingFetch, startClientServer } from "./support/server.js";

// Apollo Client 4 with its defaults: an HttpLink (POST, Content-Type: application/json, even on GET), an
// InMemoryCache (which adds __typename to every selection). And its persisted-queries link, hashing with
// node:crypto's sha256, against a production gateway whose manifest holds the documents as Apollo sends them.

const organization = gql(organizationQuery);
const planPage = gql(planPageQuery);
const createPlan = gql(createPlanMutation);

/** The text Apollo sends for a document (its cache's transform, then its printer), which its link hashes. */
function apolloText(document: ReturnType<typeof gql>): string {
  return print(new InMemoryCache().transformDocument(document));
}

/** Built as Apollo's generate-persisted-query-manifest does: hash → text, per operation of the app. */
const manifest = new Map(
  [organization, planPage, createPlan].map((document) => [sha256(apolloText(document)), apolloText(document)]),
);

let server: ClientServer;

beforeAll(async () => {
  server = await startClientServer(manifest);
}, 300_000);

afterAll(async () => {
  await server?.close();
});

function apollo(options: { uri: string; persisted?: boolean; useGETForQueries?: boolean }) {
  const requests = recordingFetch();
  const http = new HttpLink({
    uri: options.uri,
    headers: { ...aliceAtAcme },
    fetch: requests.fetch,
    ...(options.useGETForQueries ? { useGETForQueries: true } : {}),
  });
  const link = options.persisted ? ApolloLink.from([new PersistedQueryLink({ sha256 }), http]) : http;
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), sent: requests.sent };
}

async function walk(client: ApolloClient): Promise<string[]> {
  return walkPlanPages(async (variables) => {
    const result = await client.query<PlanPage>({ query: planPage, variables, fetchPolicy: "network-only" });
    return result.data as PlanPage;
  }, 5);
}

describe("Apollo Client with its defaults", () => {
  it("a query, sent as a JSON POST (no CSRF header needed)", async () => {
    const { client, sent } = apollo({ uri: server.endpoint });
    const result = await client.query<OrganizationData>({ query: organization });
    expect(result.data?.organization).toMatchObject(acmeOrganization);
    expect(sent.map((request) => [request.method, request.headers.get("content-type")])).toEqual([
      ["POST", "application/json"],
    ]);
  });

  it("a paginated query by cursor, and a mutation whose plan is then on the pages", async () => {
    const { client } = apollo({ uri: server.endpoint });
    expect(await walk(client)).toHaveLength(12);
    const created = await client.mutate<CreatePlanData>({
      mutation: createPlan,
      variables: { input: { title: "Planned with Apollo" } },
    });
    const planId = created.data?.createResearchPlan.plan?.id;
    expect(created.data?.createResearchPlan.plan?.title).toBe("Planned with Apollo");
    expect(await walk(client)).toContain(planId);
  });

  it("useGETForQueries: GET passes the CSRF check, since Apollo keeps Content-Type: application/json", async () => {
    const { client, sent } = apollo({ uri: server.endpoint, useGETForQueries: true });
    const result = await client.query<OrganizationData>({ query: organization });
    expect(result.data?.organization).toMatchObject(acmeOrganization);
    expect(sent.map((request) => [request.method, request.headers.get("content-type")])).toEqual([
      ["GET", "application/json"],
    ]);
  });
});

describe("Apollo's persisted-queries link (sha256 from node:crypto)", () => {
  it("production with trusted documents: query, pages and mutation run from their hash alone", async () => {
    const { client, sent } = apollo({ uri: server.trustedEndpoint, persisted: true });
    const result = await client.query<OrganizationData>({ query: organization });
    expect(result.data?.organization).toMatchObject(acmeOrganization);
    const ids = await walk(client);
    const created = await client.mutate<CreatePlanData>({
      mutation: createPlan,
      variables: { input: { title: "Planned from a hash" } },
    });
    expect(ids.length).toBeGreaterThanOrEqual(12);
    expect(created.data?.createResearchPlan.plan?.title).toBe("Planned from a hash");
    for (const request of sent) {
      const body = JSON.parse(request.body ?? "{}") as { query?: string; extensions?: unknown };
      expect(body.query).toBeUndefined();
      expect(body.extensions).toMatchObject({ persistedQuery: { version: 1 } });
    }
  });

  it("a document outside the manifest is refused, never registered: TRUSTED_DOCUMENT_NOT_FOUND", async () => {
    const { client } = apollo({ uri: server.trustedEndpoint, persisted: true });
    const outside = gql("query Outside { organization { name } }");
    await expect(client.query({ query: outside })).rejects.toMatchObject({
      errors: [
        expect.objectContaining({ extensions: expect.objectContaining({ code: "TRUSTED_DOCUMENT_NOT_FOUND" }) }),
      ],
    });
    // Sending it again does not make it known.
    await expect(client.query({ query: outside, fetchPolicy: "network-only" })).rejects.toMatchObject({
      errors: [
        expect.objectContaining({ extensions: expect.objectContaining({ code: "TRUSTED_DOCUMENT_NOT_FOUND" }) }),
      ],
    });
  });

  it("trusted documents off: PERSISTED_QUERY_NOT_SUPPORTED, and the link falls back to sending the text", async () => {
    const { client, sent } = apollo({ uri: server.endpoint, persisted: true });
    const first = await client.query<OrganizationData>({ query: organization });
    expect(first.data?.organization).toMatchObject(acmeOrganization);
    const bodies = sent.map((request) => JSON.parse(request.body ?? "{}") as { query?: string });
    expect(bodies.map((body) => typeof body.query)).toEqual(["undefined", "string"]);
    // From then on the link sends the text at once.
    await client.query<OrganizationData>({ query: planPage, variables: { first: 1, after: null } });
    expect(sent).toHaveLength(3);
  });
});
