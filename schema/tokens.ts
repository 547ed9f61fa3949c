import { defineRelationsPart } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { user } from "./auth.js";
import { baseColumns, userPolicies } from "./base.js";

// Personal access tokens that agents and scripts use instead of a session. Global and user-scoped: the tenant is
// chosen per request (X-Organization-Id) and membership is checked like for a session. `authenticated` reaches
// only the rows of the transaction's user (userPolicies), and never the hash column (column grants).

export const tokenScopes = ["read", "write", "agent"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const personalAccessToken = pgTable.withRLS(
  "personal_access_token",
  {
    ...baseColumns(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** SHA-256 of the secret, hex. The secret itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    /** The first characters of the secret, for people to recognise it in a list. */
    tokenPrefix: text("token_prefix").notNull(),
    scopes: text("scopes").$type<TokenScope>().array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...userPolicies("personal_access_token", t),
    uniqueIndex("personal_access_token_hash_key").on(t.tokenHash),
    index("personal_access_token_user_idx").on(t.userId, t.createdAt),
  ],
);

export const tokenRelations = defineRelationsPart({ user, personalAccessToken }, (r) => ({
  personalAccessToken: {
    user: r.one.user({ from: r.personalAccessToken.userId, to: r.user.id, optional: false }),
  },
  user: {
    personalAccessTokens: r.many.personalAccessToken({ from: r.user.id, to: r.personalAccessToken.userId }),
  },
}));
