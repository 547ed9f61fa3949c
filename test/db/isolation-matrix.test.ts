import { type InferInsertModel, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TenantTransaction } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import { backendName, createTestDatabase, rowsOf, type TestDatabase } from "../support/database.js";
import { type PgErrorInfo, pgErrorOf, refusalOf } from "../support/pg-error.js";
import { catalogTenantTables } from "../support/rls-doctor.js";
import { affectedRows, Rollback, rolledBackWith } from "../support/rollback.js";
import {
  createTenantFixtures,
  type FixtureOrg,
  insertFreshRow,
  type TenantFixtures,
} from "../support/tenant-fixtures.js";
import { buildRow, drizzleTables, type TenantTableInfo, tenantTable, tenantTables } from "../support/tenant-schema.js";

// The isolation matrix: for every tenant table the Drizzle schema declares (derived, not listed by hand), with
// organization A's context, organization B's rows are out of reach in every direction. Fixtures: organizations
// A and B with one row in every tenant table each, written as the owner and checked to exist, so an empty
// result is never a vacuous pass. Each refused write gets its own transaction (a refused statement aborts it).

type InsertRow = InferInsertModel<PgTable>;
interface Row {
  id: string;
  organizationId: string;
}

describe(`isolation matrix on ${backendName}`, () => {
  let db: TestDatabase;
  let fixtures: TenantFixtures;
  let a: FixtureOrg;
  let b: FixtureOrg;

  beforeAll(async () => {
    db = await createTestDatabase();
    fixtures = await createTenantFixtures(db, ["a", "b"]);
    a = fixtures.org("a");
    b = fixtures.org("b");
  });
  afterAll(() => db?.cleanup());

  /** A transaction through the door as a signed-in user of `org` (or with the given organization setting). */
  const asUserOf = <T>(org: FixtureOrg, fn: (tx: TenantTransaction) => Promise<T>, organizationId?: string | null) =>
    db.database.withTenantContext(
      { organizationId: organizationId === undefined ? org.organizationId : organizationId, userId: org.userId },
      fn,
    );

  const rowsIn = async (tx: TenantTransaction, info: TenantTableInfo) =>
    rowsOf<Row>(await tx.execute(sql`select id, organization_id as "organizationId" from ${info.table}`));

  const ownerRow = async (info: TenantTableInfo, id: string) =>
    (
      await db.asOwner<{ xmin: string; organizationId: string }>(
        sql`select xmin::text as xmin, organization_id as "organizationId" from ${info.table} where id = ${id}`,
      )
    )[0];

  /** A new row of `info` for `org` whose foreign keys point at `org`'s fixtures (or `overrides`). */
  const newRow = (info: TenantTableInfo, org: FixtureOrg, overrides: Record<string, string> = {}) => {
    const sequence = fixtures.nextSequence();
    return buildRow(
      info,
      `fx-new-${info.name}-${sequence}`,
      org.organizationId,
      fixtures.parentsIn(org, overrides),
      sequence,
    );
  };

  /** A write refused by RLS (WITH CHECK), or by grants on the tables `authenticated` may only read. */
  const expectWriteRefused = (info: TenantTableInfo, refusal: PgErrorInfo) => {
    expect(refusal.code).toBe("42501");
    expect(refusal.message).toBe(
      info.readOnly
        ? `permission denied for table ${info.name}`
        : `new row violates row-level security policy for table "${info.name}"`,
    );
  };

  it("covers every tenant table of the catalog, by construction from the schema", async () => {
    const fromSchema = tenantTables.map((t) => t.name).sort();
    const fromCatalog = await catalogTenantTables((q) => db.asOwner(q));
    expect(drizzleTables.length).toBeGreaterThan(fromSchema.length);
    expect(fromSchema.length).toBeGreaterThan(0);
    expect(fromSchema.length).toBe(fromCatalog.length);
    expect(fromSchema).toEqual(fromCatalog);
  });

  describe.each(tenantTables.map((info) => [info.name, info] as const))("%s", (_name, info) => {
    it("has fixture rows for both organizations (checked as owner)", async () => {
      const counts = await db.asOwner<{ organizationId: string; n: number }>(
        sql`select organization_id as "organizationId", count(*)::int as n from ${info.table} group by 1 order by 1`,
      );
      expect(counts).toEqual([
        { organizationId: a.organizationId, n: 1 },
        { organizationId: b.organizationId, n: 1 },
      ]);
    });

    it("shows A its own rows and none of B's", async () => {
      const visible = await asUserOf(a, (tx) => rowsIn(tx, info));
      expect(visible).toEqual([{ id: fixtures.rowId(info.name, a), organizationId: a.organizationId }]);
      const byId = await asUserOf(a, async (tx) =>
        rowsOf<Row>(await tx.execute(sql`select id from ${info.table} where id = ${fixtures.rowId(info.name, b)}`)),
      );
      expect(byId).toEqual([]);
    });

    it("refuses A inserting a row with B's organization_id", async () => {
      const row = newRow(info, b);
      expectWriteRefused(info, await refusalOf(asUserOf(a, (tx) => tx.insert(info.table).values(row as InsertRow))));
      expect(await ownerRow(info, String(row.id))).toBeUndefined();
    });

    it(info.readOnly ? "refuses A updating B's rows" : "lets A's update of B's rows touch 0 rows", async () => {
      const target = fixtures.rowId(info.name, b);
      const before = await ownerRow(info, target);
      expect(before?.organizationId).toBe(b.organizationId);
      const update = asUserOf(a, async (tx) =>
        rowsOf<{ id: string }>(
          await tx.execute(
            sql`update ${info.table} set id = id where organization_id = ${b.organizationId} returning id`,
          ),
        ),
      );
      if (info.readOnly) expectWriteRefused(info, await refusalOf(update));
      else expect(await update).toEqual([]);
      expect(await ownerRow(info, target)).toEqual(before);
    });

    it(
      info.readOnly
        ? "refuses A's update without WHERE clause"
        : "lets A's update without WHERE clause reach its own row only (the UPDATE policy's USING alone decides)",
      async () => {
        // A WHERE clause or RETURNING would add the SELECT policy; without them only the UPDATE policy filters.
        // Setting organization_id to A itself: a lax USING would let A take B's rows. Always rolled back.
        const attempt = asUserOf(a, async (tx) => {
          const result = await tx.execute(sql`update ${info.table} set organization_id = ${a.organizationId}`);
          throw new Rollback(String(affectedRows(result)));
        });
        if (info.readOnly) expectWriteRefused(info, await refusalOf(attempt));
        else expect(await rolledBackWith(attempt)).toBe("1");
      },
    );

    it(info.readOnly ? "refuses A deleting B's rows" : "lets A's delete of B's rows touch 0 rows", async () => {
      const target = fixtures.rowId(info.name, b);
      const before = await ownerRow(info, target);
      expect(before).toBeDefined();
      const remove = asUserOf(a, async (tx) =>
        rowsOf<{ id: string }>(await tx.execute(sql`delete from ${info.table} where id = ${target} returning id`)),
      );
      if (info.readOnly) expectWriteRefused(info, await refusalOf(remove));
      else expect(await remove).toEqual([]);
      expect(await ownerRow(info, target)).toEqual(before);
    });

    it(
      info.readOnly
        ? "refuses A's delete without WHERE clause"
        : "lets A's delete without WHERE clause reach its own row only (the DELETE policy's USING alone decides)",
      async () => {
        // Children first (tables after this one in parents-first order), so no foreign key gets in the way.
        // Always rolled back.
        const children = tenantTables.slice(tenantTables.indexOf(info) + 1).filter((t) => !t.readOnly);
        const attempt = asUserOf(a, async (tx) => {
          for (const child of [...children].reverse()) await tx.execute(sql`delete from ${child.table}`);
          const result = await tx.execute(sql`delete from ${info.table}`);
          throw new Rollback(String(affectedRows(result)));
        });
        if (info.readOnly) expectWriteRefused(info, await refusalOf(attempt));
        else expect(await rolledBackWith(attempt)).toBe("1");
        expect(await ownerRow(info, fixtures.rowId(info.name, a))).toBeDefined();
      },
    );

    it.each([
      ["with no WHERE clause (only the UPDATE policy's WITH CHECK can refuse it)", false],
      ["by id (the WHERE clause also puts the SELECT policy on the new row)", true],
    ] as const)("refuses A moving its own row to B, %s", async (_label, byId) => {
      const own = fixtures.rowId(info.name, a);
      const before = await ownerRow(info, own);
      expect(before?.organizationId).toBe(a.organizationId);
      // No RETURNING (it would add the SELECT policy too); rolled back even if the database allowed it.
      const where = byId ? sql` where id = ${own}` : sql``;
      const refusal = await refusalOf(
        asUserOf(a, async (tx) => {
          await tx.execute(sql`update ${info.table} set organization_id = ${b.organizationId}${where}`);
          throw new Rollback("the move was allowed");
        }),
      );
      expectWriteRefused(info, refusal);
      expect(await ownerRow(info, own)).toEqual(before);
    });

    if (info.tenantForeignKeys.length > 0) {
      it.each(info.tenantForeignKeys.map((fk) => [fk.name, fk.column, fk.parent, fk] as const))(
        "refuses a row of A whose %s (%s) points at B's %s",
        async (_fkName, _column, _parent, fk) => {
          const parentOfB = fixtures.rowId(fk.parent, b);
          expect(await ownerRow(tenantTable(fk.parent), parentOfB)).toBeDefined();
          const row = newRow(info, a, { [fk.name]: parentOfB });
          const refusal = await refusalOf(asUserOf(a, (tx) => tx.insert(info.table).values(row as InsertRow)));
          if (info.readOnly) {
            expectWriteRefused(info, refusal);
          } else {
            expect(refusal.code).toBe("23503");
            expect(refusal.message).toContain(`violates foreign key constraint "${fk.name}"`);
          }
          expect(await ownerRow(info, String(row.id))).toBeUndefined();
        },
      );
    }

    it.each([
      ["no organization (null)", null],
      ["an empty organization setting ('')", ""],
    ] as const)("with %s shows 0 rows and refuses inserts", async (_label, organizationId) => {
      expect(await asUserOf(a, (tx) => rowsIn(tx, info), organizationId)).toEqual([]);
      const row = newRow(info, a);
      expectWriteRefused(
        info,
        await refusalOf(asUserOf(a, (tx) => tx.insert(info.table).values(row as InsertRow), organizationId)),
      );
    });

    it("as authenticated without setting app.organization_id at all, shows 0 rows and refuses inserts", async () => {
      const { app } = connectionsOf(db.database);
      const row = newRow(info, a);
      const seen = await app.transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'authenticated', true)`);
        const [setting] = rowsOf<{ value: string | null }>(
          await tx.execute(sql`select current_setting('app.organization_id', true) as value`),
        );
        return { setting: setting?.value ?? null, rows: await rowsIn(tx, info) };
      });
      expect([null, ""]).toContain(seen.setting);
      expect(seen.rows).toEqual([]);
      const refusal = await refusalOf(
        app.transaction(async (tx) => {
          await tx.execute(sql`select set_config('role', 'authenticated', true)`);
          await tx.insert(info.table).values(row as InsertRow);
        }),
      );
      expectWriteRefused(info, refusal);
    });

    it("as anonymous (no user) with A's organization, sees nothing and cannot insert", async () => {
      // Nothing visible: either no privilege at all (what the doctor expects) or no policy letting rows through.
      const read = await db.database
        .withTenantContext({ organizationId: a.organizationId, userId: null }, (tx) => rowsIn(tx, info))
        .then(
          (rows) => ({ rows, refusal: undefined }),
          (error: unknown) => ({ rows: [], refusal: pgErrorOf(error) }),
        );
      expect(read.rows).toEqual([]);
      if (read.refusal) {
        expect(read.refusal.code).toBe("42501");
        expect(read.refusal.message).toBe(`permission denied for table ${info.name}`);
      }
      const row = newRow(info, a);
      const refusal = await refusalOf(
        db.database.withTenantContext({ organizationId: a.organizationId, userId: null }, (tx) =>
          tx.insert(info.table).values(row as InsertRow),
        ),
      );
      expect(refusal.code).toBe("42501");
    });

    if (info.readOnly) {
      it("lets A read its rows but refuses every write to them (Better Auth writes this table)", async () => {
        expect(await asUserOf(a, (tx) => rowsIn(tx, info))).toHaveLength(1);
        const row = newRow(info, a);
        expectWriteRefused(info, await refusalOf(asUserOf(a, (tx) => tx.insert(info.table).values(row as InsertRow))));
        const own = fixtures.rowId(info.name, a);
        expectWriteRefused(
          info,
          await refusalOf(asUserOf(a, (tx) => tx.execute(sql`delete from ${info.table} where id = ${own}`))),
        );
      });
    } else {
      it("lets A insert, read, update and delete its own rows (control)", async () => {
        const attempt = asUserOf(a, async (tx) => {
          const id = await insertFreshRow(tx, fixtures, info, a);
          const visible = (await rowsIn(tx, info)).map((r) => r.id);
          const updated = rowsOf(await tx.execute(sql`update ${info.table} set id = id where id = ${id} returning id`));
          const deleted = rowsOf(await tx.execute(sql`delete from ${info.table} where id = ${id} returning id`));
          throw new Rollback(JSON.stringify({ id, visible, updated: updated.length, deleted: deleted.length }));
        });
        const outcome = JSON.parse(await rolledBackWith(attempt)) as Record<string, unknown>;
        expect(outcome).toEqual({
          id: expect.any(String),
          visible: expect.arrayContaining([fixtures.rowId(info.name, a), outcome.id]),
          updated: 1,
          deleted: 1,
        });
        expect(await ownerRow(info, String(outcome.id))).toBeUndefined();
      });
    }
  });
});
