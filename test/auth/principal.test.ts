import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { researchPlan } from "../../schema/index.js";
import type { Auth } from "../../src/platform/auth/better-auth.js";
import {
  lastUsedThrottleMs,
  listMemberships,
  type Principal,
  resolvePrincipal,
} from "../../src/platform/auth/principal.js";
import { DEMO_PASSWORD, DEMO_TOKEN, demoUsers, seedDemoData } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";
import { createTokenForUser } from "../support/tokens.js";
import {
  addMemberByInvitation,
  callAuthOk,
  expectGatewayError,
  graphqlRequest,
  type SignedIn,
  signIn,
  signUp,
  stringField,
  testAuth,
} from "./helpers.js";

// resolvePrincipal: who is calling (cookie, bearer session token, personal access token) and for which
// tenant (X-Organization-Id, else the session's active organization), with membership read on every call.

describe(`resolvePrincipal on ${backendName}`, () => {
  let db: TestDatabase;
  let auth: Auth;
  let alice: SignedIn;
  const resolve = (headers: Record<string, string> = {}, responseHeaders?: Headers) =>
    resolvePrincipal(graphqlRequest(headers), { auth, database: db.database }, { responseHeaders });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
    auth = testAuth(db.database);
    alice = await signIn(auth, demoUsers.alice.email, DEMO_PASSWORD);
  });
  afterAll(() => db?.cleanup());

  describe("who is calling", () => {
    it("is nobody without credentials", async () => {
      expect(await resolve()).toBeNull();
      expect(await resolve({ cookie: "theme=dark; lang=en" })).toBeNull();
    });

    it("reads the session cookie", async () => {
      const principal = await resolve({ cookie: `theme=dark; ${alice.cookie}` });
      expect(principal).toMatchObject({
        userId: demoUsers.alice.id,
        via: "session-cookie",
        scopes: ["read", "write", "agent"],
        organizationId: null,
        memberRole: null,
        tokenId: null,
      } satisfies Partial<Principal>);
      expect(principal?.sessionId).toEqual(expect.any(String));
    });

    it("reads a bearer session token (the bearer plugin's set-auth-token)", async () => {
      const principal = await resolve({ authorization: `Bearer ${alice.bearer}` });
      expect(principal).toMatchObject({ userId: demoUsers.alice.id, via: "session-bearer", tokenId: null });
      expect(principal?.scopes).toEqual(["read", "write", "agent"]);
    });

    it("reads a personal access token, carrying its scopes", async () => {
      const principal = await resolve({ authorization: `Bearer ${DEMO_TOKEN}` });
      expect(principal).toEqual({
        userId: demoUsers.alice.id,
        via: "personal-access-token",
        scopes: ["read", "write", "agent"],
        organizationId: null,
        memberRole: null,
        memberships: [
          expect.objectContaining({ organizationId: "demo-org-acme", role: "owner" }),
          expect.objectContaining({ organizationId: "demo-org-globex", role: "member" }),
        ],
        sessionId: null,
        tokenId: "demo-token-alice",
      } satisfies Principal);

      const readOnly = await createTokenForUser(
        { database: db.database },
        { userId: demoUsers.bob.id, name: "reader", scopes: ["read"], expiresAt: null },
      );
      const bob = await resolve({ authorization: `Bearer ${readOnly.token}` });
      expect(bob).toMatchObject({ userId: demoUsers.bob.id, scopes: ["read"], tokenId: readOnly.record.id });
    });

    it("records when a token was last used, at most once a minute", async () => {
      const { token, record } = await createTokenForUser(
        { database: db.database },
        { userId: demoUsers.alice.id, name: "last used", scopes: ["read"], expiresAt: null },
      );
      const lastUsed = async () =>
        (
          await db.asOwner<{ last_used_at: Date | null }>(
            sql`select last_used_at from personal_access_token where id = ${record.id}`,
          )
        )[0]?.last_used_at ?? null;
      expect(await lastUsed()).toBeNull();

      const before = Date.now();
      await resolve({ authorization: `Bearer ${token}` });
      const first = await lastUsed();
      expect(first).not.toBeNull();
      expect(new Date(first ?? 0).getTime()).toBeGreaterThanOrEqual(before - 1000);

      await resolve({ authorization: `Bearer ${token}` });
      expect(await lastUsed()).toEqual(first);

      // Once the throttle window has passed, the next use writes again.
      const old = new Date(Date.now() - lastUsedThrottleMs - 1000);
      await db.asOwner(
        sql`update personal_access_token set last_used_at = ${old.toISOString()}::timestamptz where id = ${record.id}`,
      );
      await resolve({ authorization: `Bearer ${token}` });
      expect(new Date((await lastUsed()) ?? 0).getTime()).toBeGreaterThan(old.getTime());
    });

    it("refuses an expired personal access token", async () => {
      const { token, record } = await createTokenForUser(
        { database: db.database },
        { userId: demoUsers.alice.id, name: "short-lived", scopes: ["read"], expiresAt: new Date(Date.now() + 60_000) },
      );
      expect(await resolve({ authorization: `Bearer ${token}` })).not.toBeNull();
      await db.asOwner(
        sql`update personal_access_token set expires_at = now() - interval '1 second' where id = ${record.id}`,
      );
      await expectGatewayError(resolve({ authorization: `Bearer ${token}` }), "UNAUTHENTICATED");
    });

    it("refuses a revoked personal access token", async () => {
      const { token, record } = await createTokenForUser(
        { database: db.database },
        { userId: demoUsers.alice.id, name: "to revoke", scopes: ["read"], expiresAt: null },
      );
      await db.asOwner(sql`update personal_access_token set revoked_at = now() where id = ${record.id}`);
      await expectGatewayError(resolve({ authorization: `Bearer ${token}` }), "UNAUTHENTICATED");
    });

    it("refuses presented credentials that do not authenticate, instead of treating them as anonymous", async () => {
      await expectGatewayError(resolve({ authorization: `Bearer trv_${"x".repeat(43)}` }), "UNAUTHENTICATED");
      await expectGatewayError(resolve({ authorization: "Bearer not-a-session-token" }), "UNAUTHENTICATED");
      await expectGatewayError(resolve({ authorization: `Bearer ${alice.bearer.slice(0, -3)}abc` }), "UNAUTHENTICATED");
      await expectGatewayError(resolve({ authorization: "Basic YWxpY2U6cGFzc3dvcmQ=" }), "UNAUTHENTICATED");
      await expectGatewayError(resolve({ authorization: "Bearer" }), "UNAUTHENTICATED");
      // A valid cookie does not rescue an invalid Authorization header.
      await expectGatewayError(
        resolve({ authorization: "Bearer not-a-session-token", cookie: alice.cookie }),
        "UNAUTHENTICATED",
      );
    });

    it("lets the Authorization header speak for the caller when a cookie comes along", async () => {
      const bob = await signIn(auth, demoUsers.bob.email, DEMO_PASSWORD);
      const principal = await resolve({ authorization: `Bearer ${bob.bearer}`, cookie: alice.cookie });
      expect(principal).toMatchObject({ userId: demoUsers.bob.id, via: "session-bearer" });
    });

    it("after sign-out: the stale cookie is anonymous (and cleared), the bearer token is refused", async () => {
      const carol = await signIn(auth, demoUsers.carol.email, DEMO_PASSWORD);
      expect(await resolve({ cookie: carol.cookie })).toMatchObject({ userId: demoUsers.carol.id });
      await callAuthOk(auth, "/sign-out", { headers: { cookie: carol.cookie } });

      const responseHeaders = new Headers();
      expect(await resolve({ cookie: carol.cookie }, responseHeaders)).toBeNull();
      const cleared = responseHeaders.getSetCookie().find((c) => c.startsWith(carol.cookie.split("=")[0] ?? "?"));
      expect(cleared).toMatch(/Max-Age=0/i);
      await expectGatewayError(resolve({ authorization: `Bearer ${carol.bearer}` }), "UNAUTHENTICATED");
    });

    it("refuses X-Organization-Id without credentials", async () => {
      await expectGatewayError(resolve({ "x-organization-id": "demo-org-acme" }), "UNAUTHENTICATED");
    });
  });

  describe("which tenant", () => {
    it("follows the session's active organization", async () => {
      const dave = await signIn(auth, demoUsers.dave.email, DEMO_PASSWORD);
      const created = await callAuthOk(auth, "/organization/create", {
        body: { name: "Dave's Lab", slug: "daves-lab" },
        headers: { cookie: dave.cookie },
      });
      const labId = stringField(created.body, "id");
      // Better Auth makes a new organization active for its creator.
      expect(await resolve({ cookie: dave.cookie })).toMatchObject({ organizationId: labId, memberRole: "owner" });

      await callAuthOk(auth, "/organization/set-active", {
        body: { organizationId: "demo-org-initech" },
        headers: { cookie: dave.cookie },
      });
      expect(await resolve({ cookie: dave.cookie })).toMatchObject({
        organizationId: "demo-org-initech",
        memberRole: "owner",
      });
      expect(await resolve({ authorization: `Bearer ${dave.bearer}` })).toMatchObject({
        organizationId: "demo-org-initech",
      });

      await callAuthOk(auth, "/organization/set-active", {
        body: { organizationId: null },
        headers: { cookie: dave.cookie },
      });
      expect(await resolve({ cookie: dave.cookie })).toMatchObject({ organizationId: null, memberRole: null });
    });

    it("prefers X-Organization-Id over the active organization, checking membership", async () => {
      await callAuthOk(auth, "/organization/set-active", {
        body: { organizationId: "demo-org-globex" },
        headers: { cookie: alice.cookie },
      });
      expect(await resolve({ cookie: alice.cookie })).toMatchObject({
        organizationId: "demo-org-globex",
        memberRole: "member",
      });
      expect(await resolve({ cookie: alice.cookie, "x-organization-id": "demo-org-acme" })).toMatchObject({
        organizationId: "demo-org-acme",
        memberRole: "owner",
      });
    });

    it("gives a personal access token a tenant only through X-Organization-Id", async () => {
      expect(
        await resolve({ authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": "demo-org-globex" }),
      ).toMatchObject({ via: "personal-access-token", organizationId: "demo-org-globex", memberRole: "member" });
    });

    it("answers FORBIDDEN for an organization the caller is not a member of, or that does not exist", async () => {
      for (const organizationId of ["demo-org-initech", "no-such-organization"]) {
        await expectGatewayError(resolve({ cookie: alice.cookie, "x-organization-id": organizationId }), "FORBIDDEN");
        await expectGatewayError(
          resolve({ authorization: `Bearer ${alice.bearer}`, "x-organization-id": organizationId }),
          "FORBIDDEN",
        );
        await expectGatewayError(
          resolve({ authorization: `Bearer ${DEMO_TOKEN}`, "x-organization-id": organizationId }),
          "FORBIDDEN",
        );
      }
    });

    it("rejects a malformed X-Organization-Id", async () => {
      await expectGatewayError(
        resolve({ cookie: alice.cookie, "x-organization-id": "x".repeat(500) }),
        "BAD_USER_INPUT",
      );
    });

    it("a member removed between two requests is FORBIDDEN on the second", async () => {
      const owner = await signUp(auth, { email: "olivia@example.test", password: "olivia-password-1", name: "Olivia" });
      const created = await callAuthOk(auth, "/organization/create", {
        body: { name: "Short Stay", slug: "short-stay" },
        headers: { cookie: owner.cookie },
      });
      const organizationId = stringField(created.body, "id");
      const guest = {
        ...(await signUp(auth, { email: "gus@example.test", password: "gus-password-123", name: "Gus" })),
        email: "gus@example.test",
      };
      await addMemberByInvitation(auth, owner, organizationId, guest, "member");
      const guestToken = await createTokenForUser(
        { database: db.database },
        { userId: guest.userId, name: "gus agent", scopes: ["read"], expiresAt: null },
      );

      // Accepting made the organization active for the guest.
      expect(await resolve({ cookie: guest.cookie })).toMatchObject({ organizationId, memberRole: "member" });
      expect(
        await resolve({ authorization: `Bearer ${guestToken.token}`, "x-organization-id": organizationId }),
      ).toMatchObject({ organizationId, memberRole: "member" });

      await callAuthOk(auth, "/organization/remove-member", {
        body: { memberIdOrEmail: guest.email, organizationId },
        headers: { cookie: owner.cookie },
      });

      await expectGatewayError(resolve({ cookie: guest.cookie }), "FORBIDDEN");
      await expectGatewayError(resolve({ authorization: `Bearer ${guest.bearer}` }), "FORBIDDEN");
      await expectGatewayError(
        resolve({ authorization: `Bearer ${guestToken.token}`, "x-organization-id": organizationId }),
        "FORBIDDEN",
      );
      // Still signed in, without that tenant.
      expect(await resolve({ authorization: `Bearer ${guestToken.token}` })).toMatchObject({
        userId: guest.userId,
        organizationId: null,
      });
    });

    it("is what withTenantContext runs with, after resolving (never inside the transaction)", async () => {
      const principal = await resolve({
        authorization: `Bearer ${DEMO_TOKEN}`,
        "x-organization-id": "demo-org-globex",
      });
      if (!principal) throw new Error("expected a principal");
      const organizations = await db.database.withTenantContext(
        { organizationId: principal.organizationId, userId: principal.userId },
        async (tx) =>
          new Set((await tx.select({ org: researchPlan.organizationId }).from(researchPlan)).map((r) => r.org)),
        { readOnly: true },
      );
      expect(organizations).toEqual(new Set(["demo-org-globex"]));
    });
  });

  describe("listMemberships", () => {
    it("lists every organization of the user with the role, by name", async () => {
      const memberships = await listMemberships({ database: db.database }, demoUsers.alice.id);
      expect(
        memberships.map(({ organizationId, name, slug, type, role }) => ({ organizationId, name, slug, type, role })),
      ).toEqual([
        { organizationId: "demo-org-acme", name: "Acme Research", slug: "acme", type: "enterprise", role: "owner" },
        { organizationId: "demo-org-globex", name: "Globex Labs", slug: "globex", type: "team", role: "member" },
      ]);
      expect(memberships[0]?.joinedAt).toBeInstanceOf(Date);
      expect(await listMemberships({ database: db.database }, "no-such-user")).toEqual([]);
    });
  });
});
