import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { member } from "../../schema/index.js";
import type { Auth } from "../../src/platform/auth/better-auth.js";
import { identityDatabase } from "../../src/platform/db/identity.js";
import { DEMO_PASSWORD, demoUsers, seedDemoData } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, rowsOf, serverOnlyTest, type TestDatabase } from "../support/database.js";
import {
  callAuth,
  callAuthOk,
  field,
  type SignedIn,
  sessionCookieName,
  signIn,
  signUp,
  stringField,
  testAuth,
} from "./helpers.js";

// Better Auth through its HTTP handler: sign-up, sign-in (cookie and bearer), organizations, invitations.
// member and invitation are tenant tables under FORCE RLS; Better Auth writes them through its own login.

describe(`Better Auth on ${backendName}`, () => {
  let db: TestDatabase;
  let auth: Auth;
  let alice: SignedIn;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
    auth = testAuth(db.database);
    alice = await signIn(auth, demoUsers.alice.email, DEMO_PASSWORD);
  });
  afterAll(() => db?.cleanup());

  it("signs up with email and password, storing a hashed credential", async () => {
    const eve = await signUp(auth, { email: "eve@example.test", password: "correct horse battery", name: "Eve" });
    const users = await db.asOwner<{ id: string; name: string }>(
      sql`select id, name from "user" where email = 'eve@example.test'`,
    );
    expect(users).toEqual([{ id: eve.userId, name: "Eve" }]);
    const accounts = await db.asOwner<{ provider_id: string; password: string }>(
      sql`select provider_id, password from account where user_id = ${eve.userId}`,
    );
    expect(accounts).toHaveLength(1);
    expect(accounts[0]?.provider_id).toBe("credential");
    expect(accounts[0]?.password).not.toContain("correct horse battery");
  });

  it("refuses a second sign-up with the same email", async () => {
    const again = await callAuth(auth, "/sign-up/email", {
      body: { email: "eve@example.test", password: "another password", name: "Eve again" },
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });

  it("signs in with a session cookie and a set-auth-token header naming the same session", async () => {
    const { response, body } = await callAuthOk(auth, "/sign-in/email", {
      body: { email: demoUsers.bob.email, password: DEMO_PASSWORD },
    });
    const name = await sessionCookieName(auth);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
    expect(setCookie).toMatch(/HttpOnly/i);
    const bearer = response.headers.get("set-auth-token");
    expect(bearer).toBeTruthy();
    // The cookie carries the signed token URL-encoded; the header carries it as is.
    const cookieValue = decodeURIComponent(setCookie?.split(";")[0]?.slice(name.length + 1) ?? "");
    expect(cookieValue).toBe(bearer);
    expect(bearer?.split(".")[0]).toBe(stringField(body, "token"));
    expect(response.headers.get("access-control-expose-headers")).toContain("set-auth-token");
  });

  it("refuses a wrong password without a session", async () => {
    const wrong = await callAuth(auth, "/sign-in/email", {
      body: { email: demoUsers.alice.email, password: "not-the-password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.response.headers.get("set-auth-token")).toBeNull();
  });

  it("reads the session with the cookie and with the bearer token", async () => {
    const byCookie = await callAuthOk(auth, "/get-session", { method: "GET", headers: { cookie: alice.cookie } });
    expect(field(field(byCookie.body, "user"), "id")).toBe(demoUsers.alice.id);
    const byBearer = await callAuthOk(auth, "/get-session", {
      method: "GET",
      headers: { authorization: `Bearer ${alice.bearer}` },
    });
    expect(field(field(byBearer.body, "user"), "id")).toBe(demoUsers.alice.id);
  });

  it("creates an organization with its owner, the type's database default and a TEXT id", async () => {
    const created = await callAuthOk(auth, "/organization/create", {
      body: { name: "Skunkworks", slug: "skunkworks" },
      headers: { cookie: alice.cookie },
    });
    const organizationId = stringField(created.body, "id");
    const rows = await db.asOwner<{ type: string; name: string }>(
      sql`select type::text as type, name from organization where id = ${organizationId}`,
    );
    expect(rows).toEqual([{ type: "team", name: "Skunkworks" }]);
    const members = await db.asOwner<{ user_id: string; role: string }>(
      sql`select user_id, role from member where organization_id = ${organizationId}`,
    );
    expect(members).toEqual([{ user_id: demoUsers.alice.id, role: "owner" }]);
    // Better Auth's own ids in our TEXT columns: long, random, opaque.
    expect(organizationId).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("sets the active organization on the session", async () => {
    await callAuthOk(auth, "/organization/set-active", {
      body: { organizationId: "demo-org-globex" },
      headers: { cookie: alice.cookie },
    });
    const session = await callAuthOk(auth, "/get-session", { method: "GET", headers: { cookie: alice.cookie } });
    expect(field(field(session.body, "session"), "activeOrganizationId")).toBe("demo-org-globex");
    // Not a member of Initech: Better Auth refuses, and the active organization stays.
    const refused = await callAuth(auth, "/organization/set-active", {
      body: { organizationId: "demo-org-initech" },
      headers: { cookie: alice.cookie },
    });
    expect(refused.status).toBe(403);
  });

  it("invites by email; the invitee signs up, accepts, and becomes a member", async () => {
    const invited = await callAuthOk(auth, "/organization/invite-member", {
      body: { email: "frank@example.test", role: "admin", organizationId: "demo-org-acme" },
      headers: { authorization: `Bearer ${alice.bearer}` },
    });
    const invitationId = stringField(invited.body, "id");
    const pending = await db.asOwner<{ status: string; organization_id: string; inviter_id: string }>(
      sql`select status, organization_id, inviter_id from invitation where id = ${invitationId}`,
    );
    expect(pending).toEqual([{ status: "pending", organization_id: "demo-org-acme", inviter_id: demoUsers.alice.id }]);

    const frank = await signUp(auth, { email: "frank@example.test", password: "frank-password-1", name: "Frank" });
    // Listing the invitations for an address proves nothing until the address is verified (anyone can sign
    // up with it); the id itself, sent to that address, is what lets the invitee accept.
    const unverified = await callAuth(auth, "/organization/list-user-invitations", {
      method: "GET",
      headers: { authorization: `Bearer ${frank.bearer}` },
    });
    expect(unverified.status).toBe(403);
    await db.asOwner(sql`update "user" set email_verified = true where id = ${frank.userId}`);
    const listed = await callAuthOk(auth, "/organization/list-user-invitations", {
      method: "GET",
      headers: { authorization: `Bearer ${frank.bearer}` },
    });
    expect(Array.isArray(listed.body) && listed.body.map((i) => field(i, "id"))).toEqual([invitationId]);

    await callAuthOk(auth, "/organization/accept-invitation", {
      body: { invitationId },
      headers: { cookie: frank.cookie },
    });
    const members = await db.asOwner<{ role: string }>(
      sql`select role from member where organization_id = 'demo-org-acme' and user_id = ${frank.userId}`,
    );
    expect(members).toEqual([{ role: "admin" }]);
    const accepted = await db.asOwner<{ status: string }>(
      sql`select status from invitation where id = ${invitationId}`,
    );
    expect(accepted).toEqual([{ status: "accepted" }]);
    // Accepting makes the organization active on the invitee's session.
    const session = await callAuthOk(auth, "/get-session", { method: "GET", headers: { cookie: frank.cookie } });
    expect(field(field(session.body, "session"), "activeOrganizationId")).toBe("demo-org-acme");
  });

  it("lets a member reject an invitation, and an owner cancel one", async () => {
    const rejectMe = await callAuthOk(auth, "/organization/invite-member", {
      body: { email: demoUsers.dave.email, role: "member", organizationId: "demo-org-acme" },
      headers: { cookie: alice.cookie },
    });
    const dave = await signIn(auth, demoUsers.dave.email, DEMO_PASSWORD);
    await callAuthOk(auth, "/organization/reject-invitation", {
      body: { invitationId: stringField(rejectMe.body, "id") },
      headers: { authorization: `Bearer ${dave.bearer}` },
    });
    const cancelMe = await callAuthOk(auth, "/organization/invite-member", {
      body: { email: "grace@example.test", role: "member", organizationId: "demo-org-acme" },
      headers: { cookie: alice.cookie },
    });
    await callAuthOk(auth, "/organization/cancel-invitation", {
      body: { invitationId: stringField(cancelMe.body, "id") },
      headers: { cookie: alice.cookie },
    });
    const statuses = await db.asOwner<{ email: string; status: string }>(
      sql`select email, status from invitation where email in (${demoUsers.dave.email}, 'grace@example.test') order by email`,
    );
    expect(statuses).toEqual([
      { email: demoUsers.dave.email, status: "rejected" },
      { email: "grace@example.test", status: "canceled" },
    ]);
  });

  it("refuses an invitation from someone who is not an owner or admin", async () => {
    const bob = await signIn(auth, demoUsers.bob.email, DEMO_PASSWORD);
    const refused = await callAuth(auth, "/organization/invite-member", {
      body: { email: "mallory@example.test", role: "owner", organizationId: "demo-org-acme" },
      headers: { authorization: `Bearer ${bob.bearer}` },
    });
    expect(refused.status).toBe(403);
  });

  it("the gateway's runtime role cannot write members: only Better Auth's login can", async () => {
    const write = db.database.withTenantContext({ organizationId: "demo-org-acme", userId: demoUsers.bob.id }, (tx) =>
      tx.update(member).set({ role: "owner" }).where(sql`user_id = ${demoUsers.bob.id}`),
    );
    await expect(write).rejects.toSatisfy(isPermissionDenied);
    const role = await db.asOwner<{ role: string }>(
      sql`select role from member where organization_id = 'demo-org-acme' and user_id = ${demoUsers.bob.id}`,
    );
    expect(role).toEqual([{ role: "member" }]);
  });

  serverOnlyTest(
    "on a real server, Better Auth logs in as trovella_auth (BYPASSRLS, not superuser) over FORCE RLS tables",
    async () => {
      const whoami = rowsOf<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
        await identityDatabase(db.database).execute(
          sql`select current_user, rolsuper, rolbypassrls from pg_roles where rolname = current_user`,
        ),
      );
      expect(whoami).toEqual([{ current_user: "trovella_auth", rolsuper: false, rolbypassrls: true }]);
      const forced = await db.asOwner<{ relname: string; relforcerowsecurity: boolean }>(
        sql`select relname, relforcerowsecurity from pg_class where relname in ('member', 'invitation') order by relname`,
      );
      expect(forced).toEqual([
        { relname: "invitation", relforcerowsecurity: true },
        { relname: "member", relforcerowsecurity: true },
      ]);
      // Granted the identity tables only: tenant research data is out of its reach, even with BYPASSRLS.
      await expect(identityDatabase(db.database).execute(sql`select count(*) from research_plan`)).rejects.toSatisfy(
        isPermissionDenied,
      );
    },
  );
});

/** Drizzle wraps the driver's error ("Failed query: …"); PostgreSQL's message is on the cause. */
function isPermissionDenied(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/permission denied/i.test(e.message)) return true;
  }
  return false;
}
