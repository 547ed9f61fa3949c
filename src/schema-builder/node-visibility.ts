import type { GraphQLContext } from "./context.js";

// Rows of some Node types are readable by the operation's role beyond what a caller may see: the global
// identity tables (`user`, `organization`) have no row-level policies. Their domain registers here who may
// see one, and `node(id:)` / `nodes(ids:)` (builder.ts) answer null, like a row that does not exist, for one
// the caller may not see. Types without an entry rely on RLS alone.

/** Whether the caller may see the row `rawId` of one Node type. */
export type NodeVisibility = (rawId: string, ctx: GraphQLContext) => boolean | Promise<boolean>;

const visibilityByType = new Map<string, NodeVisibility>();

/** Registers who may refetch rows of `typeName` by global ID. */
export function restrictNodeVisibility(typeName: string, visible: NodeVisibility): void {
  visibilityByType.set(typeName, visible);
}

/** Whether `node(id:)` may answer the row `rawId` of `typeName` (true where no rule is registered). */
export function nodeVisible(typeName: string, rawId: string, ctx: GraphQLContext): boolean | Promise<boolean> {
  return visibilityByType.get(typeName)?.(rawId, ctx) ?? true;
}
