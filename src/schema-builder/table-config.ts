import { type Column, getColumns, type Table } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { DISTRIBUTION_COLUMN } from "../../schema/distribution.js";

/**
 * The table configs plugin-drizzle reads, with a tenant table's primary key (organization_id, id) shown as (id).
 * plugin-drizzle takes the primary key as the tie-breaker of every cursor and ORDER BY and as the key it
 * reloads a row by. Inside an operation every row it sees belongs to the one tenant (RLS), so id alone is unique
 * there; (organization_id, id) would put the tenant's id into every cursor and every ordering, for nothing.
 */
export function tableConfigForGraphql(table: Table) {
  const config = getTableConfig(table as PgTable);
  const [primaryKey] = config.primaryKeys;
  const id = getColumns(table).id as Column | undefined;
  if (!primaryKey || !id || !primaryKey.columns.some((column) => column.name === DISTRIBUTION_COLUMN)) return config;
  return { ...config, primaryKeys: [{ columns: [id] }] };
}
