import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoUsers, type TenantTransaction } from "../../src/platform/db/index.js";
import { acme, globex, initech, rawId } from "../graphql/helpers.js";
import { expectError, expectOk, run } from "../mutations/helpers.js";
import { backendName, rowsOf } from "../support/database.js";
import {
  type Caller,
  createTestGateway,
  demoPat,
  globalId,
  type SignedIn,
  type TestGateway,
} from "../support/gateway.js";
import { refusalOf } from "../support/pg-error.js";
import { affectedRows, Rollback, rolledBackWith } from "../support/rollback.js";
import { createTokenForUser } from "../support/tokens.js";

// The per-user policy on personal_access_token: Alice (organization Acme) against the tokens of Bob (a fellow
// member of Acme) and of Dave (Initech only), first through SQL in her own transaction through the door, where no
// application code filters anything and only the policy and the column grants stand, then through GraphQL. What
// was really written is always checked as the table owner, bypassing RLS.

const alice = demoUsers.alice.id;
const bob = demoUsers.bob.id;
const dave = demoUsers.dave.id;

interface TokenRow {
  id: string;
  user_id: string;
}

describe(`personal access tokens are the caller's own, by policy, on ${backendName}`, () => {
  let gw: TestGateway;
  let aliceSession: SignedIn;
  /** Bob's and Dave's tokens: what Alice must never reach. */
  const theirs: { id: string; token: string; prefix: string; owner: string }[] = [];

  /** Every token row as the owner, minus what merely using a token changes: equal means nothing was written. */
  const ownerDigest = async () =>
    (
      await gw.db.asOwner<{ digest: string }>(sql`
        select count(*)::text || ':' || md5(coalesce(string_agg(
          (to_jsonb(t) - 'last_used_at' - 'updated_at')::text, ',' order by t.id), '')) as digest
        from personal_access_token t`)
    )[0]?.digest;
  const ownerTokensOf = async (userId: string) =>
    (
      await gw.db.asOwner<{ id: string }>(
        sql`select id from personal_access_token where user_id = ${userId} order by id`,
      )
    ).map((row) => row.id);

  beforeAll(async () => {
    gw = await createTestGateway();
    aliceSession = await gw.signIn(demoUsers.alice.email);
    await createTokenForUser(
      { database: gw.db.database },
      { userId: alice, name: "alice's", scopes: ["read"], expiresAt: null },
    );
    for (const owner of [bob, bob, dave]) {
      const created = await createTokenForUser(
        { database: gw.db.database },
        { userId: owner, name: `${owner}'s`, scopes: ["read", "write"], expiresAt: null },
      );
      theirs.push({ id: created.record.id, token: created.token, prefix: created.record.tokenPrefix, owner });
    }
  });
  afterAll(() => gw?.cleanup());

  it("has tokens of Alice, of Bob (same organization) and of Dave (another one), checked as the owner", async () => {
    expect(await ownerTokensOf(alice)).toHaveLength(2); // the demo token and hers above
    expect(await ownerTokensOf(bob)).toHaveLength(2);
    expect(await ownerTokensOf(dave)).toHaveLength(1);
    const [membership] = await gw.db.asOwner<{ bob_in_acme: boolean; dave_in_acme: boolean }>(sql`
      select exists (select 1 from member where user_id = ${bob} and organization_id = ${acme}) as bob_in_acme,
        exists (select 1 from member where user_id = ${dave} and organization_id = ${acme}) as dave_in_acme`);
    expect(membership).toEqual({ bob_in_acme: true, dave_in_acme: false });
  });

  describe.each([
    ["in Acme", acme],
    ["with no organization (where the token mutations run)", null],
  ] as const)("SQL in Alice's transaction %s", (_label, organizationId) => {
    const asAlice = <T>(fn: (tx: TenantTransaction) => Promise<T>) =>
      gw.db.database.withTenantContext({ organizationId, userId: alice }, fn);
    const select = async (tx: TenantTransaction, where = sql`true`) =>
      rowsOf<TokenRow>(await tx.execute(sql`select id, user_id from personal_access_token where ${where} order by id`));

    it("reads her own tokens only: a full scan, Bob's and Dave's ids, user ids or prefixes find nothing", async () => {
      const mine = await ownerTokensOf(alice);
      expect(await asAlice((tx) => select(tx))).toEqual(mine.map((id) => ({ id, user_id: alice })));
      const guesses = await asAlice(async (tx) => [
        ...(await select(
          tx,
          sql`id in (${sql.join(
            theirs.map((t) => sql`${t.id}`),
            sql`, `,
          )})`,
        )),
        ...(await select(tx, sql`user_id in (${bob}, ${dave})`)),
        ...(await select(tx, sql`user_id <> ${alice}`)),
        ...(await select(
          tx,
          sql`token_prefix in (${sql.join(
            theirs.map((t) => sql`${t.prefix}`),
            sql`, `,
          )})`,
        )),
      ]);
      expect(guesses).toEqual([]);
      const [count] = await asAlice(async (tx) =>
        rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from personal_access_token`)),
      );
      expect(Number(count?.n)).toBe(mine.length);
    });

    it("never reads a hash, not even her own (column grants)", async () => {
      const refusal = await refusalOf(asAlice((tx) => tx.execute(sql`select token_hash from personal_access_token`)));
      expect(refusal.code).toBe("42501");
    });

    it("revokes none of Bob's or Dave's tokens: by id the update matches no row, without WHERE only hers", async () => {
      const before = await ownerDigest();
      for (const target of theirs) {
        const updated = await asAlice(async (tx) =>
          rowsOf<{ id: string }>(
            await tx.execute(
              sql`update personal_access_token set revoked_at = now(), updated_at = now() where id = ${target.id} returning id`,
            ),
          ),
        );
        expect(updated).toEqual([]);
      }
      // No WHERE, no RETURNING: only the UPDATE policy's USING filters. Rolled back.
      const reached = await rolledBackWith(
        asAlice(async (tx) => {
          throw new Rollback(
            String(affectedRows(await tx.execute(sql`update personal_access_token set revoked_at = now()`))),
          );
        }),
      );
      expect(reached).toBe(String((await ownerTokensOf(alice)).length));
      expect(await ownerDigest()).toBe(before);
    });

    it("cannot create a token for Bob or Dave (WITH CHECK), delete one, or hand hers over", async () => {
      const before = await ownerDigest();
      for (const userId of [bob, dave]) {
        const refusal = await refusalOf(
          asAlice((tx) =>
            tx.execute(sql`insert into personal_access_token (id, user_id, name, token_hash, token_prefix, scopes)
              values (${`forged-for-${userId}`}, ${userId}, 'forged', ${`forged-hash-${userId}`}, 'trv_forged', array['read'])`),
          ),
        );
        expect(refusal).toMatchObject({
          code: "42501",
          message: 'new row violates row-level security policy for table "personal_access_token"',
        });
      }
      const deleted = await refusalOf(
        asAlice((tx) => tx.execute(sql`delete from personal_access_token where id = ${theirs[0]?.id ?? ""}`)),
      );
      expect(deleted.code).toBe("42501");
      const handedOver = await refusalOf(
        asAlice((tx) => tx.execute(sql`update personal_access_token set user_id = ${bob} where user_id = ${alice}`)),
      );
      expect(handedOver.code).toBe("42501");
      expect(await ownerDigest()).toBe(before);
    });

    it("sees no token at all once the user setting is empty (fails closed)", async () => {
      const seen = await asAlice(async (tx) => {
        await tx.execute(sql`select set_config('app.user_id', '', true)`);
        return select(tx);
      });
      expect(seen).toEqual([]);
    });
  });

  describe("GraphQL as Alice", () => {
    const listTokens = `{ personalAccessTokens { id } }`;
    const revokeToken = /* GraphQL */ `
      mutation ($input: RevokePersonalAccessTokenInput!) {
        revokePersonalAccessToken(input: $input) { personalAccessToken { id revokedAt } }
      }`;

    it("lists her own tokens only, with a session or a token, in every organization and in none", async () => {
      const mine = await ownerTokensOf(alice);
      for (const caller of [aliceSession.cookie, demoPat] as Caller[]) {
        for (const organizationId of [acme, globex, null]) {
          const data = expectOk(
            await run<{ personalAccessTokens: { id: string }[] }>(gw, caller, listTokens, {}, organizationId),
          );
          expect(data.personalAccessTokens.map((t) => rawId(t.id)).sort()).toEqual(mine);
        }
      }
    });

    it("revoking Bob's, Dave's or a guessed token is NOT_FOUND alike, and writes nothing", async () => {
      const before = await ownerDigest();
      const messages = new Set<string>();
      for (const id of [...theirs.map((t) => t.id), "no-such-token", "demo-token-bob"]) {
        for (const organizationId of [acme, initech, null]) {
          const response = await run(
            gw,
            aliceSession.cookie,
            revokeToken,
            { input: { id: globalId("PersonalAccessToken", id) } },
            organizationId,
          );
          if (organizationId === initech) {
            // Alice is no member of Initech: refused before any token is looked at.
            expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
            continue;
          }
          messages.add(expectError(response, "NOT_FOUND").message);
        }
      }
      expect([...messages]).toEqual(["No personal access token with this ID."]);
      expect(await ownerDigest()).toBe(before);
      for (const target of theirs) {
        // Still working: not revoked.
        const viewer = await run<{ viewer: { scopes: string[] } }>(
          gw,
          { kind: "pat", token: target.token },
          `{ viewer { scopes } }`,
          {},
          null,
        );
        expect(expectOk(viewer).viewer.scopes).toEqual(["read", "write"]);
      }
    });

    it("creates tokens for herself only", async () => {
      const created = expectOk(
        await run<{ createPersonalAccessToken: { personalAccessToken: { id: string } } }>(
          gw,
          aliceSession.cookie,
          `mutation { createPersonalAccessToken(input: { name: "mine", scopes: [READ] }) { personalAccessToken { id } } }`,
          {},
          acme,
        ),
      ).createPersonalAccessToken.personalAccessToken;
      const [row] = await gw.db.asOwner<TokenRow>(
        sql`select id, user_id from personal_access_token where id = ${rawId(created.id)}`,
      );
      expect(row).toEqual({ id: rawId(created.id), user_id: alice });
    });
  });
});
