import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { researchPlan } from "../../schema/index.js";
import { migrate } from "../../src/platform/db/index.js";
import { backendName, createTestDatabase, rowsOf, type TestDatabase } from "../support/database.js";
import { buildPartitionedSchema, DEFAULT_PARTITIONS, tenantTableNames } from "../support/partitioned-schema.js";
import { type CatalogQuery, rlsDoctor } from "../support/rls-doctor.js";
import { createTenantFixtures, type FixtureOrg, type TenantFixtures } from "../support/tenant-fixtures.js";

// The partitioned schema (every tenant table hash-partitioned by organization_id, built from the Drizzle
// definitions by test/support/partitioned-schema.ts) is accepted by PostgreSQL, is the migrated schema but for
// the partitioning, keeps the security model the RLS doctor checks, puts each tenant's rows in one partition, and a tenant's read of one research plan touches
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

/**
 * What the schema is made of, as sorted lines per aspect, without partitions (and without `ONLY`, which
 * PostgreSQL prints in a partitioned table's index definitions).
 */
async function schemaSignature(query: CatalogQuery): Promise<Record<string, string[]>> {
  const ours = sql`n.nspname in ('public', 'trovella_private') and c.relkind in ('r', 'p') and not c.relispartition`;
  const lines = async (statement: SQL) => (await query<{ line: string }>(statement)).map((r) => r.line).sort();
  return {
    columns: await lines(sql`
      select format('%s.%s %s%s default %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
        case when a.attnotnull then ' not null' else '' end, coalesce(pg_get_expr(d.adbin, d.adrelid), '-')) as line
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where ${ours} and a.attnum > 0 and not a.attisdropped`),
    // conparentid: not the clones PostgreSQL adds for a foreign key onto a partitioned table, one per partition.
    constraints: await lines(sql`
      select format('%s %s %s', c.relname, con.conname, pg_get_constraintdef(con.oid)) as line
      from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where ${ours} and con.conparentid = 0`),
    indexes: await lines(sql`
      select replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ') as line
      from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where ${ours}`),
    policies: await lines(sql`
      select format('%s %s %s %s using %s check %s', tablename, policyname, cmd, roles, qual, with_check) as line
      from pg_policies where schemaname = 'public'`),
    security: await lines(sql`
      select format('%s rls %s forced %s', c.relname, c.relrowsecurity, c.relforcerowsecurity) as line
      from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${ours}`),
    grants: await lines(sql`
      select format('%s %s %s', table_name, grantee, privilege_type) as line
      from information_schema.role_table_grants where table_schema = 'public'
        and grantee in ('authenticated', 'anonymous', 'trovella_app', 'trovella_auth')
        and table_name in (select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${ours})`),
    functions: await lines(sql`
      select format('%s %s', p.proname, md5(pg_get_functiondef(p.oid))) as line
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'trovella_private'`),
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

  it("has the migrated schema's columns, constraints, indexes, policies and grants, apart from the partitioning", async () => {
    const migrated = await createTestDatabase({ buildSchema: migrate });
    try {
      const expected = await schemaSignature((query) => migrated.asOwner(query));
      const actual = await schemaSignature((query) => db.asOwner(query));
      for (const [aspect, lines] of Object.entries(expected)) {
        expect(actual[aspect], aspect).toEqual(lines);
        expect(lines.length, aspect).toBeGreaterThan(0);
      }
    } finally {
      await migrated.cleanup();
    }
  }, 180_000); // a second database, migrated: PGlite takes its time

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
