import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantTransaction } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import {
  type Caller,
  demoCallers,
  gql,
  type InProcessGateway,
  ownerClient,
  plansByOrganization,
  prepareDatabase,
  startInProcessGateway,
  tenantMismatch,
  tenantProbe,
} from "./support/stack.js";

// No wedge, ever: a failure at each step of a tenant transaction on the real server (a throwaway cluster this
// file starts, so the same on both CI legs) ends that transaction, and the same pool then serves the next 100
// mixed-tenant requests. The gateway runs in-process on a pool of 4; the failures are injected through its
// Database, the requests go over HTTP. Backends killed mid-statement: test/db/pooled-connections.test.ts and
// test/ops/faults.test.ts.

let cluster: Cluster;
let owner: postgres.Sql;
let gateway: InProcessGateway;
let callers: Caller[];
let plans: Map<string, Set<string>>;

beforeAll(async () => {
  cluster = await startCluster();
  const url = await prepareDatabase(cluster, "failures");
  owner = ownerClient(url);
  plans = await plansByOrganization(owner);
  gateway = await startInProcessGateway(url, { poolSize: 4 });
  callers = await demoCallers(gateway.baseUrl);
});

afterAll(async () => {
  await gateway?.close();
  await owner?.end();
  await cluster?.destroy();
});

const acme = { organizationId: "demo-org-acme", userId: "demo-user-alice" };

/** 100 requests of the four demo callers (three tenants), 25 at a time: every one gets its own tenant's data. */
async function expectNextHundredServed(): Promise<void> {
  const problems: string[] = [];
  for (let batch = 0; batch < 4; batch++) {
    const replies = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const caller = callers[i % callers.length] as Caller;
        return { caller, reply: await gql(gateway.baseUrl, tenantProbe, caller) };
      }),
    );
    for (const { caller, reply } of replies) {
      const mismatch = tenantMismatch(reply, caller, plans);
      if (mismatch) problems.push(`${caller.label}: ${mismatch}`);
    }
  }
  expect(problems).toEqual([]);
}

/** Transactions of the runtime login left open on the server. */
async function openTransactions(): Promise<number> {
  const [row] = await owner<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where usename = 'trovella_app' and state like 'idle in transaction%'`;
  return row?.n ?? -1;
}

/** Fails a transaction on every pooled connection at once (more operations than connections). */
async function failEverywhere(fn: (tx: TenantTransaction) => Promise<unknown>, context = acme): Promise<void> {
  const outcomes = await Promise.allSettled(
    Array.from({ length: 8 }, () => gateway.database.withTenantContext(context, fn)),
  );
  expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
}

describe("a failure inside a tenant transaction ends it, and the pool serves the next requests", () => {
  it("the settings statement fails (its first data statement was pipelined behind it)", async () => {
    // PostgreSQL refuses a NUL byte in text: set_config fails.
    await failEverywhere((tx) => tx.execute(sql`select 1`), { ...acme, organizationId: "demo-org-acme\u0000" });
    expect(await openTransactions()).toBe(0);
    await expectNextHundredServed();
  });

  it("the first data statement fails", async () => {
    await failEverywhere((tx) => tx.execute(sql`select 1 / 0`));
    expect(await openTransactions()).toBe(0);
    await expectNextHundredServed();
  });

  it("the backend is terminated between the settings and the next statement", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        gateway.database.withTenantContext(acme, async (tx) => {
          const [row] = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
          await owner`select pg_terminate_backend(${row?.pid ?? 0})`;
          return tx.execute(sql`select 1`);
        }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
    expect(await openTransactions()).toBe(0);
    await expectNextHundredServed();
  });
});
