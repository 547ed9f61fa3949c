import { sql } from "drizzle-orm";
import type { GraphQLContext } from "../../schema-builder/context.js";
import { restrictNodeVisibility } from "../../schema-builder/node-visibility.js";

// Who may see which user and organization when asking by id (`node(id:)`, federation's `_entities`): the same
// rule as the fields that reach them. Organizations: those the caller belongs to. Users: the caller, and members
// of the current organization (`member` rows are tenant-scoped by RLS). Anything else is null, never an error.

/** Relational `where` of the organizations the caller may see. */
export function visibleOrganizations(ctx: GraphQLContext) {
  return { id: { in: ctx.principal?.memberships.map((m) => m.organizationId) ?? [] } };
}

/** Relational `where` of the users the caller may see. */
export function visibleUsers(ctx: GraphQLContext) {
  return {
    RAW: (t: { id: unknown }) =>
      sql`(${t.id} = ${ctx.principal?.userId ?? ""} or exists (select 1 from "member" m where m.user_id = ${t.id}))`,
  };
}

restrictNodeVisibility(
  "Organization",
  (id, ctx) => ctx.principal?.memberships.some((membership) => membership.organizationId === id) ?? false,
);
restrictNodeVisibility("User", async (id, ctx) => {
  if (id === ctx.principal?.userId) return true;
  const user = await ctx.tx.query.user.findFirst({
    where: { AND: [visibleUsers(ctx), { id }] },
    columns: { id: true },
  });
  return user !== undefined;
});
