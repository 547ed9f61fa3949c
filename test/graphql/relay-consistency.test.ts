import { sql } from "drizzle-orm";
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isNonNullType,
  isObjectType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, globalId, type SignedIn, type TestGateway } from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";
import { acme, globex, initech } from "./helpers.js";

// Relay consistency (issue #19): every entity a client can refetch is a Node, and node(id:) answers it with the
// visibility of the fields that reach it (null, no error, for one the caller may not see); one connection
// type per node type; payloads one level deep; the nullability rule for root fields (docs/clients.md).

describe("the schema's Relay rules", () => {
  const schema = buildSchema();
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith("__"),
  );
  const isNode = (type: GraphQLObjectType) => type.getInterfaces().some((iface) => iface.name === "Node");
  const isConnection = (type: GraphQLNamedType): type is GraphQLObjectType =>
    isObjectType(type) && "pageInfo" in type.getFields() && "edges" in type.getFields();

  it("every type with an `id` is a Node", () => {
    const withId = objectTypes.filter((type) => "id" in type.getFields());
    expect(withId.map((type) => type.name)).toEqual(expect.arrayContaining(["User", "Organization", "Invitation"]));
    expect(withId.filter((type) => !isNode(type)).map((type) => type.name)).toEqual([]);
    expect(objectTypes.map((type) => type.name)).not.toContain("OrganizationInvitation");
    for (const name of ["User", "Organization", "PersonalAccessToken", "Invitation"]) {
      const type = schema.getType(name);
      expect(isObjectType(type) && isNode(type), name).toBe(true);
    }
  });

  it("one connection type per node type, named after it, with the same fields wherever it is used", () => {
    const fieldsByNode = new Map<string, Set<string>>();
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        const returned = getNamedType(field.type);
        if (!isConnection(returned)) continue;
        const node = getNamedType(returned.getFields().nodes?.type ?? returned.getFields().edges?.type);
        const nodeName = isObjectType(node) ? node.name : String(node);
        const names = fieldsByNode.get(nodeName) ?? new Set<string>();
        names.add(returned.name);
        fieldsByNode.set(nodeName, names);
        expect(returned.name, `${type.name}.${field.name}`).toBe(`${nodeName}Connection`);
        expect(getNamedType(returned.getFields().edges?.type ?? returned).name).toBe(`${nodeName}Edge`);
        expect(Object.keys(returned.getFields()).sort(), returned.name).toEqual([
          "edges",
          "nodes",
          "pageInfo",
          "totalCount",
        ]);
      }
    }
    expect([...(fieldsByNode.get("ResearchArtifact") ?? [])]).toEqual(["ResearchArtifactConnection"]);
    for (const [node, names] of fieldsByNode) expect([...names], node).toHaveLength(1);
  });

  it("payloads are one level deep: no payload field answers another payload", () => {
    const payloads = objectTypes.filter((type) => type.name.endsWith("Payload"));
    expect(payloads.length).toBeGreaterThan(10);
    const nested = payloads.flatMap((payload) =>
      Object.values(payload.getFields())
        .filter((field) => getNamedType(field.type).name.endsWith("Payload"))
        .map((field) => `${payload.name}.${field.name}`),
    );
    expect(nested).toEqual([]);
    const planStep = schema.getType("PlanStepPayload") as GraphQLObjectType;
    expect(String(planStep.getFields().plan?.type)).toBe("ResearchPlan!");
    const removed = schema.getType("RemovePlanStepPayload") as GraphQLObjectType;
    expect(String(removed.getFields().plan?.type)).toBe("ResearchPlan!");
  });

  it("root fields: non-null unless null is an answer of its own (docs/clients.md)", () => {
    const nullableByRule = ["_entities", "node", "researchPlan", "viewer"]; // _entities: its items
    const query = schema.getQueryType();
    if (!query) throw new Error("no Query");
    const fields: GraphQLField<unknown, unknown>[] = Object.values(query.getFields());
    const nullable = fields.filter((field) => !isNonNullType(field.type)).map((field) => field.name);
    expect(nullable.sort()).toEqual(["node", "researchPlan", "viewer"]);
    for (const field of fields) {
      if (isConnection(getNamedType(field.type))) expect(isNonNullType(field.type), field.name).toBe(true);
    }
    expect(nullableByRule).toEqual(expect.arrayContaining(nullable));
    const mutation = schema.getMutationType();
    const nullableMutations = Object.values(mutation?.getFields() ?? {}).filter((field) => !isNonNullType(field.type));
    expect(nullableMutations.map((field) => field.name)).toEqual([]);
  });
});

describe(`node(id:) refetches users, organizations, tokens and invitations on ${backendName}`, () => {
  let gw: TestGateway;
  let carol: SignedIn;
  let bobsToken = "";
  const acmeInvitation = "relay-test-invitation-acme";
  const initechInvitation = "relay-test-invitation-initech";

  beforeAll(async () => {
    gw = await createTestGateway();
    carol = await gw.signIn(demoUsers.carol.email);
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    await gw.db.asOwner(sql`insert into invitation (id, organization_id, email, role, status, expires_at, inviter_id)
      values (${acmeInvitation}, ${acme}, 'relay-acme@example.test', 'member', 'pending', ${expires}, ${demoUsers.alice.id}),
             (${initechInvitation}, ${initech}, 'relay-initech@example.test', 'member', 'pending', ${expires}, ${demoUsers.dave.id})`);
    const created = await createTokenForUser(
      { database: gw.db.database },
      { userId: demoUsers.bob.id, name: "bob's", scopes: ["read"], expiresAt: null },
    );
    bobsToken = created.record.id;
  });
  afterAll(() => gw?.cleanup());

  const refetch = /* GraphQL */ `query ($id: ID!, $ids: [ID!]!) {
    node(id: $id) {
      id
      ... on User { databaseId name email }
      ... on Organization { databaseId name slug }
      ... on PersonalAccessToken { name }
      ... on Invitation { email status organization { databaseId } inviter { databaseId } }
    }
    nodes(ids: $ids) { id }
  }`;

  async function ask(id: string, organizationId: string, as = demoPat) {
    const reply = await gw.graphql<{ node: Record<string, unknown> | null; nodes: ({ id: string } | null)[] }>(
      { query: refetch, variables: { id, ids: [id, id] } },
      as,
      { organizationId },
    );
    expect(reply.errors, JSON.stringify(reply.errors)).toBeUndefined();
    return reply.data;
  }

  it("answers what the caller may see: themselves, a member of the organization, its organization, their token, its invitation", async () => {
    const alice = globalId("User", demoUsers.alice.id);
    expect((await ask(alice, acme))?.node).toEqual({
      id: alice,
      databaseId: demoUsers.alice.id,
      name: demoUsers.alice.name,
      email: demoUsers.alice.email,
    });
    const bob = globalId("User", demoUsers.bob.id);
    expect((await ask(bob, acme))?.node).toMatchObject({ id: bob, databaseId: demoUsers.bob.id });
    const organization = globalId("Organization", acme);
    expect((await ask(organization, acme))?.node).toEqual({
      id: organization,
      databaseId: acme,
      name: "Acme Research",
      slug: "acme",
    });
    // Another organization the caller belongs to is visible too (Alice is in Globex).
    expect((await ask(globalId("Organization", globex), acme))?.node).toMatchObject({ databaseId: globex });
    const token = globalId("PersonalAccessToken", "demo-token-alice");
    const mine = await ask(token, acme);
    expect(mine?.node).toMatchObject({ id: token });
    expect(mine?.nodes).toEqual([{ id: token }, { id: token }]);
    const invitation = globalId("Invitation", acmeInvitation);
    expect((await ask(invitation, acme))?.node).toEqual({
      id: invitation,
      email: "relay-acme@example.test",
      status: "pending",
      organization: { databaseId: acme },
      inviter: { databaseId: demoUsers.alice.id },
    });
  });

  it("answers null, with no error, for what the caller may not see", async () => {
    const hidden = [
      // A user outside the selected organization: Carol is in Globex only, Dave in Initech only.
      globalId("User", demoUsers.carol.id),
      globalId("User", demoUsers.dave.id),
      globalId("User", "no-such-user"),
      // An organization the caller does not belong to, and none.
      globalId("Organization", initech),
      globalId("Organization", "no-such-organization"),
      // Another user's token (RLS on personal_access_token), and none.
      globalId("PersonalAccessToken", bobsToken),
      globalId("PersonalAccessToken", "no-such-token"),
      // Another organization's invitation, and none.
      globalId("Invitation", initechInvitation),
      globalId("Invitation", "no-such-invitation"),
    ];
    for (const id of hidden) expect(await ask(id, acme), id).toEqual({ node: null, nodes: [null, null] });
    // The same invitation and user, seen from the organization they belong to, answer.
    expect((await ask(globalId("User", demoUsers.carol.id), globex))?.node).toMatchObject({
      databaseId: demoUsers.carol.id,
    });
    // From Globex, Acme's invitation is another tenant's: null.
    expect((await ask(globalId("Invitation", acmeInvitation), globex))?.node).toBeNull();
    // Carol (Globex) does not see Alice's organization Acme, nor Bob (Acme only).
    expect(await ask(globalId("Organization", acme), globex, carol.cookie)).toEqual({
      node: null,
      nodes: [null, null],
    });
    expect(await ask(globalId("User", demoUsers.bob.id), globex, carol.cookie)).toEqual({
      node: null,
      nodes: [null, null],
    });
  });
});
