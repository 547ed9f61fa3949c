import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { researchPlan } from "../../schema/index.js";
import { seedDemoData } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";

describe(`tenant door on ${backendName}`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemoData(db.database);
  });
  afterAll(() => db?.cleanup());

  it("shows each organization only its own plans", async () => {
    const acme = await db.database.withTenantContext(
      { organizationId: "demo-org-acme", userId: "demo-user-alice" },
      (tx) => tx.select().from(researchPlan),
    );
    const owned = await db.asOwner<{ n: number }>(
      sql`select count(*)::int as n from research_plan where organization_id = 'demo-org-acme'`,
    );
    expect(acme.length).toBe(owned[0]?.n);
    expect(acme.length).toBeGreaterThan(0);
    expect(new Set(acme.map((p) => p.organizationId))).toEqual(new Set(["demo-org-acme"]));
  });
});
