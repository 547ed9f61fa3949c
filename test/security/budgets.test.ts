import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/app.js";
import { type BucketStore, MemoryBucketStore, RedisBucketStore } from "../../src/pipeline/budgets.js";
import { type BudgetConfig, defaultBudgets } from "../../src/platform/config/index.js";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { acme, globex, initech } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { baseUrl, createTestGateway, type TestGateway } from "../support/gateway.js";
import { tableCounts } from "./helpers.js";

// Per-tenant budgets: token buckets per organization and per principal, for requests and for query cost.
// The same scenarios run on the in-memory store and on Redis (127.0.0.1:6379, a unique key prefix per run).

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const runPrefix = `trovella-test:${process.pid}:${randomBytes(4).toString("hex")}:`;

interface Reply {
  status: number;
  retryAfter: string | null;
  codes: (string | undefined)[];
  extensions: Record<string, unknown> | undefined;
}

describe(`per-tenant budgets on ${backendName}`, () => {
  let gw: TestGateway;
  let daveToken = "";
  let bobToken = "";
  const stores: BucketStore[] = [];

  beforeAll(async () => {
    gw = await createTestGateway();
    const { createTokenForUser } = await import("../support/tokens.js");
    const deps = { database: gw.db.database };
    daveToken = (
      await createTokenForUser(deps, { userId: demoUsers.dave.id, name: "b", scopes: ["read"], expiresAt: null })
    ).token;
    bobToken = (
      await createTokenForUser(deps, { userId: demoUsers.bob.id, name: "b", scopes: ["read"], expiresAt: null })
    ).token;
  }, 300_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await gw?.cleanup();
  });

  function appWith(budgets: Partial<BudgetConfig>, store: BucketStore) {
    stores.push(store);
    const app = createApp({
      database: gw.db.database,
      auth: gw.auth,
      logger: pino({ level: "silent" }),
      graphiql: false,
      hostileInput: { budgets: { ...defaultBudgets, ...budgets } },
      bucketStore: store,
    });
    return async (token: string, organizationId: string, query = "{ organization { id } }"): Promise<Reply> => {
      const response = await app.fetch(
        new Request(`${baseUrl}/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${token}`,
            "x-organization-id": organizationId,
          },
          body: JSON.stringify({ query }),
        }),
      );
      const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
      return {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        codes: (body.errors ?? []).map((error) => error.extensions?.code as string | undefined),
        extensions: body.errors?.[0]?.extensions,
      };
    };
  }

  const stores_ = {
    memory: () => new MemoryBucketStore(),
    redis: () => new RedisBucketStore(redisUrl, `${runPrefix}${randomBytes(3).toString("hex")}:`),
  };

  describe.each(Object.keys(stores_) as (keyof typeof stores_)[])("%s store", (kind) => {
    it("principal rate limit: the 4th request of 3/min is RATE_LIMITED (429, Retry-After); other principals are unaffected", async () => {
      const before = await tableCounts(gw);
      const call = appWith({ principalRequestsPerMinute: 3 }, stores_[kind]());
      for (let i = 0; i < 3; i++) expect((await call(DEMO_TOKEN, acme)).codes).toEqual([]);
      const refused = await call(DEMO_TOKEN, acme);
      expect(refused.codes).toEqual(["RATE_LIMITED"]);
      expect(refused.status).toBe(429);
      expect(refused.extensions).toMatchObject({ budget: "principal-requests" });
      const retryAfter = refused.extensions?.retryAfterSeconds as number;
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(20);
      expect(refused.retryAfter).toBe(String(retryAfter));
      // Alice in another organization is the same principal: still limited. Dave and Bob are not.
      expect((await call(DEMO_TOKEN, globex)).codes).toEqual(["RATE_LIMITED"]);
      expect((await call(daveToken, initech)).codes).toEqual([]);
      expect((await call(bobToken, acme)).codes).toEqual([]);
      expect(await tableCounts(gw)).toEqual(before);
    });

    it("organization rate limit: Acme's members share Acme's budget; Globex and Initech are unaffected", async () => {
      const call = appWith({ organizationRequestsPerMinute: 3 }, stores_[kind]());
      expect((await call(DEMO_TOKEN, acme)).codes).toEqual([]);
      expect((await call(bobToken, acme)).codes).toEqual([]);
      expect((await call(DEMO_TOKEN, acme)).codes).toEqual([]);
      const refused = await call(bobToken, acme);
      expect(refused.codes).toEqual(["RATE_LIMITED"]);
      expect(refused.extensions).toMatchObject({ budget: "organization-requests" });
      expect((await call(DEMO_TOKEN, globex)).codes).toEqual([]);
      expect((await call(daveToken, initech)).codes).toEqual([]);
    });

    it("cost budget: expensive operations drain it faster than cheap ones; the refusal names the cost budget", async () => {
      const call = appWith({ organizationCostPerMinute: 50 }, stores_[kind]());
      const page = "{ researchPlans(first: 20) { nodes { id } } }"; // cost 21
      expect((await call(DEMO_TOKEN, acme, page)).codes).toEqual([]);
      expect((await call(DEMO_TOKEN, acme, page)).codes).toEqual([]);
      const refused = await call(DEMO_TOKEN, acme, page);
      expect(refused.codes).toEqual(["RATE_LIMITED"]);
      expect(refused.extensions).toMatchObject({ budget: "organization-cost" });
      // A cheap operation (cost 1) still fits what is left; another tenant's budget is whole.
      expect((await call(DEMO_TOKEN, acme)).codes).toEqual([]);
      expect((await call(DEMO_TOKEN, globex, page)).codes).toEqual([]);
    });
  });

  it("token bucket: refills continuously, never above capacity; all-or-nothing across buckets", async () => {
    let now = 0;
    const store = new MemoryBucketStore(() => now);
    const take = (key: string, amount: number) => store.take([{ key, amount, capacity: 10, refillPerSecond: 1 }]);
    expect(await take("a", 10)).toEqual({ allowed: true });
    expect(await take("a", 1)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    now = 5;
    expect(await take("a", 5)).toEqual({ allowed: true });
    now = 1000;
    expect(await take("a", 11)).toMatchObject({ allowed: false });
    // b would fit, a would not: neither is taken.
    await take("b", 0);
    const both = await store.take([
      { key: "b", amount: 5, capacity: 10, refillPerSecond: 1 },
      { key: "a", amount: 20, capacity: 10, refillPerSecond: 1 },
    ]);
    expect(both).toMatchObject({ allowed: false, refusedKey: "a" });
    expect(await take("b", 10)).toEqual({ allowed: true });
  });
});
