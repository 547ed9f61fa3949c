import { type AnyTableFilter, relationsFilterToSQL, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { type GraphQLResolveInfo, Kind } from "graphql";
import type { TenantTransaction } from "../platform/db/index.js";
import type { GraphQLContext } from "./context.js";

// totalCount of a root connection. When the operation selects it, the page's own statement carries it: an
// uncorrelated scalar subquery (PostgreSQL evaluates it once) with the same relational `where` as the page,
// so RLS applies to both and the root field stays one data statement. A page with no rows has no row to
// carry it, and an operation that selects totalCount through a fragment is not seen here: both count in a
// statement of their own, on the operation's transaction.

/** The extra column of each page row that carries the count. */
const totalCountColumn = "pageTotalCount";

type CountExtras = { [totalCountColumn]: SQL<number> };

function selectsTotalCount(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) =>
    node.selectionSet?.selections.some(
      (selection) => selection.kind === Kind.FIELD && selection.name.value === "totalCount",
    ),
  );
}

export function countMatching(tx: TenantTransaction, table: PgTable, where?: AnyTableFilter): Promise<number> {
  const filter = where ? relationsFilterToSQL(table, where) : undefined;
  return tx.$count(table, filter);
}

/**
 * The page of a root connection: `findPage` runs the connection's query with `extras` merged in (undefined
 * when totalCount is not selected). Use with totalCountOf() on the same connection.
 */
export async function findPageCounting<Row>(
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  table: PgTable,
  where: AnyTableFilter | undefined,
  findPage: (extras: CountExtras | undefined) => Promise<Row[]>,
): Promise<Row[]> {
  if (!selectsTotalCount(info)) return findPage(undefined);
  const filter = where ? relationsFilterToSQL(table, where) : undefined;
  const count = sql<number>`(select count(*)::int from ${table}${filter ? sql` where ${filter}` : sql``})`;
  const rows = await findPage({ [totalCountColumn]: count });
  const counted = (rows[0] as Record<string, unknown> | undefined)?.[totalCountColumn];
  // The resolver and totalCount of one connection field execution share `info`.
  if (typeof counted === "number") ctx.loaders.pageCounts.set(info, counted);
  return rows;
}

/** totalCount of a connection whose page came from findPageCounting(): read off the page, else counted. */
export function totalCountOf(
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  table: PgTable,
  where?: AnyTableFilter,
): number | Promise<number> {
  return ctx.loaders.pageCounts.get(info) ?? countMatching(ctx.tx, table, where);
}
