import { tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { Viewer } from "./types.js";

// Root fields of identity: who is calling, and the organization this request acts in.

builder.queryFields((t) => ({
  viewer: t.field({
    type: Viewer,
    nullable: true,
    description: "Who is calling; null when nobody is signed in.",
    resolve: (_root, _args, ctx) => (ctx.principal ? { userId: ctx.principal.userId } : null),
  }),
  organization: t.drizzleField({
    type: "organization",
    description: "The organization this request acts in.",
    authScopes: tenantRead,
    resolve: async (query, _root, _args, ctx) => {
      const organization = await ctx.tx.query.organization.findFirst(
        query({ where: { id: ctx.principal?.organizationId ?? "" } }),
      );
      if (!organization) throw new Error("the selected organization has no row");
      return organization;
    },
  }),
}));
