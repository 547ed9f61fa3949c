import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  type ExtraConfigColumn,
  foreignKey,
  pgPolicy,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { organization } from "./auth.js";
import { authenticatedRole } from "./roles.js";

// The helpers here are function declarations on purpose: auth.ts (which this file imports for the
// organization foreign key) calls them while it is evaluated, and hoisted functions are ready then.

/** Application-generated TEXT ids (Better Auth's ids are text too, so joins never need casts). */
export function newId(): string {
  return randomUUID();
}

/** The current tenant as SQL: NULL when unset or empty, so every comparison with it fails closed. */
export function currentOrganizationId(): SQL {
  return sql`nullif((select current_setting('app.organization_id', true)), '')`;
}

/** The transaction's signed-in user as SQL: NULL when unset or empty, so every comparison with it fails closed. */
export function currentUserId(): SQL {
  return sql`nullif((select current_setting('app.user_id', true)), '')`;
}

// Every timestamp is timestamptz(3): JavaScript dates hold milliseconds, and a column with microseconds
// would make keyset cursors skip rows that share a millisecond.

const idColumn = () => text("id").notNull().$defaultFn(newId);
const timestampColumns = () => ({
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

/** id (the primary key), createdAt, updatedAt: every global table of ours starts with these. */
export function baseColumns() {
  return { id: idColumn().primaryKey(), ...timestampColumns() };
}

/**
 * id, createdAt, updatedAt of a tenant table. The id is still globally unique in practice (a UUID, or Better
 * Auth's id) and what Relay ids and federation keys carry, but the primary key is (organization_id, id),
 * declared by tenantPolicies(): a sharded PostgreSQL (Citus) or hash partitions by organization_id accept only
 * keys that include the tenant column.
 */
export function tenantBaseColumns() {
  return { id: idColumn(), ...timestampColumns() };
}

/**
 * organization_id of a tenant-scoped table. Its default is the tenant setting, so application code never
 * passes it; a value for another tenant would be refused by the policies' WITH CHECK anyway.
 * The foreign key onto organization is declared by tenantPolicies().
 */
export function tenantColumns() {
  return {
    organizationId: text("organization_id")
      .notNull()
      .default(sql`nullif(current_setting('app.organization_id', true), '')`),
  };
}

/**
 * The one helper that secures a tenant table. It makes:
 * - the four policies for `authenticated` (select, insert, update with USING and WITH CHECK, delete),
 *   each comparing organization_id with the tenant setting, so a missing setting matches nothing;
 * - the primary key (organization_id, id): the index leading with organization_id, the key a distributed
 *   or partitioned table needs (it must include the tenant column), and the target of the composite foreign
 *   keys by which other tenant tables point here (so a row of one tenant can never reference a row of
 *   another, even though foreign-key checks bypass RLS);
 * - the foreign key onto organization.
 * FORCE ROW LEVEL SECURITY and grants come from the custom security migration (drizzle-kit emits neither).
 */
export function tenantPolicies(tableName: string, t: { id: ExtraConfigColumn; organizationId: ExtraConfigColumn }) {
  const sameTenant = sql`${t.organizationId} = ${currentOrganizationId()}`;
  return [
    primaryKey({ name: `${tableName}_pkey`, columns: [t.organizationId, t.id] }),
    foreignKey({
      name: `${tableName}_organization_id_fkey`,
      columns: [t.organizationId],
      foreignColumns: [organization.id],
    }).onDelete("cascade"),
    pgPolicy(`${tableName}_tenant_select`, { for: "select", to: authenticatedRole, using: sameTenant }),
    pgPolicy(`${tableName}_tenant_insert`, { for: "insert", to: authenticatedRole, withCheck: sameTenant }),
    pgPolicy(`${tableName}_tenant_update`, {
      for: "update",
      to: authenticatedRole,
      using: sameTenant,
      withCheck: sameTenant,
    }),
    pgPolicy(`${tableName}_tenant_delete`, { for: "delete", to: authenticatedRole, using: sameTenant }),
  ];
}

/**
 * The one helper that secures a user-scoped global table (no organization_id: a user's own rows, the same in
 * every tenant, such as personal access tokens). The four policies for `authenticated` compare user_id with the
 * user setting, so a missing setting matches nothing; what `authenticated` may do at all is still decided by
 * the grants (the custom security migration). RLS is enabled by `pgTable.withRLS` but not forced: the owner
 * (migrations, `db:remove-demo`) and Better Auth's login (BYPASSRLS, the token look-up) reach every row.
 */
export function userPolicies(tableName: string, t: { userId: ExtraConfigColumn }) {
  const sameUser = sql`${t.userId} = ${currentUserId()}`;
  return [
    pgPolicy(`${tableName}_user_select`, { for: "select", to: authenticatedRole, using: sameUser }),
    pgPolicy(`${tableName}_user_insert`, { for: "insert", to: authenticatedRole, withCheck: sameUser }),
    pgPolicy(`${tableName}_user_update`, {
      for: "update",
      to: authenticatedRole,
      using: sameUser,
      withCheck: sameUser,
    }),
    pgPolicy(`${tableName}_user_delete`, { for: "delete", to: authenticatedRole, using: sameUser }),
  ];
}

/**
 * A foreign key between two tenant tables: (organization_id, column) → parent (organization_id, id).
 * Foreign-key checks bypass RLS, so a single-column key would let org A point at org B's row; the
 * composite key makes that impossible by construction.
 */
export function tenantForeignKey(
  name: string,
  child: { organizationId: ExtraConfigColumn; column: ExtraConfigColumn },
  parent: { organizationId: AnyPgColumn; id: AnyPgColumn },
) {
  return foreignKey({
    name,
    columns: [child.organizationId, child.column],
    foreignColumns: [parent.organizationId, parent.id],
  });
}
