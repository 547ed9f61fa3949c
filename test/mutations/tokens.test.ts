import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayPrefix, hashTokenSecret } from "../../src/platform/auth/token-secrets.js";
import { demoUsers } from "../../src/platform/db/index.js";
import { backendName } from "../support/database.js";
import { type Caller, createTestGateway, demoPat, type SignedIn, type TestGateway } from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";
import { countRows, decodeGlobalId, expectError, expectOk, globalId, patWith, run, snapshot } from "./helpers.js";

// Personal access tokens through GraphQL: created and revoked in the operation's transaction as
// `authenticated` (column grants: it may write the hash, never read it), for the caller only, and never with
// more scopes or a longer life than the credential creating them.

const createToken = /* GraphQL */ `
  mutation ($input: CreatePersonalAccessTokenInput!) {
    createPersonalAccessToken(input: $input) {
      token
      personalAccessToken { id name tokenPrefix scopes expiresAt revokedAt lastUsedAt createdAt }
    }
  }`;
const revokeToken = /* GraphQL */ `
  mutation ($input: RevokePersonalAccessTokenInput!) {
    revokePersonalAccessToken(input: $input) { personalAccessToken { id name revokedAt } }
  }`;

interface TokenShape {
  id: string;
  name: string;
  tokenPrefix: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt: string | null;
}
interface Created {
  createPersonalAccessToken: { token: string; personalAccessToken: TokenShape };
}

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

describe(`personal access token mutations on ${backendName}`, () => {
  let gw: TestGateway;
  let alice: SignedIn;

  beforeAll(async () => {
    gw = await createTestGateway();
    alice = await gw.signIn(demoUsers.alice.email);
  });
  afterAll(() => gw?.cleanup());

  async function create(input: unknown, as: Caller = alice.cookie): Promise<Created["createPersonalAccessToken"]> {
    // Viewer-level: no organization needed.
    return expectOk(await run<Created>(gw, as, createToken, { input }, null)).createPersonalAccessToken;
  }

  async function refused(query: string, input: unknown, code: string, field?: string, as: Caller = alice.cookie) {
    const before = await snapshot(gw.db);
    const error = expectError(await run(gw, as, query, { input }, null), code, field);
    expect(await snapshot(gw.db)).toEqual(before);
    return error;
  }

  it("creates a token whose secret is shown once and stored only as its hash", async () => {
    const expiresAt = inOneDay();
    const { result: created, statements } = await gw.countStatements(() =>
      create({ name: "  CI agent  ", scopes: ["AGENT", "READ"], expiresAt }),
    );
    expect(created.token).toMatch(/^trv_[\w-]{43}$/);
    expect(created.personalAccessToken).toMatchObject({
      name: "CI agent",
      tokenPrefix: displayPrefix(created.token),
      scopes: ["read", "agent"],
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    });
    const rows = await gw.db.asOwner<{ user_id: string; token_hash: string }>(
      sql`select user_id, token_hash from personal_access_token where id = ${decodeGlobalId(created.personalAccessToken.id).id}`,
    );
    expect(rows).toEqual([{ user_id: demoUsers.alice.id, token_hash: hashTokenSecret(created.token) }]);
    const withSecret = await gw.db.asOwner(
      sql`select id from personal_access_token t where strpos(to_jsonb(t)::text, ${created.token}) > 0`,
    );
    expect(withSecret).toEqual([]);
    // The runtime role may write the hash but never reads it back: no statement selects or returns it.
    const mentions = statements.filter((s) => s.includes("token_hash"));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatch(/^insert into "personal_access_token"/);
    expect(mentions[0]?.split(/\breturning\b/)[1] ?? "").not.toContain("token_hash");

    // The new token works, with exactly its scopes.
    const viewer = await run<{ viewer: { scopes: string[] } }>(
      gw,
      { kind: "pat", token: created.token },
      `{ viewer { scopes } }`,
      {},
      null,
    );
    expect(expectOk(viewer).viewer.scopes).toEqual(["read", "agent"]);
  });

  it.each([
    ["an empty name", { name: " ", scopes: ["READ"] }, "name"],
    ["a name over 100 characters", { name: "x".repeat(101), scopes: ["READ"] }, "name"],
    ["no scopes", { name: "n", scopes: [] }, "scopes"],
    ["a repeated scope", { name: "n", scopes: ["READ", "READ"] }, "scopes"],
    ["an expiry in the past", { name: "n", scopes: ["READ"], expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt"],
  ])("refuses %s (BAD_USER_INPUT), writing nothing", async (_label, input, field) => {
    await refused(createToken, input, "BAD_USER_INPUT", field);
  });

  it("refuses an unknown scope (the schema's enum)", async () => {
    await refused(createToken, { name: "n", scopes: ["ADMIN"] }, "BAD_USER_INPUT");
  });

  it("a token cannot mint a token with scopes it does not hold (FORBIDDEN), but may with its own", async () => {
    const readWrite = await patWith(gw.db, ["read", "write"]);
    const error = await refused(
      createToken,
      { name: "escalate", scopes: ["READ", "AGENT"] },
      "FORBIDDEN",
      "scopes",
      readWrite,
    );
    expect(error.extensions?.missingScopes).toEqual(["agent"]);
    const minted = await create({ name: "narrower", scopes: ["READ"] }, readWrite);
    expect(minted.personalAccessToken.scopes).toEqual(["read"]);
    // Without `write`, no token at all.
    await refused(
      createToken,
      { name: "n", scopes: ["READ"] },
      "FORBIDDEN",
      undefined,
      await patWith(gw.db, ["read", "agent"]),
    );
  });

  it("a token that expires cannot mint one that outlives it (FORBIDDEN)", async () => {
    const expiring = await createTokenForUser(
      { database: gw.db.database },
      {
        userId: demoUsers.alice.id,
        name: "expiring",
        scopes: ["read", "write"],
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    );
    const caller: Caller = { kind: "pat", token: expiring.token };
    await refused(createToken, { name: "forever", scopes: ["READ"] }, "FORBIDDEN", "expiresAt", caller);
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await refused(createToken, { name: "later", scopes: ["READ"], expiresAt: later }, "FORBIDDEN", "expiresAt", caller);
    const sooner = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await create({ name: "sooner", scopes: ["READ"], expiresAt: sooner }, caller)).personalAccessToken.expiresAt,
    ).toBe(sooner);
  });

  it("revokes the caller's own token at once; revoking again changes nothing", async () => {
    const created = await create({ name: "short-lived", scopes: ["READ"] });
    const id = created.personalAccessToken.id;
    const revoked = expectOk(
      await run<{ revokePersonalAccessToken: { personalAccessToken: TokenShape } }>(
        gw,
        alice.bearer,
        revokeToken,
        { input: { id } },
        null,
      ),
    ).revokePersonalAccessToken.personalAccessToken;
    expect(revoked).toMatchObject({ id, name: "short-lived", revokedAt: expect.any(String) });
    const refusedNow = await run(gw, { kind: "pat", token: created.token }, `{ viewer { scopes } }`, {}, null);
    expectError(refusedNow, "UNAUTHENTICATED");
    const again = expectOk(
      await run<{ revokePersonalAccessToken: { personalAccessToken: TokenShape } }>(
        gw,
        alice.cookie,
        revokeToken,
        { input: { id } },
        null,
      ),
    ).revokePersonalAccessToken.personalAccessToken;
    expect(again.revokedAt).toBe(revoked.revokedAt);
  });

  it("answers another user's token, or an unknown id, with NOT_FOUND, writing nothing", async () => {
    const bobs = await createTokenForUser(
      { database: gw.db.database },
      { userId: demoUsers.bob.id, name: "bob's", scopes: ["read"], expiresAt: null },
    );
    await refused(revokeToken, { id: globalId("PersonalAccessToken", bobs.record.id) }, "NOT_FOUND");
    await refused(revokeToken, { id: globalId("PersonalAccessToken", "no-such-token") }, "NOT_FOUND");
    const [row] = await gw.db.asOwner<{ revoked_at: Date | null }>(
      sql`select revoked_at from personal_access_token where id = ${bobs.record.id}`,
    );
    expect(row?.revoked_at).toBeNull();
  });

  it("a read-only token can neither create nor revoke tokens (FORBIDDEN)", async () => {
    const reader = await patWith(gw.db, ["read"]);
    await refused(createToken, { name: "n", scopes: ["READ"] }, "FORBIDDEN", undefined, reader);
    await refused(
      revokeToken,
      { id: globalId("PersonalAccessToken", "demo-token-alice") },
      "FORBIDDEN",
      undefined,
      reader,
    );
    await refused(createToken, { name: "n", scopes: ["READ"] }, "UNAUTHENTICATED", undefined, { kind: "anonymous" });
  });

  it("leaves no token behind when a later field of the operation fails", async () => {
    const before = await countRows(gw.db, "personal_access_token");
    const response = await run(
      gw,
      demoPat,
      `mutation ($id: ID!) {
        createPersonalAccessToken(input: { name: "rolled back", scopes: [READ] }) { token }
        revokePersonalAccessToken(input: { id: $id }) { personalAccessToken { id } }
      }`,
      { id: globalId("PersonalAccessToken", "no-such-token") },
      null,
    );
    expectError(response, "NOT_FOUND");
    expect(await countRows(gw.db, "personal_access_token")).toBe(before);
    expect(await countRows(gw.db, "personal_access_token", sql`name = 'rolled back'`)).toBe(0);
  });
});
