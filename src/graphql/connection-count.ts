import { type AnyTableFilter, relationsFilterToSQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { TenantTransaction } from "../db/index.js";

/**
 * totalCount of a root connection: the same relational `where` the page uses, counted in SQL on the
 * operation's transaction (so RLS applies). Sent only when a client selects totalCount.
 */
export function countMatching(tx: TenantTransaction, table: PgTable, where?: AnyTableFilter): Promise<number> {
  const filter = where ? relationsFilterToSQL(table, where) : undefined;
  return tx.$count(table, filter);
}
