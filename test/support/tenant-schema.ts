import { type Column, getTableColumns, is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as tables from "../../schema/tables.js";
import { READ_ONLY_TENANT_TABLES } from "./rls-doctor.js";

// The tenant tables as the Drizzle schema declares them, derived (never listed by hand) from every table
// schema/tables.ts exports: a table is a tenant table when it has an organization_id column. A new table is
// therefore covered by the isolation matrix by construction.

export const ORGANIZATION_COLUMN = "organization_id";

/** A foreign key of a tenant table onto another tenant table: (organization_id, column) → parent (organization_id, id). */
export interface TenantForeignKey {
  name: string;
  /** SQL name of the referencing column (the one that is not organization_id). */
  column: string;
  /** Property name of that column on the Drizzle table. */
  columnKey: string;
  /** SQL name of the parent tenant table. */
  parent: string;
}

/** A single-column foreign key onto a global table (user, ai_model, organization...). */
export interface GlobalForeignKey {
  name: string;
  column: string;
  columnKey: string;
  parent: string;
}

export interface TenantTableInfo {
  /** SQL name. */
  name: string;
  /** Export name in schema/tables.ts. */
  exportName: string;
  table: PgTable;
  /** Column property names by SQL name. */
  columnKeys: Map<string, string>;
  tenantForeignKeys: TenantForeignKey[];
  globalForeignKeys: GlobalForeignKey[];
  /** `authenticated` may only read it (Better Auth writes it). */
  readOnly: boolean;
}

/** Every Drizzle table exported by schema/tables.ts, with its export name. */
export const drizzleTables: { exportName: string; table: PgTable }[] = [];
for (const [exportName, value] of Object.entries(tables as Record<string, unknown>)) {
  if (is(value, PgTable)) drizzleTables.push({ exportName, table: value });
}

function describeTable(exportName: string, table: PgTable): TenantTableInfo {
  const config = getTableConfig(table);
  const columnKeys = new Map<string, string>();
  for (const [key, column] of Object.entries(getTableColumns(table))) columnKeys.set(column.name, key);
  const keyOf = (column: string) => {
    const key = columnKeys.get(column);
    if (!key) throw new Error(`${config.name}: no Drizzle property for column ${column}`);
    return key;
  };
  const tenantNames = new Set(
    drizzleTables.filter((t) => isTenantTable(t.table)).map((t) => getTableConfig(t.table).name),
  );
  const tenantForeignKeys: TenantForeignKey[] = [];
  const globalForeignKeys: GlobalForeignKey[] = [];
  for (const fk of config.foreignKeys) {
    const reference = fk.reference();
    const parent = getTableConfig(reference.foreignTable).name;
    const pairs = reference.columns.map((c, i) => [c.name, reference.foreignColumns[i]?.name] as const);
    const rest = pairs.filter(([own, other]) => !(own === ORGANIZATION_COLUMN && other === ORGANIZATION_COLUMN));
    if (pairs.length === 1 && pairs[0]?.[0] === ORGANIZATION_COLUMN && parent === "organization") continue;
    if (rest.length !== 1 || rest[0]?.[1] !== "id") {
      throw new Error(
        `${config.name}: foreign key ${fk.getName()} has a shape the fixture builder does not know (${pairs
          .map(([a, b]) => `${a}→${parent}.${b}`)
          .join(", ")}); extend test/support/tenant-schema.ts`,
      );
    }
    const column = rest[0][0];
    const entry = { name: fk.getName(), column, columnKey: keyOf(column), parent };
    if (tenantNames.has(parent)) tenantForeignKeys.push(entry);
    else globalForeignKeys.push(entry);
  }
  return {
    name: config.name,
    exportName,
    table,
    columnKeys,
    tenantForeignKeys,
    globalForeignKeys,
    readOnly: (READ_ONLY_TENANT_TABLES as readonly string[]).includes(config.name),
  };
}

function isTenantTable(table: PgTable): boolean {
  return getTableConfig(table).columns.some((c) => c.name === ORGANIZATION_COLUMN);
}

/** The tenant tables, parents before children (so fixtures can be inserted in this order). */
export const tenantTables: TenantTableInfo[] = sortParentsFirst(
  drizzleTables.filter((t) => isTenantTable(t.table)).map((t) => describeTable(t.exportName, t.table)),
);

function sortParentsFirst(infos: TenantTableInfo[]): TenantTableInfo[] {
  const sorted: TenantTableInfo[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const byName = new Map(infos.map((i) => [i.name, i]));
  const visit = (info: TenantTableInfo) => {
    if (done.has(info.name)) return;
    if (visiting.has(info.name)) throw new Error(`foreign-key cycle through ${info.name}`);
    visiting.add(info.name);
    for (const fk of info.tenantForeignKeys) {
      const parent = byName.get(fk.parent);
      if (parent && parent !== info) visit(parent);
    }
    visiting.delete(info.name);
    done.add(info.name);
    sorted.push(info);
  };
  for (const info of [...infos].sort((a, b) => a.name.localeCompare(b.name))) visit(info);
  return sorted;
}

export function tenantTable(name: string): TenantTableInfo {
  const info = tenantTables.find((t) => t.name === name);
  if (!info) throw new Error(`no tenant table ${name}`);
  return info;
}

/** Columns that take part in a unique constraint or unique index (so sample values must differ per row). */
function uniqueColumns(table: PgTable): Set<string> {
  const config = getTableConfig(table);
  const names = new Set<string>();
  for (const u of config.uniqueConstraints) for (const c of u.columns) names.add(c.name);
  for (const i of config.indexes) {
    if (!i.config.unique) continue;
    for (const c of i.config.columns) if ("name" in c && typeof c.name === "string") names.add(c.name);
  }
  for (const c of config.columns) if (c.isUnique) names.add(c.name);
  return names;
}

/**
 * A value for a NOT NULL column without default, from its type alone. `sequence` makes unique columns differ;
 * other numbers are 1, which satisfies this schema's CHECKs (positions ≥ 1, ratings 1..5, tokens ≥ 0).
 */
export function sampleValue(tableName: string, column: Column, unique: boolean, sequence: number): unknown {
  const kind = column.dataType.split(" ")[0];
  if (column.enumValues && column.enumValues.length > 0) return column.enumValues[0];
  switch (kind) {
    case "string":
      return `fx-${column.name}-${sequence}`;
    case "number":
    case "bigint":
      return unique ? sequence : 1;
    case "boolean":
      return false;
    case "object":
      if (column.dataType === "object date") return new Date("2026-10-01T12:00:00Z");
      if (column.dataType === "object json") return {};
      break;
    case "array": {
      const dimensions = Number(/\((\d+)\)/.exec(column.getSQLType())?.[1] ?? 0);
      if (/vector/.test(column.dataType) && dimensions > 0) {
        return Array.from({ length: dimensions }, (_, i) => (i === 0 ? 1 : 0));
      }
      return [];
    }
  }
  throw new Error(
    `${tableName}.${column.name}: no sample value for data type "${column.dataType}"; extend test/support/tenant-schema.ts`,
  );
}

/** Where a row's foreign keys point. */
export interface RowParents {
  /** The id of the row of tenant table `parent` that foreign key `fk` should reference. */
  tenantParent(fk: TenantForeignKey): string;
  /** The id of the global row (user, ai_model, ...) that `fk` should reference. */
  globalParent(fk: GlobalForeignKey): string;
}

/**
 * A complete insertable row for a tenant table, keyed by Drizzle property: id, organization_id, every foreign
 * key (nullable ones too, so the composite keys are exercised), and a sample value for every other NOT NULL
 * column without default.
 */
export function buildRow(
  info: TenantTableInfo,
  id: string,
  organizationId: string,
  parents: RowParents,
  sequence: number,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const unique = uniqueColumns(info.table);
  const handled = new Set<string>(["id", ORGANIZATION_COLUMN]);
  row[info.columnKeys.get("id") ?? "id"] = id;
  row[info.columnKeys.get(ORGANIZATION_COLUMN) ?? "organizationId"] = organizationId;
  for (const fk of info.tenantForeignKeys) {
    row[fk.columnKey] = parents.tenantParent(fk);
    handled.add(fk.column);
  }
  for (const fk of info.globalForeignKeys) {
    row[fk.columnKey] = parents.globalParent(fk);
    handled.add(fk.column);
  }
  for (const [key, column] of Object.entries(getTableColumns(info.table))) {
    if (handled.has(column.name) || !column.notNull || column.hasDefault) continue;
    row[key] = sampleValue(info.name, column, unique.has(column.name), sequence);
  }
  return row;
}
