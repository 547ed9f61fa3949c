import type DataLoader from "dataloader";
import type { FieldNode, GraphQLResolveInfo } from "graphql";
import type { TenantTransaction } from "../platform/db/index.js";

/**
 * DataLoaders for what plugin-drizzle cannot fold into the planned query (entity references, custom fields
 * with their own I/O), and what a field hands to its neighbours (page counts). Created per operation on the
 * operation's transaction, so RLS filters every batch and nothing outlives the operation.
 */
export function createLoaders(_tx: TenantTransaction) {
  return {
    /** Federation entity loaders, one per entity type, created by src/domains/federation.ts on first use. */
    entities: new Map<string, DataLoader<string, { id: string } | null>>(),
    /**
     * Rows read by id with one field's selection, one loader per field node (aliases with different
     * selections get their own): the search results' chunk and artifact (src/domains/search/graphql.ts).
     */
    rowsBySelection: new Map<FieldNode, DataLoader<string, unknown>>(),
    /** totalCount read off a root connection's page, per connection field execution (connection-count.ts). */
    pageCounts: new Map<GraphQLResolveInfo, number>(),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
