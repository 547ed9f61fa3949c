import type { InferInsertModel } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { aiModel, organization, user } from "../../schema/index.js";
import type { TenantTransaction } from "../../src/platform/db/index.js";
import { connectionsOf } from "../../src/platform/db/internal.js";
import type { TestDatabase } from "./database.js";
import {
  buildRow,
  type GlobalForeignKey,
  type RowParents,
  type TenantForeignKey,
  type TenantTableInfo,
  tenantTable,
  tenantTables,
} from "./tenant-schema.js";

// Fixtures for the isolation tests, built from the schema: a few organizations, each with exactly one row in
// every tenant table (parents first, every foreign key pointing into the same organization). Written as the
// owner, so they do not depend on the policies under test.

export interface FixtureOrg {
  key: string;
  organizationId: string;
  userId: string;
}

export interface TenantFixtures {
  orgs: FixtureOrg[];
  org(key: string): FixtureOrg;
  modelId: string;
  /** The id of `org`'s fixture row in tenant table `table`. */
  rowId(table: string, org: FixtureOrg): string;
  /** Foreign-key targets inside `org`, with some keys (by constraint name) sent elsewhere. */
  parentsIn(org: FixtureOrg, overrides?: Record<string, string>): RowParents;
  /** A new number for unique sample values and ids. */
  nextSequence(): number;
}

type InsertRow = InferInsertModel<PgTable>;

export async function createTenantFixtures(db: TestDatabase, orgKeys: string[] = ["a", "b"]): Promise<TenantFixtures> {
  const { owner } = connectionsOf(db.database);
  const orgs: FixtureOrg[] = orgKeys.map((key) => ({
    key,
    organizationId: `fx-org-${key}`,
    userId: `fx-user-${key}`,
  }));
  const modelId = "fx-model";
  let sequence = 0;

  const globalIds: Record<string, (org: FixtureOrg) => string> = {
    [getTableConfig(user).name]: (org) => org.userId,
    [getTableConfig(organization).name]: (org) => org.organizationId,
    [getTableConfig(aiModel).name]: () => modelId,
  };
  const fixtures: TenantFixtures = {
    orgs,
    modelId,
    org(key) {
      const org = orgs.find((o) => o.key === key);
      if (!org) throw new Error(`no fixture organization ${key}`);
      return org;
    },
    rowId: (table, org) => `fx-${table}-${org.key}`,
    parentsIn(org, overrides = {}) {
      return {
        tenantParent: (fk: TenantForeignKey) => overrides[fk.name] ?? fixtures.rowId(fk.parent, org),
        globalParent: (fk: GlobalForeignKey) => {
          const id = overrides[fk.name] ?? globalIds[fk.parent]?.(org);
          if (!id)
            throw new Error(`no fixture row in global table ${fk.parent}; extend test/support/tenant-fixtures.ts`);
          return id;
        },
      };
    },
    nextSequence: () => ++sequence,
  };

  await owner.transaction(async (tx) => {
    await tx.insert(aiModel).values({
      id: modelId,
      provider: "fixture",
      name: "fixture-model",
      displayName: "Fixture model",
      kind: "chat",
      contextWindow: 1000,
    });
    for (const org of orgs) {
      await tx.insert(user).values({ id: org.userId, name: `User ${org.key}`, email: `${org.key}@fixture.test` });
      await tx.insert(organization).values({ id: org.organizationId, name: `Org ${org.key}`, slug: `fx-${org.key}` });
    }
    for (const info of tenantTables) {
      for (const org of orgs) {
        const row = buildRow(
          info,
          fixtures.rowId(info.name, org),
          org.organizationId,
          fixtures.parentsIn(org),
          fixtures.nextSequence(),
        );
        await tx.insert(info.table).values(row as InsertRow);
      }
    }
  });
  return fixtures;
}

/**
 * Inserts a brand-new row of `info` in the transaction's organization, with brand-new parents (recursively),
 * so no unique constraint of an existing fixture gets in the way. Returns the new row's id.
 */
export async function insertFreshRow(
  tx: TenantTransaction,
  fixtures: TenantFixtures,
  info: TenantTableInfo,
  org: FixtureOrg,
): Promise<string> {
  const sequence = fixtures.nextSequence();
  const id = `fx-${info.name}-${org.key}-${sequence}`;
  const overrides: Record<string, string> = {};
  for (const fk of info.tenantForeignKeys) {
    overrides[fk.name] = fk.parent === info.name ? id : await insertFreshRow(tx, fixtures, tenantTable(fk.parent), org);
  }
  const row = buildRow(info, id, org.organizationId, fixtures.parentsIn(org, overrides), sequence);
  await tx.insert(info.table).values(row as InsertRow);
  return id;
}
