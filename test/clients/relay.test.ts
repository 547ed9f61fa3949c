import {
  type CacheConfig,
  type ConcreteRequest,
  commitMutation,
  Environment,
  fetchQuery,
  type GraphQLResponse,
  Network,
  RecordSource,
  type RequestParameters,
  Store,
  type Variables,
} from "relay-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
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
import { relayRequest } from "./support/relay-artifacts.js";
import { aliceAtAcme, type ClientServer, recordingFetch, startClientServer } from "./support/server.js";

// Relay's runtime (relay-runtime) with a plain fetch function, as Relay's guide writes it: a JSON POST of the
// text, or of `doc_id` when the artifact is persisted. The artifacts come from support/relay-artifacts.ts
// (what relay-compiler would generate); the store, normalization, fetchQuery and commitMutation are Relay's.

const schema = buildSchema({ federation: false });
const documents = [organizationQuery, planPageQuery, createPlanMutation];

let server: ClientServer;

beforeAll(async () => {
  // The manifest relay-compiler's persist option writes: the id of each document → its text.
  server = await startClientServer(new Map(documents.map((text) => [sha256(text), text])));
}, 300_000);

afterAll(async () => {
  await server?.close();
});

function relay(endpoint: string) {
  const requests = recordingFetch();
  async function fetchFunction(
    params: RequestParameters,
    variables: Variables,
    _cacheConfig: CacheConfig,
  ): Promise<GraphQLResponse> {
    const body = params.id ? { doc_id: params.id, variables } : { query: params.text, variables };
    const response = await requests.fetch(endpoint, {
      method: "POST",
      headers: { ...aliceAtAcme, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as GraphQLResponse;
  }
  const environment = new Environment({ network: Network.create(fetchFunction), store: new Store(new RecordSource()) });
  return { environment, sent: requests.sent };
}

function query<T>(environment: Environment, request: ConcreteRequest, variables: Variables = {}): Promise<T> {
  return fetchQuery(environment, request, variables, { fetchPolicy: "network-only" }).toPromise() as Promise<T>;
}

function mutate(environment: Environment, request: ConcreteRequest, variables: Variables): Promise<CreatePlanData> {
  return new Promise((resolve, reject) => {
    commitMutation<{ response: CreatePlanData; variables: Variables }>(environment, {
      mutation: request,
      variables,
      onCompleted: (response, errors) =>
        errors?.length ? reject(new Error(JSON.stringify(errors))) : resolve(response),
      onError: reject,
    });
  });
}

describe.each([
  { format: "query text", persisted: false },
  { format: "persisted ids (doc_id) on a production gateway with trusted documents", persisted: true },
])("Relay's runtime, $format", ({ persisted }) => {
  const organization = relayRequest(schema, organizationQuery, { persisted });
  const planPage = relayRequest(schema, planPageQuery, { persisted });
  const createPlan = relayRequest(schema, createPlanMutation, { persisted });
  const endpoint = () => (persisted ? server.trustedEndpoint : server.endpoint);

  it("a query, read back from Relay's store", async () => {
    const { environment, sent } = relay(endpoint());
    const data = await query<OrganizationData>(environment, organization);
    expect(data.organization).toEqual(acmeOrganization);
    const record = environment.getStore().getSource().get(acmeOrganization.id);
    expect(record).toMatchObject({ __typename: "Organization", name: "Acme Research" });
    const body = JSON.parse(sent[0]?.body ?? "{}") as { doc_id?: string; query?: string };
    expect(persisted ? body.doc_id : body.query).toBe(persisted ? sha256(organizationQuery) : organizationQuery);
  });

  it("a paginated query by cursor, and a mutation whose plan is then on the pages", async () => {
    const { environment } = relay(endpoint());
    const walk = () => walkPlanPages((variables) => query<PlanPage>(environment, planPage, variables), 5);
    const before = await walk();
    const title = persisted ? "Planned with Relay, by id" : "Planned with Relay";
    const created = await mutate(environment, createPlan, { input: { title } });
    expect(created.createResearchPlan.plan?.title).toBe(title);
    const after = await walk();
    expect(after).toHaveLength(before.length + 1);
    expect(after).toContain(created.createResearchPlan.plan?.id);
  });
});
