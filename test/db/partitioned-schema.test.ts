import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { researchPlan } from "../../schema/index.js";
import { backendName, createTestDatabase, rowsOf, type TestDatabase } from "../support/database.js";
import { buildPartitionedSchema, DEFAULT_PARTITIONS, tenantTableNames } from "../support/partitioned-schema.js";
import { rlsDoctor } from "../support/rls-doctor.js";
import { createTenantFixtures, type FixtureOrg, type TenantFixtures } from "../support/tenant-fixtures.js";

// The partitioned schema (every tenant table hash-partitioned by organization_id, built from the Drizzle
// definitions by test/support/partitioned-schema.ts) is accepted by PostgreSQL, keeps the security model the
// RLS doctor checks, puts each tenant's rows in one partition, and a tenant's read of one research plan touches
// one partition. The isolation matrix, the cross-tenant suite and the write API's tests run against the same
// schema with TEST_SCHEMA_PARTITIONS (CI, on the server): see docs/citus.md.

/** Plan nodes of an EXPLAIN (FORMAT JSON) output, depth first. */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Actual Loops"?: number;
  "Subplans Removed"?: number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** The partitions of research_plan a plan scans: all it names (planned), and those it ran (executed). */
function partitionScans(explained: unknown): { planned: string[]; executed: string[] } {
  const output = rowsOf<{ "QUERY PLAN": unknown }>(explained)[0]?.["QUERY PLAN"];
  const document = (typeof output === "string" ? JSON.parse(output) : output) as { Plan: PlanNode }[];
  const root = document[0]?.Plan;
  if (!root) throw new Error(`no plan in ${JSON.stringify(explained)}`);
  const scans = planNodes(root).filter((node) => node["Relation Name"]?.startsWith("research_plan_p"));
  return {
    planned: scans.map((node) => node["Relation Name"] ?? ""),
    executed: scans.filter((node) => (node["Actual Loops"] ?? 0) > 0).map((node) => node["Relation Name"] ?? ""),
  };
}

describe(`partitioned schema (${DEFAULT_PARTITIONS} hash partitions per tenant table) on ${backendName}`, () => {
  let db: TestDatabase;
  let fixtures: TenantFixtures;
  // Five organizations, so that several partitions hold rows and pruning has something to leave out.
  const orgKeys = ["a", "b", "c", "d", "e"];

  beforeAll(async () => {
    db = await createTestDatabase({ buildSchema: (database) => buildPartitionedSchema(database, DEFAULT_PARTITIONS) });
    fixtures = await createTenantFixtures(db, orgKeys);
  });
  afterAll(() => db?.cleanup());

  /** The partition of `table` that holds `org`'s rows, and how many partitions hold any of its rows. */
  const partitionsOf = async (table: string, org: FixtureOrg) =>
    (
      await db.asOwner<{ partition: string }>(
        sql`select distinct tableoid::regclass::text as partition from ${sql.identifier(table)}
            where organization_id = ${org.organizationId}`,
      )
    ).map((r) => r.partition);

  it("partitions every tenant table by hash of organization_id, and no global table", async () => {
    const rows = await db.asOwner<{ name: string; strategy: string; key: string; partitions: number }>(sql`
      select c.relname as name, p.partstrat as strategy, pg_get_partkeydef(c.oid) as key,
        (select count(*)::int from pg_inherits i where i.inhparent = c.oid) as partitions
      from pg_partitioned_table p join pg_class c on c.oid = p.partrelid
      order by c.relname`);
    expect(rows.map((r) => r.name)).toEqual(tenantTableNames());
    expect(tenantTableNames()).toHaveLength(16);
    for (const row of rows) {
      expect(row, row.name).toMatchObject({
        strategy: "h",
        key: "HASH (organization_id)",
        partitions: DEFAULT_PARTITIONS,
      });
    }
  });

  it("keeps the tenant security model: the RLS doctor finds nothing wrong", async () => {
    expect(await rlsDoctor((query) => db.asOwner(query))).toEqual([]);
  });

  it("keeps each organization's rows in one partition of every tenant table, and spreads organizations", async () => {
    const used = new Set<string>();
    for (const table of tenantTableNames()) {
      for (const org of fixtures.orgs) {
        const partitions = await partitionsOf(table, org);
        expect(partitions, `${table} rows of ${org.organizationId}`).toHaveLength(1);
        if (table === "research_plan") used.add(partitions[0] ?? "");
      }
    }
    expect(used.size).toBeGreaterThan(1);
  });

  it("reads one research plan of a tenant from one partition (pruned by the RLS policy's organization_id)", async () => {
    const org = fixtures.org("a");
    const planId = fixtures.rowId("research_plan", org);
    const [home] = await partitionsOf("research_plan", org);
    const explained = await db.database.withTenantContext(
      { organizationId: org.organizationId, userId: org.userId },
      async (tx) => {
        const read = tx.select().from(researchPlan).where(sql`${researchPlan.id} = ${planId}`);
        const { sql: text, params } = read.toSQL();
        const rows = await read;
        expect(rows.map((r) => r.id)).toEqual([planId]);
        // The same statement, explained with its parameters inlined as literals (EXPLAIN takes no parameters).
        const literal = text.replace(
          /\$(\d+)/g,
          (_m, n: string) => `'${String(params[Number(n) - 1]).replaceAll("'", "''")}'`,
        );
        return tx.execute(sql.raw(`explain (analyze, costs off, timing off, summary off, format json) ${literal}`));
      },
    );
    const scans = partitionScans(explained);
    // The tenant comes from the policy's subquery on the setting, so PostgreSQL prunes when the query runs:
    // the other partitions are left out of the plan or never executed.
    expect(scans.executed).toEqual([home]);
  });

  it("plans a read that names the tenant with one partition only (what a distributed query routes to one shard)", async () => {
    const org = fixtures.org("b");
    const [home] = await partitionsOf("research_plan", org);
    const explained = await db.asOwner(
      sql.raw(
        `explain (format json) select id from research_plan where organization_id = '${org.organizationId}' and id = '${fixtures.rowId("research_plan", org)}'`,
      ),
    );
    const output = explained[0] as { "QUERY PLAN": unknown };
    const document = (
      typeof output["QUERY PLAN"] === "string" ? JSON.parse(output["QUERY PLAN"]) : output["QUERY PLAN"]
    ) as {
      Plan: PlanNode;
    }[];
    const relations = planNodes(document[0]?.Plan as PlanNode)
      .map((node) => node["Relation Name"])
      .filter(Boolean);
    expect(relations).toEqual([home]);
  });
});
