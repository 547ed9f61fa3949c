import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TokenScope, tokenScopes } from "../../schema/index.js";
import {
  type CreatePersonalAccessTokenInput,
  createPersonalAccessToken,
  findPersonalAccessToken,
  listPersonalAccessTokens,
  revokePersonalAccessToken,
} from "../../src/domains/tokens/token-service.js";
import type { Auth } from "../../src/platform/auth/better-auth.js";
import { resolvePrincipal } from "../../src/platform/auth/principal.js";
import { demoUsers, seedDemoData, type TenantTransaction } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectGatewayError, graphqlRequest, testAuth } from "./helpers.js";

// The token service, called as the GraphQL mutations call it: in a transaction of the user through the door
// (as `authenticated`, the table's policies and column grants in force), the user signed in with a session.

describe(`personal access tokens on ${backendName}`, () => {
  let db: TestDatabase;
  let auth: Auth;
  const resolveToken = (token: string) =>
    resolvePrincipal(graphqlRequest({ authorization: `Bearer ${token}` }), { auth, database: db.database });
  /** A transaction of `userId`, viewer-level (no organization), like the token mutations'. */
  const asUser = <T>(userId: string, fn: (tx: TenantTransaction) => Promise<T>) =>
    db.database.withTenantContext({ organizationId: null, userId }, fn);
  /** Creates a token as `userId` signed in with a session (every scope), and reads it back. */
  const create = (userId: string, input: CreatePersonalAccessTokenInput) =>
    asUser(userId, async (tx) => {
      const { token, tokenId } = await createPersonalAccessToken(
        tx,
        { userId, scopes: tokenScopes, tokenId: null },
        input,
      );
      return { token, record: await findPersonalAccessToken(tx, tokenId) };
    });
  const revoke = (userId: string, tokenId: string) =>
    asUser(userId, async (tx) => {
      await revokePersonalAccessToken(tx, tokenId);
      return findPersonalAccessToken(tx, tokenId);
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
    auth = testAuth(db.database);
  });
  afterAll(() => db?.cleanup());

  it("returns the secret once and stores only its SHA-256 and a display prefix", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const { token, record } = await create(demoUsers.bob.id, {
      name: "  CI pipeline  ",
      scopes: ["write", "read"],
      expiresAt,
    });
    expect(token).toMatch(/^trv_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      userId: demoUsers.bob.id,
      name: "CI pipeline",
      tokenPrefix: token.slice(0, 10),
      scopes: ["read", "write"],
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(record.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(Object.keys(record)).not.toContain("tokenHash");

    const [row] = await db.asOwner<Record<string, unknown>>(
      sql`select * from personal_access_token where id = ${record.id}`,
    );
    expect(row?.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("authenticates with the new token, carrying exactly its scopes", async () => {
    const { token, record } = await create(demoUsers.carol.id, {
      name: "agent",
      scopes: ["agent"],
      expiresAt: null,
    });
    expect(await resolveToken(token)).toMatchObject({
      userId: demoUsers.carol.id,
      via: "personal-access-token",
      scopes: ["agent"],
      tokenId: record.id,
    });
  });

  it("refuses bad input", async () => {
    const bob = demoUsers.bob.id;
    const base = { name: "ok", scopes: ["read"] as TokenScope[], expiresAt: null };
    await expectGatewayError(create(bob, { ...base, name: "   " }), "BAD_USER_INPUT");
    await expectGatewayError(create(bob, { ...base, name: "n".repeat(101) }), "BAD_USER_INPUT");
    await expectGatewayError(create(bob, { ...base, scopes: [] }), "BAD_USER_INPUT");
    await expectGatewayError(create(bob, { ...base, scopes: ["read", "read"] }), "BAD_USER_INPUT");
    await expectGatewayError(create(bob, { ...base, scopes: ["admin" as TokenScope] }), "BAD_USER_INPUT");
    await expectGatewayError(create(bob, { ...base, expiresAt: new Date(Date.now() - 1000) }), "BAD_USER_INPUT");
  });

  it("revokes the user's own token, at once and idempotently", async () => {
    const { token, record } = await create(demoUsers.bob.id, {
      name: "to revoke",
      scopes: ["read"],
      expiresAt: null,
    });
    expect(await resolveToken(token)).not.toBeNull();

    const revoked = await revoke(demoUsers.bob.id, record.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expectGatewayError(resolveToken(token), "UNAUTHENTICATED");

    const again = await revoke(demoUsers.bob.id, record.id);
    expect(again.revokedAt?.getTime()).toBe(revoked.revokedAt?.getTime());
  });

  it("treats another user's token like one that does not exist", async () => {
    const { token, record } = await create(demoUsers.alice.id, {
      name: "alice's",
      scopes: ["read"],
      expiresAt: null,
    });
    await expectGatewayError(revoke(demoUsers.bob.id, record.id), "NOT_FOUND");
    await expectGatewayError(revoke(demoUsers.bob.id, "no-such-token"), "NOT_FOUND");
    expect(await resolveToken(token)).toMatchObject({ userId: demoUsers.alice.id });
  });

  it("lists the user's own tokens, newest first, without hashes", async () => {
    const dave = demoUsers.dave.id;
    const first = await create(dave, {
      name: "first",
      scopes: ["read"],
      expiresAt: null,
    });
    await db.asOwner(
      sql`update personal_access_token set created_at = now() - interval '1 hour' where id = ${first.record.id}`,
    );
    const second = await create(dave, {
      name: "second",
      scopes: ["read"],
      expiresAt: null,
    });
    const listed = await asUser(dave, (tx) => listPersonalAccessTokens(tx, dave));
    expect(listed.map((t) => t.id)).toEqual([second.record.id, first.record.id]);
    expect(listed.every((t) => !("tokenHash" in t))).toBe(true);
  });
});
