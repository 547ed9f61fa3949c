import { viewerRead } from "./auth-scopes.js";
import { builder } from "./builder.js";

// MCP (mirrors schema/mcp.ts): the viewer's personal access tokens, metadata only. The hash column is not
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
    description: "The viewer's personal access tokens, newest first.",
    authScopes: viewerRead,
    resolve: (query, _root, _args, ctx) =>
      ctx.tx.query.personalAccessToken.findMany(
        query({ where: { userId: ctx.principal?.userId ?? "" }, orderBy: { createdAt: "desc" } }),
      ),
  }),
}));
