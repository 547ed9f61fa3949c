import { randomBytes } from "node:crypto";
import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import { it } from "vitest";
import { type ConnectionOptions, Database, migrate } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import { buildPartitionedSchema } from "./partitioned-schema.js";

// Test databases: an in-memory PGlite by default, or a fresh database on the server named by
// TEST_DATABASE_URL (created here, migrated, dropped by cleanup). Both run the same migrations.
// TEST_SCHEMA_PARTITIONS=n builds the schema with every tenant table hash-partitioned by organization_id into n
// partitions instead (test/support/partitioned-schema.ts; CI runs the isolation matrix, the cross-tenant suite
// and the write API's tests that way on the server, see docs/citus.md).

export const serverUrl = process.env.TEST_DATABASE_URL || undefined;
/** Partitions per tenant table asked for by TEST_SCHEMA_PARTITIONS, or undefined for the migrated schema. */
export const schemaPartitions = process.env.TEST_SCHEMA_PARTITIONS
  ? Number(process.env.TEST_SCHEMA_PARTITIONS)
  : undefined;
export const backendName = `${serverUrl ? "postgres" : "pglite"}${schemaPartitions ? `, ${schemaPartitions} hash partitions per tenant table` : ""}`;

/** How a test database gets its schema: the migrations, unless TEST_SCHEMA_PARTITIONS asks for partitions. */
export type SchemaBuilder = (database: Database) => Promise<void>;
const defaultSchemaBuilder: SchemaBuilder = (database) =>
  schemaPartitions ? buildPartitionedSchema(database, schemaPartitions) : migrate(database);

export interface TestDatabase {
  database: Database;
  /** The owner's URL of this test database on the server (undefined on PGlite): to open more pools onto it. */
  databaseUrl: string | undefined;
  /** Runs SQL as the tables' owner (superuser here): to check what really was written, bypassing RLS. */
  asOwner<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(
  options: Pick<ConnectionOptions, "poolSize" | "onStatement" | "planCacheSize" | "preparedStatements"> & {
    buildSchema?: SchemaBuilder;
  } = {},
): Promise<TestDatabase> {
  const { buildSchema = defaultSchemaBuilder, ...connectionOptions } = options;
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (serverUrl) {
    const name = `trovella_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    };
  }
  const database = await Database.open({ databaseUrl, pgliteDataDir: "memory://", ...connectionOptions });
  try {
    await buildSchema(database);
  } catch (error) {
    await database.close();
    await dropDatabase();
    throw error;
  }
  const { owner } = connectionsOf(database);
  return {
    database,
    databaseUrl,
    asOwner: async <T>(query: SQL) => rowsOf<T>(await owner.execute(query)),
    cleanup: async () => {
      await database.close();
      await dropDatabase();
    },
  };
}

/** postgres.js returns the rows; PGlite returns { rows }. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * Registers a test only on a real PostgreSQL server: for what PGlite does not have (a second login role
 * over its own connection, statement timers). On PGlite the test does not exist, rather than showing skipped.
 */
export function serverOnlyTest(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (serverUrl) it(name, fn, timeout);
}
