import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { newId, personalAccessToken, type TokenScope, tokenScopes } from "../../../schema/index.js";
import { displayPrefix, generateTokenSecret, hashTokenSecret } from "../../platform/auth/token-secrets.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { parseInput, text } from "../../schema-builder/validation.js";

// Personal access tokens: what agents and scripts send instead of a session. Only the SHA-256 of the secret and a
// short display prefix are stored; the secret is returned once, at creation.
//
// Everything here runs in the operation's transaction as `authenticated`. The table's policies (schema/base.ts
// userPolicies()) let it see and change only the rows of the transaction's user, so another user's token is
// NOT_FOUND like one that does not exist. Its column grants let it insert a token (hash included), set revoked_at,
// and read every column but the hash: nothing here ever selects or returns token_hash.

export const maxTokenNameLength = 100;

/** The credential creating a token (a Principal fits): a token may only hand out what it holds. */
export interface TokenCreator {
  userId: string;
  scopes: readonly TokenScope[];
  /** The personal access token making the call; null for a session. */
  tokenId: string | null;
}

export interface CreatePersonalAccessTokenInput {
  name: string;
  scopes: readonly TokenScope[];
  /** Must be in the future; null or absent: never expires. */
  expiresAt?: Date | null | undefined;
}

export interface CreatedPersonalAccessToken {
  /** The secret (`trv_…`). Shown once: only its hash is stored, it cannot be recovered. */
  token: string;
  tokenId: string;
}

/** A token as it may be shown: every column but the hash. */
export type PersonalAccessTokenRecord = Omit<typeof personalAccessToken.$inferSelect, "tokenHash">;

const createTokenSchema = z.object({
  name: text(maxTokenNameLength),
  scopes: z
    .array(z.enum(tokenScopes))
    .min(1, "a token needs at least one scope")
    .max(tokenScopes.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, "must not repeat a scope"),
  expiresAt: z
    .date()
    .refine((date) => date.getTime() > Date.now(), "must be in the future")
    .nullish(),
});

export const tokenNotFound = () => new GatewayError("NOT_FOUND", "No personal access token with this ID.");

/**
 * What reads of tokens filter and order by, for the relational query builder (the GraphQL fields add their
 * selection to it). The policy already limits rows to the transaction's user; the user filter of a listing is
 * there for the (user_id, created_at) index.
 */
export const tokenQueries = {
  ofUser: (userId: string) => ({ where: { userId }, orderBy: { createdAt: "desc" as const } }),
  byId: (tokenId: string) => ({ where: { id: tokenId } }),
};

/**
 * Creates a token for the creator's user. Refuses (BAD_USER_INPUT) a name that is empty or too long, no scope, a
 * repeated or unknown scope, an expiry not in the future; (FORBIDDEN) scopes the creator does not hold, and, when
 * the creator is itself an expiring token, a token that would outlive it.
 */
export async function createPersonalAccessToken(
  tx: TenantTransaction,
  creator: TokenCreator,
  input: CreatePersonalAccessTokenInput,
): Promise<CreatedPersonalAccessToken> {
  const parsed = parseInput(createTokenSchema, input);
  const missing = parsed.scopes.filter((scope) => !creator.scopes.includes(scope));
  if (missing.length > 0) {
    throw new GatewayError(
      "FORBIDDEN",
      `This credential cannot grant scopes it does not hold: ${missing.join(", ")}.`,
      {
        field: "scopes",
        missingScopes: missing,
      },
    );
  }
  const expiresAt = parsed.expiresAt ?? null;
  if (creator.tokenId) {
    const [own] = await tx
      .select({ expiresAt: personalAccessToken.expiresAt })
      .from(personalAccessToken)
      .where(eq(personalAccessToken.id, creator.tokenId));
    const limit = own?.expiresAt ?? null;
    if (limit !== null && (expiresAt === null || expiresAt > limit)) {
      throw new GatewayError("FORBIDDEN", "A token cannot create a token that outlives it: set an earlier expiresAt.", {
        field: "expiresAt",
        latestExpiresAt: limit.toISOString(),
      });
    }
  }
  const token = generateTokenSecret();
  // Stored in the canonical order.
  const scopes: TokenScope[] = tokenScopes.filter((scope) => parsed.scopes.includes(scope));
  const tokenId = newId();
  // Only the granted columns are named: drizzle's insert() lists every column (revoked_at, last_used_at as
  // DEFAULT), which `authenticated` may not insert. Nothing is returned: it may write token_hash but not read it.
  const column = (c: { name: string }) => sql.identifier(c.name);
  const t = personalAccessToken;
  await tx.execute(sql`insert into ${t}
    (${column(t.id)}, ${column(t.userId)}, ${column(t.name)}, ${column(t.tokenHash)}, ${column(t.tokenPrefix)}, ${column(t.scopes)}, ${column(t.expiresAt)})
    values (${tokenId}, ${creator.userId}, ${parsed.name}, ${hashTokenSecret(token)}, ${displayPrefix(token)},
      array[${sql.join(
        scopes.map((scope) => sql`${scope}`),
        sql`, `,
      )}]::text[], ${expiresAt?.toISOString() ?? null}::timestamptz)`);
  return { token, tokenId };
}

/** Revokes one of the user's tokens at once; revoking a revoked token changes nothing. NOT_FOUND otherwise. */
export async function revokePersonalAccessToken(tx: TenantTransaction, tokenId: string): Promise<void> {
  const [revoked] = await tx
    .update(personalAccessToken)
    .set({ revokedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(personalAccessToken.id, tokenId), isNull(personalAccessToken.revokedAt)))
    .returning({ id: personalAccessToken.id });
  if (revoked) return;
  const [existing] = await tx
    .select({ id: personalAccessToken.id })
    .from(personalAccessToken)
    .where(eq(personalAccessToken.id, tokenId));
  if (!existing) throw tokenNotFound();
}

/** The user's tokens, newest first (metadata only). */
export function listPersonalAccessTokens(tx: TenantTransaction, userId: string): Promise<PersonalAccessTokenRecord[]> {
  return tx.query.personalAccessToken.findMany({ ...tokenQueries.ofUser(userId), columns: { tokenHash: false } });
}

/** One of the user's tokens (metadata only); NOT_FOUND when there is none with this id. */
export async function findPersonalAccessToken(
  tx: TenantTransaction,
  tokenId: string,
): Promise<PersonalAccessTokenRecord> {
  const row = await tx.query.personalAccessToken.findFirst({
    ...tokenQueries.byId(tokenId),
    columns: { tokenHash: false },
  });
  if (!row) throw tokenNotFound();
  return row;
}
