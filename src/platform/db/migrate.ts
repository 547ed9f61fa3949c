import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrate as applyMigrations } from "drizzle-orm/pg-core";
import type { Database } from "./database.js";
import { connectionsOf } from "./internal.js";

export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));

/**
 * Applies drizzle/ as the owner, then re-runs the idempotent tenant-security step (FORCE RLS and grants on
 * every table with organization_id), so a tenant table added by any later migration is secured too.
 */
export async function migrate(database: Database, onProgress: (message: string) => void = () => {}): Promise<void> {
  const { owner } = connectionsOf(database);
  const migrations = readMigrationFiles({ migrationsFolder });
  onProgress(`migrations: ${migrations.length} in drizzle/, applying the new ones`);
  await applyMigrations(migrations, owner, { migrationsFolder });
  onProgress("migrations: securing tenant tables (FORCE ROW LEVEL SECURITY, grants)");
  await owner.execute(sql`select trovella_private.secure_tenant_tables()`);
  onProgress("migrations: done");
}
