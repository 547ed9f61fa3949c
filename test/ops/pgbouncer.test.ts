import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./support/cluster.js";
import { type PgBouncer, requirePgBouncer, startPgBouncer } from "./support/pgbouncer.js";

// The gateway behind PgBouncer in transaction mode (Debian's 1.18), in front of a throwaway cluster this
// file starts: the same on both CI legs, whatever TEST_DATABASE_URL says. Not registered on a machine
// without the pgbouncer binary (a console line says so); CI requires it (REQUIRE_PGBOUNCER=1 in .ci/run).

if (requirePgBouncer()) {
  describe("behind PgBouncer in transaction mode", () => {
    let cluster: Cluster;
    let bouncer: PgBouncer;

    beforeAll(async () => {
      cluster = await startCluster();
      bouncer = await startPgBouncer(cluster);
    });

    afterAll(async () => {
      await bouncer?.stop();
      await cluster?.destroy();
    });

    it("forwards a transaction to the cluster, one server connection at a time per transaction", async () => {
      const client = postgres(bouncer.url("postgres"), { max: 2, prepare: false, onnotice: () => {} });
      try {
        const rows = await client.begin(async (tx) => {
          await tx`select set_config('app.probe', 'through-pgbouncer', true)`;
          return tx<{ port: string; probe: string }[]>`
            select current_setting('port') as port, current_setting('app.probe') as probe`;
        });
        expect(rows[0]).toEqual({ port: String(cluster.port), probe: "through-pgbouncer" });
      } finally {
        await client.end();
      }
    });
  });
}
