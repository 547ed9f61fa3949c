import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendName, createTestDatabase, rowsOf, serverUrl, type TestDatabase } from "../support/database.js";

// src/platform/db/tenant.ts builds the tenant transaction from drizzle-orm's private parts on PostgreSQL
// (patches/README.md, "drizzle-orm's private classes"). If an upgrade renames them, tenant.ts silently falls
// back to drizzle's own transaction: every other test still passes, with an extra statement per operation and
// unnamed statements. This test tells which way the transaction went.

let db: TestDatabase;
const statements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ onStatement: (text) => statements.push(text) });
});

afterAll(async () => {
  await db?.cleanup();
});

describe(`the tenant transaction on ${backendName}`, () => {
  it("PostgreSQL: postgres.js's own (access mode on BEGIN, named settings statement); PGlite: drizzle's", async () => {
    statements.length = 0;
    const result = await db.database.withTenantContext(
      { organizationId: null, userId: null },
      (tx) =>
        tx.execute(
          sql`select count(*)::int as n from pg_prepared_statements where statement like 'select set_config(''role''%'`,
        ),
      { readOnly: true },
    );
    const prepared = rowsOf<{ n: number }>(result)[0]?.n;
    if (serverUrl) {
      expect(statements[0]).toBe("begin read only");
      expect(statements[1]).toMatch(/^select set_config\('role', \$1, true\)/);
      expect(prepared, "the settings statement: a named prepared statement").toBeGreaterThanOrEqual(1);
    } else {
      expect(statements[0]).toBe("set transaction read only");
      expect(statements[1]).toMatch(/^select set_config\('role', \$1, true\)/);
    }
  });
});
