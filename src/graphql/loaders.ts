import DataLoader from "dataloader";
import type { TenantTransaction } from "../db/index.js";

/**
 * DataLoaders for what plugin-drizzle cannot fold into the planned query (custom fields with their own I/O,
 * entity references, payload re-reads). Created per operation on the operation's transaction, so RLS filters
 * every batch and no cache outlives the operation.
 */
export function createLoaders(tx: TenantTransaction) {
  return {
    aiModelById: new DataLoader(async (ids: readonly string[]) => {
      const rows = await tx.query.aiModel.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
