import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrate as applyMigrations } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, seedDemoData } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import { migrationsFolder } from "../../src/platform/db/migrate.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";
import { tenantTableNames } from "../support/partitioned-schema.js";
import { refusalOf } from "../support/pg-error.js";
import { rlsDoctor } from "../support/rls-doctor.js";
import { createTenantFixtures } from "../support/tenant-fixtures.js";

// The tenant_primary_keys migration on a populated database: migrate to the migration before it, seed the demo
// data (and a row in every tenant table), apply it (and whatever follows), and every row of every tenant table is still there, unchanged, with
// its id; the primary keys are (organization_id, id) and the security model is whole.

const keysMigration = "tenant_primary_keys";

/** Applies drizzle/ up to, not including, the tenant_primary_keys migration (as `npm run db:migrate` would). */
const migrateToBeforeKeys = async (database: TestDatabase["database"]) => {
  const migrations = readMigrationFiles({ migrationsFolder });
  const index = migrations.findIndex((migration) => migration.name?.endsWith(keysMigration));
  if (index < 1) throw new Error(`no ${keysMigration} migration among ${migrations.map((m) => m.name).join(", ")}`);
  await applyMigrations(migrations.slice(0, index), connectionsOf(database).owner, { migrationsFolder });
};

interface TableContent {
  rows: number;
  /** md5 over every row's text (all columns), in id order: any changed value or id changes it. */
  digest: string;
  ids: string[];
}

describe(`the tenant primary keys migration on a populated database (${backendName})`, () => {
  let db: TestDatabase;
  const before = new Map<string, TableContent>();
  const keysBefore = new Map<string, string | undefined>();

  const contentOf = async (table: string): Promise<TableContent> => {
    const name = sql.identifier(table);
    const [summary] = await db.asOwner<{ rows: number; digest: string | null }>(
      sql`select count(*)::int as rows, md5(string_agg(t::text, E'\\n' order by t.id)) as digest from ${name} t`,
    );
    const ids = await db.asOwner<{ id: string }>(sql`select id from ${name} order by id`);
    return { rows: summary?.rows ?? 0, digest: summary?.digest ?? "", ids: ids.map((r) => r.id) };
  };

  const primaryKeyOf = async (table: string) =>
    (
      await db.asOwner<{ key: string }>(sql`
        select pg_get_constraintdef(c.oid) as key from pg_constraint c
        where c.conrelid = ${table}::regclass and c.contype = 'p'`)
    )[0]?.key;

  beforeAll(async () => {
    db = await createTestDatabase({ buildSchema: migrateToBeforeKeys });
    await seedDemoData(db.database);
    // The demo has no invitation: one row in every tenant table for two more organizations fills the gaps.
    await createTenantFixtures(db, ["a", "b"]);
    for (const table of tenantTableNames()) {
      before.set(table, await contentOf(table));
      keysBefore.set(table, await primaryKeyOf(table));
    }
    await migrate(db.database);
  }, 180_000);
  afterAll(() => db?.cleanup());

  it("had rows in every tenant table before, keyed by id alone", () => {
    for (const table of tenantTableNames()) {
      expect(before.get(table)?.rows, table).toBeGreaterThan(0);
      expect(keysBefore.get(table), table).toBe("PRIMARY KEY (id)");
    }
  });

  it.each(tenantTableNames())("keeps every row of %s, ids and values unchanged", async (table) => {
    expect(await contentOf(table)).toEqual(before.get(table));
  });

  it.each(tenantTableNames())("keys %s by (organization_id, id)", async (table) => {
    expect(await primaryKeyOf(table)).toBe("PRIMARY KEY (organization_id, id)");
  });

  it("leaves the RLS doctor nothing to report", async () => {
    expect(await rlsDoctor((query) => db.asOwner(query))).toEqual([]);
  });

  it("still refuses a row pointing at another organization's plan (the composite keys are back)", async () => {
    const [audited] = await db.asOwner<{ id: string; organizationId: string }>(
      sql`select id, organization_id as "organizationId" from plan_audit_log limit 1`,
    );
    if (!audited) throw new Error("the demo data has no audit log");
    const [foreignPlan] = await db.asOwner<{ id: string }>(
      sql`select id from research_plan where organization_id <> ${audited.organizationId} limit 1`,
    );
    if (!foreignPlan) throw new Error("the demo data has plans of one organization only");
    const refusal = await refusalOf(
      db.asOwner(sql`update plan_audit_log set plan_id = ${foreignPlan.id} where id = ${audited.id}`),
    );
    expect(refusal.constraint).toBe("plan_audit_log_plan_fkey");
    expect(refusal.code).toBe("23503");
  });
});
