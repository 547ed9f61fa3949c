import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type SignedIn, type TestGateway } from "../support/gateway.js";
import { acme, countRows, decodeGlobalId, expectError, expectOk, globalId, run, snapshot } from "./helpers.js";

// Organizations through Better Auth: invite, accept, switch the active organization. These fields run
// outside the tenant transaction (PGlite has one connection: a Better Auth call inside one would hang), so
// they cannot be mixed with other mutations, and they need a session (a personal access token has none).

const invite = /* GraphQL */ `
  mutation ($input: InviteOrganizationMemberInput!) {
    inviteOrganizationMember(input: $input) { invitationId }
  }`;
const accept = /* GraphQL */ `
  mutation ($input: AcceptOrganizationInvitationInput!) {
    acceptOrganizationInvitation(input: $input) { invitationId memberId organizationId role }
  }`;
const setActive = /* GraphQL */ `
  mutation ($input: SetActiveOrganizationInput!) { setActiveOrganization(input: $input) { activeOrganizationId } }`;

/** What inviteOrganizationMember answers: the invitation's global ID, to refetch with node(id:). */
interface InvitedShape {
  invitationId: string;
}

const invitationNode = /* GraphQL */ `
  query ($id: ID!) {
    node(id: $id) { id ... on Invitation { email role status organization { databaseId } inviter { databaseId } } }
  }`;

describe(`organization mutations on ${backendName}`, () => {
  let gw: TestGateway;
  let alice: SignedIn;

  beforeAll(async () => {
    gw = await createTestGateway();
    alice = await gw.signIn(demoUsers.alice.email);
  });
  afterAll(() => gw?.cleanup());

  async function signUp(email: string): Promise<SignedIn> {
    const result = await gw.authPost(
      "/sign-up/email",
      { email, password: "a-long-password-1", name: email },
      { kind: "anonymous" },
    );
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return gw.signIn(email, "a-long-password-1");
  }

  async function refused(
    query: string,
    input: unknown,
    code: string,
    as: Caller,
    organizationId: string | null = null,
  ) {
    const before = await snapshot(gw.db);
    const error = expectError(await run(gw, as, query, { input }, organizationId), code);
    expect(await snapshot(gw.db)).toEqual(before);
    return error;
  }

  it("invites, and the invitee accepts and becomes a member — without a tenant transaction", async () => {
    const { result, statements } = await gw.countStatements(() =>
      run<{ inviteOrganizationMember: InvitedShape }>(
        gw,
        alice.cookie,
        invite,
        { input: { email: "  Newbie@Example.test ", role: "ADMIN" } },
        acme,
      ),
    );
    // The gateway's runtime handle sent nothing: no transaction was opened around Better Auth.
    expect(statements).toEqual([]);
    const invitation = { id: expectOk(result).inviteOrganizationMember.invitationId };
    // The one Invitation type: refetched by its global ID, in the organization it belongs to.
    const refetched = expectOk(
      await run<{ node: Record<string, unknown> | null }>(
        gw,
        alice.cookie,
        invitationNode,
        { id: invitation.id },
        acme,
      ),
    );
    expect(refetched.node).toEqual({
      id: invitation.id,
      email: "newbie@example.test",
      role: "admin",
      status: "pending",
      organization: { databaseId: acme },
      inviter: { databaseId: demoUsers.alice.id },
    });
    // Another organization's invitation is null, with no error: Alice in Globex does not see Acme's.
    const elsewhere = await run<{ node: unknown }>(
      gw,
      alice.cookie,
      invitationNode,
      { id: invitation.id },
      "demo-org-globex",
    );
    expect(elsewhere.body).toEqual({ data: { node: null } });
    const invitationId = decodeGlobalId(invitation.id);
    expect(invitationId.type).toBe("Invitation");
    expect(
      await countRows(gw.db, "invitation", sql`id = ${invitationId.id} and inviter_id = ${demoUsers.alice.id}`),
    ).toBe(1);

    const newbie = await signUp("newbie@example.test");
    const accepted = expectOk(
      await run<{ acceptOrganizationInvitation: Record<string, string> }>(
        gw,
        newbie.bearer,
        accept,
        {
          input: { invitationId: invitation.id },
        },
        null,
      ),
    ).acceptOrganizationInvitation;
    expect(accepted).toMatchObject({ invitationId: invitation.id, organizationId: acme, role: "admin" });
    expect(
      await countRows(
        gw.db,
        "member",
        sql`organization_id = ${acme} and user_id = ${newbie.userId} and role = 'admin'`,
      ),
    ).toBe(1);
    // Accepting made Acme the session's active organization: tenant fields work without X-Organization-Id.
    const plans = await run<{ researchPlans: { totalCount: number } }>(
      gw,
      newbie.bearer,
      `{ researchPlans(first: 1) { totalCount } }`,
      {},
      null,
    );
    expect(expectOk(plans).researchPlans.totalCount).toBeGreaterThan(0);
  });

  it("switches and clears the session's active organization", async () => {
    const switched = expectOk(
      await run<{ setActiveOrganization: { activeOrganizationId: string | null } }>(
        gw,
        alice.cookie,
        setActive,
        { input: { organizationId: "demo-org-globex" } },
        null,
      ),
    );
    expect(switched.setActiveOrganization.activeOrganizationId).toBe("demo-org-globex");
    const viewer = await run<{ viewer: { activeOrganization: { name: string } | null } }>(
      gw,
      alice.cookie,
      `{ viewer { activeOrganization { name } } }`,
      {},
      null,
    );
    expect(expectOk(viewer).viewer.activeOrganization?.name).toBe("Globex Labs");
    expectOk(await run(gw, alice.cookie, setActive, { input: { organizationId: null } }, null));
    const cleared = await run<{ viewer: { activeOrganization: unknown } }>(
      gw,
      alice.cookie,
      `{ viewer { activeOrganization { name } } }`,
      {},
      null,
    );
    expect(expectOk(cleared).viewer.activeOrganization).toBeNull();
  });

  it("names an organization by its global ID (what Organization.id answers) as well as by its databaseId", async () => {
    const switched = expectOk(
      await run<{ setActiveOrganization: { activeOrganizationId: string | null } }>(
        gw,
        alice.cookie,
        setActive,
        { input: { organizationId: globalId("Organization", "demo-org-globex") } },
        null,
      ),
    );
    expect(switched.setActiveOrganization.activeOrganizationId).toBe("demo-org-globex");
    expectOk(await run(gw, alice.cookie, setActive, { input: { organizationId: null } }, null));
    // Another organization's global ID is answered like its databaseId: NOT_FOUND; a global ID of another
    // type names no organization.
    await refused(
      setActive,
      { organizationId: globalId("Organization", "demo-org-initech") },
      "NOT_FOUND",
      alice.bearer,
    );
    await refused(
      setActive,
      { organizationId: globalId("ResearchPlan", "demo-org-globex") },
      "NOT_FOUND",
      alice.bearer,
    );
  });

  it("answers an organization the caller does not belong to like a missing one (NOT_FOUND)", async () => {
    await refused(
      invite,
      { organizationId: "demo-org-initech", email: "x@example.test", role: "MEMBER" },
      "NOT_FOUND",
      alice.cookie,
    );
    await refused(
      invite,
      { organizationId: "no-such-org", email: "x@example.test", role: "MEMBER" },
      "NOT_FOUND",
      alice.cookie,
    );
    await refused(setActive, { organizationId: "demo-org-initech" }, "NOT_FOUND", alice.bearer);
  });

  it("answers an invitation for someone else, or none, with NOT_FOUND", async () => {
    const invited = expectOk(
      await run<{ inviteOrganizationMember: InvitedShape }>(
        gw,
        alice.bearer,
        invite,
        {
          input: { email: "someone-else@example.test", role: "MEMBER" },
        },
        acme,
      ),
    ).inviteOrganizationMember;
    const invitation = { id: invited.invitationId };
    const dave = await gw.signIn(demoUsers.dave.email);
    await refused(accept, { invitationId: invitation.id }, "NOT_FOUND", dave.cookie);
    await refused(accept, { invitationId: globalId("Invitation", "no-such-invitation") }, "NOT_FOUND", dave.cookie);
  });

  it.each([
    ["an address that is not an email", { email: "not-an-email", role: "MEMBER" }, "email"],
    ["an address over 254 characters", { email: `${"x".repeat(250)}@example.test`, role: "MEMBER" }, "email"],
  ])("refuses %s (BAD_USER_INPUT)", async (_label, input, field) => {
    const error = await refused(invite, input, "BAD_USER_INPUT", alice.cookie, acme);
    expect(error.extensions?.field).toBe(field);
  });

  it("needs an organization to invite to (BAD_USER_INPUT), and an invitation ID of the right type", async () => {
    const bob = await gw.signIn(demoUsers.bob.email); // no active organization, no header
    const error = await refused(invite, { email: "y@example.test", role: "MEMBER" }, "BAD_USER_INPUT", bob.cookie);
    expect(error.extensions?.field).toBe("organizationId");
    await refused(accept, { invitationId: globalId("ResearchPlan", "x") }, "BAD_USER_INPUT", bob.cookie);
  });

  it("a second invitation for the same address is a CONFLICT unless resent", async () => {
    const input = { email: "twice@example.test", role: "MEMBER" };
    expectOk(await run(gw, alice.cookie, invite, { input }, acme));
    await refused(invite, input, "CONFLICT", alice.cookie, acme);
    expectOk(await run(gw, alice.cookie, invite, { input: { ...input, resend: true } }, acme));
  });

  it("Better Auth's permissions hold: a plain member cannot invite (FORBIDDEN)", async () => {
    const bob = await gw.signIn(demoUsers.bob.email);
    await refused(invite, { email: "z@example.test", role: "MEMBER" }, "FORBIDDEN", bob.cookie, acme);
  });

  it("personal access tokens have no session to act with: FORBIDDEN with a clear message", async () => {
    for (const [query, input] of [
      [invite, { email: "t@example.test", role: "MEMBER" }],
      [setActive, { organizationId: "demo-org-globex" }],
      [accept, { invitationId: globalId("Invitation", "anything") }],
    ] as const) {
      const error = await refused(query, input, "FORBIDDEN", demoPat, acme);
      expect(error.message).toMatch(/personal access token/);
    }
  });

  it("refuses to mix them with other mutations (BAD_USER_INPUT), running neither", async () => {
    const before = await snapshot(gw.db);
    const response = await run(
      gw,
      alice.cookie,
      `mutation {
        inviteOrganizationMember(input: { email: "mixed@example.test", role: MEMBER }) { invitationId }
        createResearchPlan(input: { title: "Mixed" }) { plan { id } }
      }`,
      {},
      acme,
    );
    const error = expectError(response, "BAD_USER_INPUT");
    expect(error.extensions?.fields).toEqual(["inviteOrganizationMember"]);
    expect(response.data ?? null).toBeNull();
    expect(await snapshot(gw.db)).toEqual(before);
  });

  it("runs several of them together, and in fragments", async () => {
    const response = await run<{ a: unknown; b: { activeOrganizationId: string } }>(
      gw,
      alice.cookie,
      `mutation {
        ... on Mutation { a: inviteOrganizationMember(input: { email: "frag@example.test", role: MEMBER }) { invitationId } }
        b: setActiveOrganization(input: { organizationId: "demo-org-acme" }) { activeOrganizationId }
        __typename
      }`,
      {},
      acme,
    );
    expect(expectOk(response).b.activeOrganizationId).toBe(acme);
    // A field under a false @include is not executed, so it does not count as a mix.
    const skipped = await run(
      gw,
      alice.cookie,
      `mutation ($plan: Boolean!) {
        setActiveOrganization(input: { organizationId: "demo-org-acme" }) { activeOrganizationId }
        createResearchPlan(input: { title: "Skipped" }) @include(if: $plan) { plan { id } }
      }`,
      { plan: false },
      acme,
    );
    expectOk(skipped);
  });
});
