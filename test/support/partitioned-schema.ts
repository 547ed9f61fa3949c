import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api-postgres";
import { sql } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { DISTRIBUTION_COLUMN } from "../../schema/distribution.js";
import * as tables from "../../schema/tables.js";
import type { Database } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import { migrationsFolder } from "../../src/platform/db/migrate.js";
import { tablesAmong } from "../../src/platform/db/scripts/distribution-keys.js";

// The whole schema with every tenant table hash-partitioned by organization_id: the proof, on a machine where
// Citus cannot be installed, that the keys are what a database distributed by the tenant column accepts
// (PostgreSQL's partitioning has Citus' rule: primary and unique keys must include the partition key). See
// docs/citus.md for what it proves and what it does not.
//
// Built from the same definitions as the migrations, never from a hand-kept copy of the DDL:
// - drizzle-kit (its programmatic API) generates the DDL of schema/tables.ts as one migration from nothing;
//   every tenant table's CREATE TABLE gets `PARTITION BY HASH (organization_id)`;
// - a composite tenant foreign key's ON DELETE SET NULL nulls only its own column, keeping organization_id
//   (what the set_null_columns and plan_references_set_null migrations do by hand, drizzle-kit cannot say it);
// - the custom migrations in drizzle/ (those whose snapshot records no schema change: roles, extensions, FORCE
//   RLS and grants...) run verbatim, the ones before the first generated migration first, the others after;
// - the partitions (MODULUS n) are created last, so secure_tenant_tables() never sees them: queries name the
//   parent, whose policies and grants apply.
// The migrations journal is not written: a partitioned test database is built once and never migrated.

/** How many hash partitions the tests' partitioned schema has when TEST_SCHEMA_PARTITIONS asks for it. */
export const DEFAULT_PARTITIONS = 8;

interface MigrationFolder {
  name: string;
  statements: string[];
  /** drizzle-kit recorded no schema change: a custom migration (`drizzle-kit generate --custom`). */
  custom: boolean;
}

function readMigrationFolders(): MigrationFolder[] {
  const names = readdirSync(migrationsFolder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  let previousDdl = "[]";
  return names.map((name) => {
    const folder = path.join(migrationsFolder, name);
    const snapshot = JSON.parse(readFileSync(path.join(folder, "snapshot.json"), "utf8")) as { ddl: unknown };
    const ddl = JSON.stringify(snapshot.ddl);
    const custom = ddl === previousDdl;
    previousDdl = ddl;
    const statements = readFileSync(path.join(folder, "migration.sql"), "utf8")
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter((statement) => statement.length > 0);
    return { name, statements, custom };
  });
}

/** SQL names of the tenant tables schema/tables.ts declares. */
export function tenantTableNames(): string[] {
  return tablesAmong(tables)
    .map((table) => getTableConfig(table))
    .filter((config) => config.columns.some((column) => column.name === DISTRIBUTION_COLUMN))
    .map((config) => config.name)
    .sort();
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The generated DDL of schema/tables.ts, tenant tables partitioned, tenant SET NULL keys narrowed. */
async function generatedSchemaStatements(tenantTables: Set<string>): Promise<string[]> {
  const statements = await generateMigration(
    await generateDrizzleJson({}),
    await generateDrizzleJson(tables as Record<string, unknown>),
  );
  return statements.map((statement) => {
    const created = /^CREATE TABLE "([^"]+)" \(/.exec(statement);
    if (created?.[1] && tenantTables.has(created[1])) {
      if (!statement.trimEnd().endsWith(");")) throw new Error(`unexpected CREATE TABLE shape: ${statement}`);
      return `${statement.trimEnd().slice(0, -1)} PARTITION BY HASH (${quoted(DISTRIBUTION_COLUMN)});`;
    }
    return statement.replace(
      /FOREIGN KEY \("organization_id","([^"]+)"\) REFERENCES ("[^"]+")\("organization_id","id"\) ON DELETE SET NULL(?! \()/,
      (_match, column: string, parent: string) =>
        `FOREIGN KEY ("organization_id","${column}") REFERENCES ${parent}("organization_id","id") ON DELETE SET NULL ("${column}")`,
    );
  });
}

/** Every statement that builds the partitioned schema, in order. */
export async function partitionedSchemaStatements(partitions: number): Promise<string[]> {
  if (!Number.isInteger(partitions) || partitions < 2) throw new Error(`partitions must be an integer ≥ 2`);
  const tenantTables = tenantTableNames();
  const folders = readMigrationFolders();
  const firstGenerated = folders.findIndex((folder) => !folder.custom);
  if (firstGenerated < 0) throw new Error(`no generated migration in ${migrationsFolder}`);
  const customBefore = folders.slice(0, firstGenerated).filter((folder) => folder.custom);
  const customAfter = folders.slice(firstGenerated).filter((folder) => folder.custom);
  const partitionStatements = tenantTables.flatMap((table) =>
    Array.from(
      { length: partitions },
      (_, remainder) =>
        `CREATE TABLE ${quoted(`${table}_p${remainder}`)} PARTITION OF ${quoted(table)} FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${remainder});`,
    ),
  );
  return [
    ...customBefore.flatMap((folder) => folder.statements),
    ...(await generatedSchemaStatements(new Set(tenantTables))),
    ...customAfter.flatMap((folder) => folder.statements),
    ...partitionStatements,
    "SELECT trovella_private.secure_tenant_tables();",
  ];
}

/** Builds the partitioned schema into an empty database, as its owner, in one transaction. */
export async function buildPartitionedSchema(database: Database, partitions: number): Promise<void> {
  const statements = await partitionedSchemaStatements(partitions);
  const { owner } = connectionsOf(database);
  await owner.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(sql.raw(statement));
  });
}
