import { and, desc, eq, isNull } from "drizzle-orm";
import { personalAccessToken, type TokenScope, tokenScopes } from "../../../schema/index.js";
import { displayPrefix, generateTokenSecret, hashTokenSecret } from "../../platform/auth/token-secrets.js";
import { identityDatabase } from "../../platform/db/identity.js";
import type { Database } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";

// Personal access tokens: what agents and scripts send instead of a session. Only the SHA-256 of the secret
// and a short display prefix are stored; the secret is returned once, at creation. Written through the
// identity handle (the table is granted to Better Auth's login, and the gateway's runtime role may read
// its metadata columns only). Like src/platform/auth/, call these outside any tenant transaction.

export interface PersonalAccessTokenDeps {
  database: Database;
}

/** A token as it may be shown: everything but the hash. */
export interface PersonalAccessTokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenPrefix: string;
  scopes: TokenScope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatePersonalAccessTokenInput {
  userId: string;
  name: string;
  scopes: readonly TokenScope[];
  /** null: never expires. Must be in the future. */
  expiresAt: Date | null;
}

export interface CreatedPersonalAccessToken {
  /** The secret (`trv_…`). Shown once: it is not stored and cannot be recovered. */
  token: string;
  record: PersonalAccessTokenRecord;
}

export const maxTokenNameLength = 100;

const recordColumns = {
  id: personalAccessToken.id,
  userId: personalAccessToken.userId,
  name: personalAccessToken.name,
  tokenPrefix: personalAccessToken.tokenPrefix,
  scopes: personalAccessToken.scopes,
  expiresAt: personalAccessToken.expiresAt,
  revokedAt: personalAccessToken.revokedAt,
  lastUsedAt: personalAccessToken.lastUsedAt,
  createdAt: personalAccessToken.createdAt,
  updatedAt: personalAccessToken.updatedAt,
};

export async function createPersonalAccessToken(
  deps: PersonalAccessTokenDeps,
  input: CreatePersonalAccessTokenInput,
): Promise<CreatedPersonalAccessToken> {
  const name = input.name.trim();
  if (name === "" || name.length > maxTokenNameLength) {
    throw new GatewayError("BAD_USER_INPUT", `A token name must have 1 to ${maxTokenNameLength} characters.`, {
      field: "name",
    });
  }
  const unknownScope = input.scopes.find((scope) => !(tokenScopes as readonly string[]).includes(scope));
  if (unknownScope !== undefined) {
    throw new GatewayError("BAD_USER_INPUT", `Unknown token scope "${unknownScope}".`, { field: "scopes" });
  }
  // Stored in the canonical order, each scope once.
  const scopes = tokenScopes.filter((scope) => input.scopes.includes(scope));
  if (scopes.length === 0) {
    throw new GatewayError("BAD_USER_INPUT", "A token needs at least one scope.", { field: "scopes" });
  }
  if (input.expiresAt !== null && !(input.expiresAt.getTime() > Date.now())) {
    throw new GatewayError("BAD_USER_INPUT", "A token's expiry must be in the future.", { field: "expiresAt" });
  }

  const token = generateTokenSecret();
  const [record] = await identityDatabase(deps.database)
    .insert(personalAccessToken)
    .values({
      userId: input.userId,
      name,
      tokenHash: hashTokenSecret(token),
      tokenPrefix: displayPrefix(token),
      scopes,
      expiresAt: input.expiresAt,
    })
    .returning(recordColumns);
  if (!record) throw new Error("inserting the personal access token returned no row");
  return { token, record };
}

/**
 * Revokes one of the user's own tokens (idempotent: revoking a revoked token returns it unchanged). A token
 * of another user, or an id that does not exist, is NOT_FOUND alike.
 */
export async function revokePersonalAccessToken(
  deps: PersonalAccessTokenDeps,
  input: { userId: string; tokenId: string },
): Promise<PersonalAccessTokenRecord> {
  const db = identityDatabase(deps.database);
  const own = and(eq(personalAccessToken.id, input.tokenId), eq(personalAccessToken.userId, input.userId));
  const [revoked] = await db
    .update(personalAccessToken)
    .set({ revokedAt: new Date() })
    .where(and(own, isNull(personalAccessToken.revokedAt)))
    .returning(recordColumns);
  if (revoked) return revoked;
  const [existing] = await db.select(recordColumns).from(personalAccessToken).where(own).limit(1);
  if (!existing) throw new GatewayError("NOT_FOUND", "No such personal access token.", { tokenId: input.tokenId });
  return existing;
}

/** The user's tokens, newest first (metadata only). */
export async function listPersonalAccessTokens(
  deps: PersonalAccessTokenDeps,
  userId: string,
): Promise<PersonalAccessTokenRecord[]> {
  return identityDatabase(deps.database)
    .select(recordColumns)
    .from(personalAccessToken)
    .where(eq(personalAccessToken.userId, userId))
    .orderBy(desc(personalAccessToken.createdAt), desc(personalAccessToken.id));
}
