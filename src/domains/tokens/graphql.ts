import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { newId, personalAccessToken, type TokenScope, tokenScopes } from "../../../schema/index.js";
import { displayPrefix, generateTokenSecret, hashTokenSecret } from "../../platform/auth/token-secrets.js";
import { GatewayError } from "../../platform/errors.js";
import { actorId } from "../../schema-builder/actor.js";
import { viewerRead, viewerWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { enumFromList } from "../../schema-builder/enums.js";
import { parseInput, text } from "../../schema-builder/validation.js";
import { maxTokenNameLength } from "./token-service.js";

// MCP (mirrors schema/tokens.ts): the viewer's personal access tokens, metadata only. The hash column is not
// even granted to the gateway's role; the secret exists only in the response that created it.

export const PersonalAccessToken = builder.drizzleObject("personalAccessToken", {
  name: "PersonalAccessToken",
  description: "A token for agents and scripts. Its secret is shown once, when created.",
  select: {},
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    tokenPrefix: t.exposeString("tokenPrefix", { description: "The first characters of the secret." }),
    scopes: t.exposeStringList("scopes"),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryFields((t) => ({
  personalAccessTokens: t.drizzleField({
    type: ["personalAccessToken"],
    nullable: true,
    description: "The viewer's personal access tokens, newest first.",
    authScopes: viewerRead,
    resolve: (query, _root, _args, ctx) =>
      ctx.tx.query.personalAccessToken.findMany(
        query({ where: { userId: ctx.principal?.userId ?? "" }, orderBy: { createdAt: "desc" } }),
      ),
  }),
}));

// Creating and revoking the viewer's tokens. They run in the operation's transaction as `authenticated`,
// whose column grants allow inserting a token (hash included) and setting revoked_at, and reading every
// column but the hash: so nothing here ever selects or returns token_hash. The table is user-scoped and
// global (no RLS): every statement filters by the caller's user id, and another user's token is NOT_FOUND.

const TokenScopeEnum = enumFromList("TokenScope", tokenScopes, "What a personal access token may do.");

const tokenNotFound = () => new GatewayError("NOT_FOUND", "No personal access token with this ID.");

const CreatePersonalAccessTokenPayload = builder
  .objectRef<{ token: string; tokenId: string; userId: string }>("CreatePersonalAccessTokenPayload")
  .implement({
    fields: (t) => ({
      token: t.exposeString("token", {
        description: "The secret (`trv_…`). Shown this once: only its hash is stored, it cannot be recovered.",
      }),
      personalAccessToken: t.drizzleField({
        type: "personalAccessToken",
        resolve: async (query, payload, _args, ctx) => {
          const row = await ctx.tx.query.personalAccessToken.findFirst(
            query({ where: { id: payload.tokenId, userId: payload.userId } }),
          );
          if (!row) throw tokenNotFound();
          return row;
        },
      }),
    }),
  });

const RevokePersonalAccessTokenPayload = builder
  .objectRef<{ tokenId: string; userId: string }>("RevokePersonalAccessTokenPayload")
  .implement({
    fields: (t) => ({
      personalAccessToken: t.drizzleField({
        type: "personalAccessToken",
        resolve: async (query, payload, _args, ctx) => {
          const row = await ctx.tx.query.personalAccessToken.findFirst(
            query({ where: { id: payload.tokenId, userId: payload.userId } }),
          );
          if (!row) throw tokenNotFound();
          return row;
        },
      }),
    }),
  });

const CreatePersonalAccessTokenInput = builder.inputType("CreatePersonalAccessTokenInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: `1–${maxTokenNameLength} characters, to recognise it later.` }),
    scopes: t.field({
      type: [TokenScopeEnum],
      required: true,
      description: "At least one; never more than the credential creating it holds.",
    }),
    expiresAt: t.field({ type: "DateTime", required: false, description: "In the future; omit for no expiry." }),
  }),
});
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

const RevokePersonalAccessTokenInput = builder.inputType("RevokePersonalAccessTokenInput", {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  createPersonalAccessToken: t.field({
    type: CreatePersonalAccessTokenPayload,
    description: "Creates a token for agents and scripts. The secret is in this response only.",
    authScopes: viewerWrite,
    args: { input: t.arg({ type: CreatePersonalAccessTokenInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = actorId(ctx);
      const input = parseInput(createTokenSchema, args.input);
      const principal = ctx.principal;
      // A token may only hand out what it holds: no scope, and no lifetime, beyond its own.
      const held = principal?.scopes ?? [];
      const missing = input.scopes.filter((scope) => !held.includes(scope));
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
      const expiresAt = input.expiresAt ?? null;
      if (principal?.tokenId) {
        const [own] = await ctx.tx
          .select({ expiresAt: personalAccessToken.expiresAt })
          .from(personalAccessToken)
          .where(and(eq(personalAccessToken.id, principal.tokenId), eq(personalAccessToken.userId, userId)));
        const limit = own?.expiresAt ?? null;
        if (limit !== null && (expiresAt === null || expiresAt > limit)) {
          throw new GatewayError(
            "FORBIDDEN",
            "A token cannot create a token that outlives it: set an earlier expiresAt.",
            {
              field: "expiresAt",
              latestExpiresAt: limit.toISOString(),
            },
          );
        }
      }
      const secret = generateTokenSecret();
      const scopes: TokenScope[] = tokenScopes.filter((scope) => input.scopes.includes(scope));
      const tokenId = newId();
      // Only the granted columns are named: drizzle's insert() lists every column (revoked_at, last_used_at
      // as DEFAULT), which `authenticated` may not insert. Nothing is returned: it may write token_hash but
      // not read it back, and the payload re-reads the metadata.
      const column = (c: { name: string }) => sql.identifier(c.name);
      const t = personalAccessToken;
      await ctx.tx.execute(sql`insert into ${t}
        (${column(t.id)}, ${column(t.userId)}, ${column(t.name)}, ${column(t.tokenHash)}, ${column(t.tokenPrefix)}, ${column(t.scopes)}, ${column(t.expiresAt)})
        values (${tokenId}, ${userId}, ${input.name}, ${hashTokenSecret(secret)}, ${displayPrefix(secret)},
          array[${sql.join(
            scopes.map((scope) => sql`${scope}`),
            sql`, `,
          )}]::text[], ${expiresAt?.toISOString() ?? null}::timestamptz)`);
      return { token: secret, tokenId, userId };
    },
  }),

  revokePersonalAccessToken: t.field({
    type: RevokePersonalAccessTokenPayload,
    description: "Revokes one of your tokens at once (revoking a revoked token changes nothing).",
    authScopes: viewerWrite,
    args: { input: t.arg({ type: RevokePersonalAccessTokenInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = actorId(ctx);
      const tokenId = String(args.input.id);
      const own = and(eq(personalAccessToken.id, tokenId), eq(personalAccessToken.userId, userId));
      const [revoked] = await ctx.tx
        .update(personalAccessToken)
        .set({ revokedAt: new Date(), updatedAt: new Date() })
        .where(and(own, isNull(personalAccessToken.revokedAt)))
        .returning({ id: personalAccessToken.id });
      if (!revoked) {
        const [existing] = await ctx.tx.select({ id: personalAccessToken.id }).from(personalAccessToken).where(own);
        if (!existing) throw tokenNotFound();
      }
      return { tokenId, userId };
    },
  }),
}));
