import { tokenScopes } from "../../../schema/index.js";
import { actorId } from "../../schema-builder/actor.js";
import { viewerRead, viewerWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import type { GraphQLContext } from "../../schema-builder/context.js";
import { enumFromList } from "../../schema-builder/enums.js";
import { rowField } from "../../schema-builder/row-payload.js";
import {
  createPersonalAccessToken,
  maxTokenNameLength,
  revokePersonalAccessToken,
  type TokenCreator,
  tokenNotFound,
  tokenQueries,
} from "./token-service.js";

// Personal access tokens (mirrors schema/tokens.ts): the viewer's tokens, metadata only. The rules (validation,
// scopes and lifetime, hashing) are in ./token-service.ts; this file wires them to GraphQL types and fields.

export const PersonalAccessToken = builder.drizzleNode("personalAccessToken", {
  name: "PersonalAccessToken",
  description:
    "A token for agents and scripts. Its secret is shown once, when created. Only its owner sees it (RLS), `node(id:)` included.",
  select: {},
  id: { column: (token) => token.id },
  fields: (t) => ({
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
    description: "The viewer's personal access tokens, newest first.",
    authScopes: viewerRead,
    resolve: (query, _root, _args, ctx) =>
      ctx.tx.query.personalAccessToken.findMany(query(tokenQueries.ofUser(ctx.principal?.userId ?? ""))),
  }),
}));

const TokenScopeEnum = enumFromList("TokenScope", tokenScopes, "What a personal access token may do.");

/** The signed-in caller as the service's creator (the auth scopes already require one). */
function creatorOf(ctx: GraphQLContext): TokenCreator {
  return { userId: actorId(ctx), scopes: ctx.principal?.scopes ?? [], tokenId: ctx.principal?.tokenId ?? null };
}

const CreatePersonalAccessTokenPayload = builder
  .objectRef<{ token: string; tokenId: string }>("CreatePersonalAccessTokenPayload")
  .implement({
    fields: (t) => ({
      token: t.exposeString("token", {
        description: "The secret (`trv_…`). Shown this once: only its hash is stored, it cannot be recovered.",
      }),
      personalAccessToken: rowField(t, "personalAccessToken", (payload) => payload.tokenId, tokenNotFound),
    }),
  });

const RevokePersonalAccessTokenPayload = builder
  .objectRef<{ tokenId: string }>("RevokePersonalAccessTokenPayload")
  .implement({
    fields: (t) => ({
      personalAccessToken: rowField(t, "personalAccessToken", (payload) => payload.tokenId, tokenNotFound),
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

const RevokePersonalAccessTokenInput = builder.inputType("RevokePersonalAccessTokenInput", {
  fields: (t) => ({ id: t.globalID({ for: PersonalAccessToken, required: true }) }),
});

builder.mutationFields((t) => ({
  createPersonalAccessToken: t.field({
    type: CreatePersonalAccessTokenPayload,
    description: "Creates a token for agents and scripts. The secret is in this response only.",
    authScopes: viewerWrite,
    args: { input: t.arg({ type: CreatePersonalAccessTokenInput, required: true }) },
    resolve: (_root, args, ctx) => createPersonalAccessToken(ctx.tx, creatorOf(ctx), args.input),
  }),

  revokePersonalAccessToken: t.field({
    type: RevokePersonalAccessTokenPayload,
    description: "Revokes one of your tokens at once (revoking a revoked token changes nothing).",
    authScopes: viewerWrite,
    args: { input: t.arg({ type: RevokePersonalAccessTokenInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      actorId(ctx); // UNAUTHENTICATED without a principal, as before the rules moved to the service
      const tokenId = args.input.id.id;
      await revokePersonalAccessToken(ctx.tx, tokenId);
      return { tokenId };
    },
  }),
}));
