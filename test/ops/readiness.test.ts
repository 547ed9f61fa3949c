import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TOKEN, demoUsers } from "../../src/platform/db/index.js";
import { type Cluster, startCluster } from "./support/cluster.js";
import {
  eventually,
  gql,
  ownerClient,
  prepareDatabase,
  probe,
  type ServerProcess,
  signInBearer,
  spawnServer,
  tenantProbe,
} from "./support/stack.js";

// Readiness, and credential look-ups, tell the truth about the database. Readiness and the runtime pool: the real server process against a throwaway cluster (both
// CI legs), on a pool of 2. The owner locks a table every read needs; two reads take both pooled connections
// and wait on the lock. The server itself answers `select 1` all along, but no operation can complete: /readyz
// must say so, /metrics must show the pool full with a queue, and both must recover once the lock goes.
// A token or session look-up that fails because Better Auth's login cannot read its table is the server's
// fault: a masked error, never "your credentials are invalid".

let cluster: Cluster;
let owner: postgres.Sql;
let server: ServerProcess | undefined;

beforeAll(async () => {
  cluster = await startCluster();
  const url = await prepareDatabase(cluster, "readiness");
  owner = ownerClient(url);
  server = await spawnServer(url, {
    DATABASE_POOL_SIZE: "2",
    // Long enough that the blocked reads hold their connections for the whole test.
    STATEMENT_TIMEOUT_MS: "60000",
    READINESS_TIMEOUT_MS: "1000",
  });
});

afterAll(async () => {
  server?.kill();
  await owner?.end();
  await cluster?.destroy();
});

async function metric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`));
  return Number(line?.split(" ").at(-1) ?? Number.NaN);
}

describe("readiness", () => {
  it("/readyz fails while the runtime pool cannot complete a transaction, the pool metrics show it, and it recovers by itself", async () => {
    const running = server as ServerProcess;
    const caller = { token: DEMO_TOKEN, organizationId: "demo-org-acme" };
    expect(await probe(running.baseUrl, "/readyz")).toBe(200);

    const reserved = await owner.reserve();
    let blocked: Promise<unknown>[] = [];
    try {
      await reserved`begin`;
      await reserved`lock table research_plan in access exclusive mode`;
      blocked = [gql(running.baseUrl, tenantProbe, caller), gql(running.baseUrl, tenantProbe, caller)];
      // Both pooled connections wait on the lock.
      expect(
        await eventually(async () => {
          const [row] = await owner<{ n: number }[]>`
            select count(*)::int as n from pg_stat_activity where usename = 'trovella_app' and wait_event_type = 'Lock'`;
          return row?.n === 2;
        }, 15_000),
      ).toBe(true);

      expect(await probe(running.baseUrl, "/readyz")).toBe(503);
      expect(await probe(running.baseUrl, "/healthz")).toBe(200);
      expect(await metric(running.baseUrl, "db_pool_in_use")).toBe(2);
      expect(await metric(running.baseUrl, "db_pool_waiting")).toBeGreaterThan(0);
    } finally {
      await reserved`rollback`.catch(() => {});
      reserved.release();
    }

    // The blocked reads complete, and readiness comes back without a restart.
    for (const reply of (await Promise.all(blocked)) as Awaited<ReturnType<typeof gql>>[]) {
      expect(reply.body.errors).toBeUndefined();
    }
    expect(await eventually(async () => (await probe(running.baseUrl, "/readyz")) === 200, 15_000)).toBe(true);
    expect(await metric(running.baseUrl, "db_pool_waiting")).toBe(0);
  });
});

/** Runs `fn` while Better Auth's login may not read `table`; its grants are restored afterwards. */
async function withoutAuthAccessTo<T>(table: string, fn: () => Promise<T>): Promise<T> {
  const grants = await owner<{ privilege_type: string }[]>`
    select privilege_type from information_schema.role_table_grants
    where grantee = 'trovella_auth' and table_name = ${table}`;
  await owner.unsafe(`revoke all on "${table}" from trovella_auth`);
  try {
    return await fn();
  } finally {
    const privileges = grants.map((grant) => grant.privilege_type).join(", ");
    if (privileges) await owner.unsafe(`grant ${privileges} on "${table}" to trovella_auth`);
  }
}

describe("credential look-ups that fail for an infrastructure reason", () => {
  it("a personal access token whose look-up fails is a masked error, never UNAUTHENTICATED", async () => {
    const running = server as ServerProcess;
    const caller = { token: DEMO_TOKEN, organizationId: "demo-org-acme" };
    const reply = await withoutAuthAccessTo("personal_access_token", () => gql(running.baseUrl, tenantProbe, caller));
    const codes = (reply.body.errors ?? []).map((error) => error.extensions?.code);
    expect(reply.status === 503 || codes.includes("INTERNAL_SERVER_ERROR"), JSON.stringify(reply.body)).toBe(true);
    expect(codes).not.toContain("UNAUTHENTICATED");
    // The same token works again once the database does.
    expect((await gql(running.baseUrl, tenantProbe, caller)).body.errors).toBeUndefined();
  });

  it("a session bearer whose look-up fails is a masked error, never UNAUTHENTICATED", async () => {
    const running = server as ServerProcess;
    const caller = {
      token: await signInBearer(running.baseUrl, demoUsers.carol.email),
      organizationId: "demo-org-globex",
    };
    const reply = await withoutAuthAccessTo("session", () => gql(running.baseUrl, tenantProbe, caller));
    const codes = (reply.body.errors ?? []).map((error) => error.extensions?.code);
    expect(reply.status === 503 || codes.includes("INTERNAL_SERVER_ERROR"), JSON.stringify(reply.body)).toBe(true);
    expect(codes).not.toContain("UNAUTHENTICATED");
    expect((await gql(running.baseUrl, tenantProbe, caller)).body.errors).toBeUndefined();
  });
});
