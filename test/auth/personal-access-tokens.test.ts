import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenScope } from "../../schema/index.js";
import {
  createPersonalAccessToken,
  listPersonalAccessTokens,
  revokePersonalAccessToken,
} from "../../src/domains/tokens/token-service.js";
import type { Auth } from "../../src/platform/auth/better-auth.js";
import { resolvePrincipal } from "../../src/platform/auth/principal.js";
import { demoUsers, seedDemoData } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";
import { expectGatewayError, graphqlRequest, testAuth } from "./helpers.js";

describe(`personal access tokens on ${backendName}`, () => {
  let db: TestDatabase;
  let auth: Auth;
  const deps = () => ({ database: db.database });
  const resolveToken = (token: string) =>
    resolvePrincipal(graphqlRequest({ authorization: `Bearer ${token}` }), { auth, database: db.database });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
    auth = testAuth(db.database);
  });
  afterAll(() => db?.cleanup());

  it("returns the secret once and stores only its SHA-256 and a display prefix", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const { token, record } = await createPersonalAccessToken(deps(), {
      userId: demoUsers.bob.id,
      name: "  CI pipeline  ",
      scopes: ["write", "read", "read"],
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
    const { token, record } = await createPersonalAccessToken(deps(), {
      userId: demoUsers.carol.id,
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
    const base = { userId: demoUsers.bob.id, name: "ok", scopes: ["read"] as TokenScope[], expiresAt: null };
    await expectGatewayError(createPersonalAccessToken(deps(), { ...base, name: "   " }), "BAD_USER_INPUT");
    await expectGatewayError(createPersonalAccessToken(deps(), { ...base, name: "n".repeat(101) }), "BAD_USER_INPUT");
    await expectGatewayError(createPersonalAccessToken(deps(), { ...base, scopes: [] }), "BAD_USER_INPUT");
    await expectGatewayError(
      createPersonalAccessToken(deps(), { ...base, scopes: ["admin" as TokenScope] }),
      "BAD_USER_INPUT",
    );
    await expectGatewayError(
      createPersonalAccessToken(deps(), { ...base, expiresAt: new Date(Date.now() - 1000) }),
      "BAD_USER_INPUT",
    );
  });

  it("revokes the user's own token, at once and idempotently", async () => {
    const { token, record } = await createPersonalAccessToken(deps(), {
      userId: demoUsers.bob.id,
      name: "to revoke",
      scopes: ["read"],
      expiresAt: null,
    });
    expect(await resolveToken(token)).not.toBeNull();

    const revoked = await revokePersonalAccessToken(deps(), { userId: demoUsers.bob.id, tokenId: record.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expectGatewayError(resolveToken(token), "UNAUTHENTICATED");

    const again = await revokePersonalAccessToken(deps(), { userId: demoUsers.bob.id, tokenId: record.id });
    expect(again.revokedAt?.getTime()).toBe(revoked.revokedAt?.getTime());
  });

  it("treats another user's token like one that does not exist", async () => {
    const { token, record } = await createPersonalAccessToken(deps(), {
      userId: demoUsers.alice.id,
      name: "alice's",
      scopes: ["read"],
      expiresAt: null,
    });
    await expectGatewayError(
      revokePersonalAccessToken(deps(), { userId: demoUsers.bob.id, tokenId: record.id }),
      "NOT_FOUND",
    );
    await expectGatewayError(
      revokePersonalAccessToken(deps(), { userId: demoUsers.bob.id, tokenId: "no-such-token" }),
      "NOT_FOUND",
    );
    expect(await resolveToken(token)).toMatchObject({ userId: demoUsers.alice.id });
  });

  it("lists the user's own tokens, newest first, without hashes", async () => {
    const dave = demoUsers.dave.id;
    const first = await createPersonalAccessToken(deps(), {
      userId: dave,
      name: "first",
      scopes: ["read"],
      expiresAt: null,
    });
    await db.asOwner(
      sql`update personal_access_token set created_at = now() - interval '1 hour' where id = ${first.record.id}`,
    );
    const second = await createPersonalAccessToken(deps(), {
      userId: dave,
      name: "second",
      scopes: ["read"],
      expiresAt: null,
    });
    const listed = await listPersonalAccessTokens(deps(), dave);
    expect(listed.map((t) => t.id)).toEqual([second.record.id, first.record.id]);
    expect(listed.every((t) => !("tokenHash" in t))).toBe(true);
  });
});
