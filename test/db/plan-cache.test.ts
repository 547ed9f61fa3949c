import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantTransaction } from "../../src/platform/db/index.js";
import { maxCachedValues, withoutPlanCache } from "../../src/platform/db/plan-cache.js";
import { backendName, createTestDatabase, type TestDatabase } from "../support/database.js";

// The plan cache (src/platform/db/plan-cache.ts): a relational query's SQL is built by drizzle once per shape;
// later queries of that shape bind their values to the same text. The differential test
// (test/execution/differential.test.ts) checks the answers through the gateway; this one checks the SQL text
// against drizzle's own, and that the cache stays bounded.

const capacity = 32;
let db: TestDatabase;
const statements: string[] = [];

// Unnamed statements: postgres.js keeps every named statement's text and description per connection until the
// connection closes (its `statements` map has no bound: measured 50 MB over 500 shapes of 700–1200 values),
// with or without the plan cache. What is measured here is the gateway's side. PGlite ignores the setting.
beforeAll(async () => {
  db = await createTestDatabase({
    planCacheSize: capacity,
    preparedStatements: false,
    onStatement: (text) => statements.push(text),
  });
});

afterAll(async () => {
  await db?.cleanup();
});

// A tenant with no rows: the statements run under RLS and answer nothing, which is all these tests need.
const nobody = { organizationId: "org-plan-cache", userId: "user-plan-cache" };

/** A plans query of a shape set by `titles` (one parameter each) and `withSteps`; values from `seed`. */
function plans(tx: TenantTransaction, titles: number, seed: string, withSteps = false) {
  return tx.query.researchPlan.findMany({
    columns: { id: true, title: true },
    where: { title: { in: Array.from({ length: titles }, (_, i) => `${seed}-${i}`) }, status: "draft" },
    orderBy: { createdAt: "desc" },
    limit: 5,
    ...(withSteps ? { with: { steps: { columns: { id: true }, where: { position: { gt: 2 } }, limit: 3 } } } : {}),
  });
}

async function statementsOf(run: (tx: TenantTransaction) => Promise<unknown>, cached: boolean): Promise<string[]> {
  statements.length = 0;
  await db.database.withTenantContext(
    nobody,
    async (tx) => {
      if (!cached) withoutPlanCache(tx);
      return run(tx);
    },
    { readOnly: true },
  );
  return statements.filter((text) => text.includes("research_plan"));
}

/** One of many shapes of the same size: `split` picks how 200 title values fall into three lists. */
function splitShape(tx: TenantTransaction, split: number) {
  const a = 1 + (split % 99);
  const b = 1 + Math.floor(split / 99);
  const values = (count: number, seed: string) => Array.from({ length: count }, (_, i) => `${seed}-${i}`);
  return tx.query.researchPlan.findMany({
    columns: { id: true },
    where: {
      title: { in: values(a, "a") },
      description: { in: values(b, "b") },
      NOT: { title: { in: values(200 - a - b, "c") } },
    },
    limit: 5,
  });
}

function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe(`the plan cache on ${backendName}`, () => {
  it("sends drizzle's own SQL text; a second query of the shape with other values is a hit", async () => {
    const before = db.database.planCacheStats();
    const drizzle = await statementsOf((tx) => plans(tx, 3, "a", true), false);
    const first = await statementsOf((tx) => plans(tx, 3, "b", true), true);
    const second = await statementsOf((tx) => plans(tx, 3, "c", true), true);
    expect(drizzle).toHaveLength(1);
    expect(first).toEqual(drizzle);
    expect(second).toEqual(drizzle);
    const after = db.database.planCacheStats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
    // Another shape (one more parameter) is another entry.
    const other = await statementsOf((tx) => plans(tx, 4, "d", true), true);
    expect(other).not.toEqual(drizzle);
    expect(db.database.planCacheStats().misses - after.misses).toBe(1);
  });

  it(`more distinct shapes than it holds (${capacity}): size bounded, heap bounded`, async () => {
    // 800 distinct shapes of 200 values each (an entry is ~50 KB: 400 kept would be ~20 MB).
    const round = async (from: number) => {
      for (let split = from; split < from + 400; split++) {
        statements.length = 0;
        await db.database.withTenantContext(nobody, (tx) => splitShape(tx, split), { readOnly: true });
      }
      expect(db.database.planCacheStats().size).toBeLessThanOrEqual(capacity);
    };
    const before = db.database.planCacheStats();
    await round(0);
    collectGarbage();
    const heapAfterFirst = process.memoryUsage().heapUsed;
    await round(400);
    collectGarbage();
    const heapAfterSecond = process.memoryUsage().heapUsed;
    const stats = db.database.planCacheStats();
    expect(stats.misses - before.misses).toBe(800);
    expect(stats.size).toBe(capacity);
    expect(heapAfterSecond - heapAfterFirst, "heap growth over 400 more distinct shapes").toBeLessThan(4 * 1024 * 1024);
  }, 300_000);

  it(`a shape of more than ${maxCachedValues} values is built as without the cache (bypass)`, async () => {
    const before = db.database.planCacheStats();
    const drizzle = await statementsOf((tx) => plans(tx, maxCachedValues + 1, "e"), false);
    const through = await statementsOf((tx) => plans(tx, maxCachedValues + 1, "f"), true);
    expect(through).toEqual(drizzle);
    const after = db.database.planCacheStats();
    expect(after.bypasses - before.bypasses).toBe(1);
    expect(after.misses).toBe(before.misses);
  });
});
