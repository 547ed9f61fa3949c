import type DataLoader from "dataloader";
import type { TenantTransaction } from "../platform/db/index.js";

/**
 * DataLoaders for what plugin-drizzle cannot fold into the planned query (entity references, custom fields
 * with their own I/O). Created per operation on the operation's transaction, so RLS filters every batch and
 * no cache outlives the operation.
 */
export function createLoaders(_tx: TenantTransaction) {
  return {
    /** Federation entity loaders, one per entity type, created by src/domains/federation.ts on first use. */
    entities: new Map<string, DataLoader<string, { id: string } | null>>(),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
