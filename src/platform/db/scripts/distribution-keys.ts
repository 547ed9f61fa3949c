// The distribution rule on the Drizzle definitions (what `npm run db:check` runs before drizzle-kit): a tenant
// table (one with organization_id) has a primary key and unique constraints that include organization_id, and
// indexes that lead with it unless schema/distribution.ts says why not. The RLS doctor checks the same rule on a
// database's catalog (test/support/rls-doctor.ts).
import { is } from "drizzle-orm";
import { getTableConfig, IndexedColumn, PgTable } from "drizzle-orm/pg-core";
import { DISTRIBUTION_COLUMN, indexesNotLedByTenant } from "../../../../schema/distribution.js";

/** Every Drizzle table among a module's exports. */
export function tablesAmong(exports: Record<string, unknown>): PgTable[] {
  return Object.values(exports).filter((value): value is PgTable => is(value, PgTable));
}

const columnList = (names: string[]) => `(${names.join(", ")})`;

/** Names of an index's columns; an expression shows as `<expression>`. */
function indexColumnNames(columns: unknown[]): string[] {
  return columns.map((column) => (is(column, IndexedColumn) && column.name ? column.name : "<expression>"));
}

/**
 * What keeps these tables from being distributed (or hash-partitioned) by organization_id; empty when nothing.
 * `allowList` names the indexes that may skip organization_id, with the reason (default: schema/distribution.ts).
 */
export function distributionKeyProblems(
  tables: PgTable[],
  allowList: Readonly<Record<string, string>> = indexesNotLedByTenant,
): string[] {
  const problems: string[] = [];
  const allowedIndexesSeen = new Set<string>();
  for (const table of tables) {
    const config = getTableConfig(table);
    if (!config.columns.some((column) => column.name === DISTRIBUTION_COLUMN)) continue;
    const name = config.name;

    const primaryKeys = [
      ...config.columns.filter((column) => column.primary).map((column) => [column.name]),
      ...config.primaryKeys.map((key) => key.columns.map((column) => column.name)),
    ];
    if (primaryKeys.length === 0) problems.push(`${name}: has no primary key, expected (${DISTRIBUTION_COLUMN}, id)`);
    for (const key of primaryKeys) {
      if (!key.includes(DISTRIBUTION_COLUMN)) {
        problems.push(`${name}: primary key ${columnList(key)} does not include ${DISTRIBUTION_COLUMN}`);
      }
    }

    const uniques: { label: string; columns: string[] }[] = [
      ...config.columns
        .filter((column) => column.isUnique)
        .map((column) => ({ label: `unique constraint on ${column.name}`, columns: [column.name] })),
      ...config.uniqueConstraints.map((unique) => ({
        label: `unique constraint ${unique.getName()}`,
        columns: unique.columns.map((column) => column.name),
      })),
      ...config.indexes
        .filter((index) => index.config.unique)
        .map((index) => ({
          label: `unique index ${index.config.name ?? "(unnamed)"}`,
          columns: indexColumnNames(index.config.columns),
        })),
    ];
    for (const unique of uniques) {
      if (!unique.columns.includes(DISTRIBUTION_COLUMN)) {
        problems.push(`${name}: ${unique.label} ${columnList(unique.columns)} does not include ${DISTRIBUTION_COLUMN}`);
      }
    }

    for (const index of config.indexes) {
      const indexName = index.config.name ?? "(unnamed)";
      const columns = indexColumnNames(index.config.columns);
      if (columns[0] === DISTRIBUTION_COLUMN) continue;
      if (index.config.name && allowList[index.config.name]) {
        allowedIndexesSeen.add(index.config.name);
        continue;
      }
      problems.push(
        `${name}: index ${indexName} ${columnList(columns)} does not lead with ${DISTRIBUTION_COLUMN} and schema/distribution.ts gives no reason`,
      );
    }
  }
  for (const indexName of Object.keys(allowList)) {
    if (!allowedIndexesSeen.has(indexName)) {
      problems.push(
        `schema/distribution.ts: ${indexName} is allowed not to lead with ${DISTRIBUTION_COLUMN}, but no tenant table has such an index (remove the entry)`,
      );
    }
  }
  return problems;
}
