import { type SQL, sql } from "drizzle-orm";
import { indexesNotLedByTenant } from "../../schema/distribution.js";

// The RLS doctor: reads the catalog and lists every way the database departs from the tenant security model.
// An empty list means healthy. Each check is named so a test can report them one by one.
//
// Expectations (see ../../../shared/STACK.md design notes and schema/roles.ts):
// - A tenant table is any table in schema public with an organization_id column. It has RLS enabled AND forced,
//   exactly four permissive policies for `authenticated` (select, insert, update with USING and WITH CHECK,
//   delete), each comparing organization_id with nullif(current_setting('app.organization_id', true), ''), a
//   primary key and unique constraints that include organization_id, indexes that lead with it (unless
//   schema/distribution.ts gives the reason), and foreign keys onto other tenant tables that include it: what a
//   database distributed or hash-partitioned by organization_id accepts (docs/citus.md). Partitions of a
//   tenant table are not tenant tables themselves: queries name the parent, whose policies apply.
// - A user-scoped table (USER_SCOPED_TABLES: global rows of one user, no organization_id) has RLS enabled (not
//   necessarily forced: the owner and trovella_auth reach every row) and exactly four permissive policies for
//   `authenticated`, each comparing user_id with nullif(current_setting('app.user_id', true), ''). `authenticated`
//   holds column grants only there, never on the secret's hash, and `anonymous` nothing.
// - No other table has RLS or policies (a policy elsewhere means someone relies on RLS where it is not audited).
// - `trovella_app` (the runtime login) is not a superuser, has no BYPASSRLS, owns nothing, holds no table
//   privilege itself and may only SET ROLE to `authenticated` and `anonymous`.
// - `anonymous` holds no privilege on any tenant table.
// - `authenticated` holds SELECT, INSERT, UPDATE, DELETE on tenant tables (SELECT only on member and invitation,
//   which Better Auth writes), never TRUNCATE (it ignores RLS), REFERENCES or TRIGGER.
// - `trovella_auth` (Better Auth's login) HAS BYPASSRLS, by design: Better Auth writes organization, member and
//   invitation rows outside any tenant context. In exchange it is granted the identity tables and nothing else.

/** Runs a catalog query as the owner and returns its rows. `TestDatabase.asOwner` fits. */
export type CatalogQuery = <T = Record<string, unknown>>(query: SQL) => Promise<T[]>;

export const TENANT_ROLE = "authenticated";
export const ANONYMOUS_ROLE = "anonymous";
export const APP_LOGIN_ROLE = "trovella_app";
export const AUTH_LOGIN_ROLE = "trovella_auth";

/** Better Auth's tables: the only ones `trovella_auth` may touch (it bypasses RLS, so grants are its fence). */
export const IDENTITY_TABLES = [
  "user",
  "session",
  "account",
  "verification",
  "organization",
  "member",
  "invitation",
  "personal_access_token",
] as const;

/** Global tables of one user's rows, secured by schema/base.ts userPolicies(): user_id = the transaction's user. */
export const USER_SCOPED_TABLES = ["personal_access_token"] as const;

/** Columns of user-scoped tables `authenticated` must never read. */
const SECRET_COLUMNS: Record<(typeof USER_SCOPED_TABLES)[number], string[]> = {
  personal_access_token: ["token_hash"],
};

/** Tenant tables `authenticated` may only read: Better Auth (trovella_auth) writes them. */
export const READ_ONLY_TENANT_TABLES = ["member", "invitation"] as const;

const TABLE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"] as const;
type TablePrivilege = (typeof TABLE_PRIVILEGES)[number];

/** The only expression a tenant policy may have, as pg_get_expr prints it (PostgreSQL 15 and 18 alike). */
const TENANT_EXPRESSION =
  /^\(?organization_id = NULLIF\(\(\s*SELECT current_setting\('app\.organization_id'::text, true\)( AS current_setting)?\), ''::text\)\)?$/i;

/** The only expression a user-scoped table's policy may have, as pg_get_expr prints it. */
const USER_EXPRESSION =
  /^\(?user_id = NULLIF\(\(\s*SELECT current_setting\('app\.user_id'::text, true\)( AS current_setting)?\), ''::text\)\)?$/i;

const POLICY_COMMANDS: Record<string, string> = { r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE", "*": "ALL" };

/** Which expressions each command's policy must have. */
const EXPECTED_CLAUSES: Record<string, { using: boolean; withCheck: boolean }> = {
  SELECT: { using: true, withCheck: false },
  INSERT: { using: false, withCheck: true },
  UPDATE: { using: true, withCheck: true },
  DELETE: { using: true, withCheck: false },
};

/** Schemas that hold our objects: everything but the system's own. */
const userSchemas = sql`(n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema')`;

export interface DoctorCheck {
  name: string;
  run(query: CatalogQuery): Promise<string[]>;
}

/** Tables in schema public with an organization_id column, sorted by name. */
export async function catalogTenantTables(query: CatalogQuery): Promise<string[]> {
  const rows = await query<{ name: string }>(sql`
    select c.relname as name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`);
  return rows.map((r) => r.name);
}

/** `relname in (tenant tables)` as SQL, for the checks' where clauses. */
const isTenantTable = (alias: string) =>
  sql.raw(`exists (
    select 1 from pg_attribute ta
    where ta.attrelid = ${alias}.oid and ta.attname = 'organization_id' and not ta.attisdropped
  ) and ${alias}.relkind in ('r', 'p') and not ${alias}.relispartition
    and ${alias}.relnamespace = 'public'::regnamespace`);

interface PrivilegeRow {
  schema: string;
  name: string;
  tenant: boolean;
  any_column: boolean;
  select: boolean;
  insert: boolean;
  update: boolean;
  delete: boolean;
  truncate: boolean;
  references: boolean;
  trigger: boolean;
}

/** What `role` may do on every relation of our schemas (table-level, plus whether any column is granted). */
async function privilegesOf(query: CatalogQuery, role: string): Promise<PrivilegeRow[]> {
  return query<PrivilegeRow>(sql`
    select n.nspname as schema, c.relname as name, ${isTenantTable("c")} as tenant,
      has_any_column_privilege(${role}, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES') as any_column,
      has_table_privilege(${role}, c.oid, 'SELECT') as select,
      has_table_privilege(${role}, c.oid, 'INSERT') as insert,
      has_table_privilege(${role}, c.oid, 'UPDATE') as update,
      has_table_privilege(${role}, c.oid, 'DELETE') as delete,
      has_table_privilege(${role}, c.oid, 'TRUNCATE') as truncate,
      has_table_privilege(${role}, c.oid, 'REFERENCES') as references,
      has_table_privilege(${role}, c.oid, 'TRIGGER') as trigger
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where ${userSchemas} and c.relkind in ('r', 'p', 'v', 'm', 'f')
    order by n.nspname, c.relname`);
}

function heldPrivileges(row: PrivilegeRow): TablePrivilege[] {
  return TABLE_PRIVILEGES.filter((p) => row[p.toLowerCase() as Lowercase<TablePrivilege>]);
}

interface RoleRow {
  name: string;
  superuser: boolean;
  bypassrls: boolean;
  createrole: boolean;
  createdb: boolean;
  member_of: string[] | null;
}

async function roleAttributes(query: CatalogQuery, role: string): Promise<RoleRow | undefined> {
  const rows = await query<RoleRow>(sql`
    select r.rolname as name, r.rolsuper as superuser, r.rolbypassrls as bypassrls,
      r.rolcreaterole as createrole, r.rolcreatedb as createdb,
      array(
        select g.rolname::text from pg_auth_members m join pg_roles g on g.oid = m.roleid
        where m.member = r.oid order by g.rolname
      ) as member_of
    from pg_roles r where r.rolname = ${role}`);
  return rows[0];
}

async function ownedBy(query: CatalogQuery, role: string): Promise<string[]> {
  const rows = await query<{ object: string }>(sql`
    select format('%s %I.%I', case c.relkind when 'S' then 'sequence' when 'v' then 'view' else 'relation' end,
      n.nspname, c.relname) as object
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relowner = (select oid from pg_roles where rolname = ${role}) and ${userSchemas}
    union all
    select format('schema %I', n.nspname) from pg_namespace n
    where n.nspowner = (select oid from pg_roles where rolname = ${role})
    order by 1`);
  return rows.map((r) => r.object);
}

interface PolicyRow {
  table: string;
  name: string;
  cmd: string;
  permissive: boolean;
  roles: string[];
  using: string | null;
  with_check: string | null;
}

/** The policies of the tables `where` selects (alias `c`), as the catalog prints them. */
function policiesWhere(query: CatalogQuery, where: SQL): Promise<PolicyRow[]> {
  return query<PolicyRow>(sql`
    select c.relname as table, p.polname as name, p.polcmd::text as cmd, p.polpermissive as permissive,
      array(select case when r = 0 then 'public' else r::regrole::text end from unnest(p.polroles) r order by 1)
        as roles,
      pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as with_check
    from pg_policy p join pg_class c on c.oid = p.polrelid
    where ${where}
    order by c.relname, p.polname`);
}

/**
 * How `table`'s policies depart from the four permissive ones for `authenticated` (select, insert, update with
 * USING and WITH CHECK, delete), each clause matching `expression` (`expected` says it in words).
 */
function policyProblems(table: string, own: PolicyRow[], expression: RegExp, expected: string): string[] {
  const problems: string[] = [];
  const commands = own.map((p) => POLICY_COMMANDS[p.cmd] ?? p.cmd);
  if (own.length !== 4) problems.push(`${table}: has ${own.length} policies, expected exactly 4`);
  for (const command of Object.keys(EXPECTED_CLAUSES)) {
    const count = commands.filter((c) => c === command).length;
    if (count !== 1) problems.push(`${table}: has ${count} ${command} policies, expected exactly 1`);
  }
  for (const policy of own) {
    const command = POLICY_COMMANDS[policy.cmd] ?? policy.cmd;
    const label = `${table}: policy ${policy.name} (${command})`;
    if (!policy.permissive) problems.push(`${label} is restrictive, expected permissive`);
    if (policy.roles.length !== 1 || policy.roles[0] !== TENANT_ROLE) {
      problems.push(`${label} applies to [${policy.roles.join(", ")}], expected [${TENANT_ROLE}]`);
    }
    const clauses = EXPECTED_CLAUSES[command];
    if (!clauses) {
      problems.push(`${label}: FOR ${command} policies are not allowed`);
      continue;
    }
    for (const [clause, text, wanted] of [
      ["USING", policy.using, clauses.using],
      ["WITH CHECK", policy.with_check, clauses.withCheck],
    ] as const) {
      if (wanted && text === null) problems.push(`${label} has no ${clause} expression`);
      if (!wanted && text !== null) problems.push(`${label} has an unexpected ${clause} expression: ${text}`);
      if (wanted && text !== null && !expression.test(text.trim())) {
        problems.push(`${label}: ${clause} is ${text}, expected ${expected}`);
      }
    }
  }
  return problems;
}

export const doctorChecks: DoctorCheck[] = [
  {
    name: "every tenant table has RLS enabled and forced",
    async run(query) {
      const rows = await query<{ name: string; enabled: boolean; forced: boolean }>(sql`
        select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
        from pg_class c where ${isTenantTable("c")} order by c.relname`);
      const problems: string[] = [];
      if (rows.length === 0) problems.push("no tenant table found at all (is the schema migrated?)");
      for (const row of rows) {
        if (!row.enabled) problems.push(`${row.name}: row-level security is not enabled`);
        if (!row.forced) problems.push(`${row.name}: row-level security is not forced (the owner would bypass it)`);
      }
      return problems;
    },
  },
  {
    name: "every tenant table has exactly the four tenant policies for authenticated",
    async run(query) {
      const tables = await catalogTenantTables(query);
      const policies = await policiesWhere(query, isTenantTable("c"));
      return tables.flatMap((table) =>
        policyProblems(
          table,
          policies.filter((p) => p.table === table),
          TENANT_EXPRESSION,
          "organization_id = nullif((select current_setting('app.organization_id', true)), '')",
        ),
      );
    },
  },
  {
    name: "every user-scoped table has RLS enabled and exactly the four user policies for authenticated",
    async run(query) {
      const names = sql.join(
        USER_SCOPED_TABLES.map((name) => sql`${name}`),
        sql`, `,
      );
      const rows = await query<{ name: string; enabled: boolean }>(sql`
        select c.relname as name, c.relrowsecurity as enabled from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and c.relname in (${names})`);
      const policies = await policiesWhere(
        query,
        sql`c.relnamespace = 'public'::regnamespace and c.relname in (${names})`,
      );
      const problems: string[] = [];
      for (const table of USER_SCOPED_TABLES) {
        const row = rows.find((r) => r.name === table);
        if (!row) {
          problems.push(`user-scoped table ${table} does not exist`);
          continue;
        }
        if (!row.enabled) problems.push(`${table}: row-level security is not enabled`);
        problems.push(
          ...policyProblems(
            table,
            policies.filter((p) => p.table === table),
            USER_EXPRESSION,
            "user_id = nullif((select current_setting('app.user_id', true)), '')",
          ),
        );
      }
      return problems;
    },
  },
  {
    name: `${TENANT_ROLE} holds column grants only on user-scoped tables, never their secrets; ${ANONYMOUS_ROLE} nothing`,
    async run(query) {
      const problems: string[] = [];
      for (const table of USER_SCOPED_TABLES) {
        for (const role of [TENANT_ROLE, ANONYMOUS_ROLE]) {
          const row = (await privilegesOf(query, role)).find((r) => r.schema === "public" && r.name === table);
          if (!row) continue; // reported by the check above
          const held = heldPrivileges(row);
          if (held.length > 0)
            problems.push(`${role} holds [${held.join(", ")}] on all of ${table}, expected column grants`);
          if (role === ANONYMOUS_ROLE && row.any_column) problems.push(`${role} holds column privileges on ${table}`);
        }
        for (const column of SECRET_COLUMNS[table]) {
          const [readable] = await query<{ granted: boolean }>(
            sql`select has_column_privilege(${TENANT_ROLE}, ${`public.${table}`}::regclass, ${column}, 'SELECT') as granted`,
          );
          if (readable?.granted) problems.push(`${TENANT_ROLE} may read ${table}.${column}`);
        }
      }
      return problems;
    },
  },
  {
    name: "every tenant table has an index leading with organization_id",
    async run(query) {
      const rows = await query<{ name: string }>(sql`
        select c.relname as name from pg_class c
        where ${isTenantTable("c")} and not exists (
          select 1 from pg_index i
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id'
          where i.indrelid = c.oid and i.indkey[0] = a.attnum
        )
        order by c.relname`);
      return rows.map((r) => `${r.name}: no index whose first column is organization_id`);
    },
  },
  {
    name: "unique constraints on tenant tables are scoped by organization_id",
    async run(query) {
      const rows = await query<{ table: string; index: string }>(sql`
        select c.relname as table, ic.relname as index
        from pg_index i
        join pg_class c on c.oid = i.indrelid
        join pg_class ic on ic.oid = i.indexrelid
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id'
        where ${isTenantTable("c")} and i.indisunique and not i.indisprimary
          and not (a.attnum = any (i.indkey::int2[]))
        order by c.relname, ic.relname`);
      return rows.map(
        (r) => `${r.table}: unique index ${r.index} does not include organization_id (its errors reveal other tenants)`,
      );
    },
  },
  {
    name: "tenant tables' primary keys include organization_id",
    async run(query) {
      const rows = await query<{ name: string; key: string | null }>(sql`
        select c.relname as name, (
          select pg_get_constraintdef(con.oid) from pg_constraint con
          where con.conrelid = c.oid and con.contype = 'p'
        ) as key
        from pg_class c
        where ${isTenantTable("c")} and not exists (
          select 1 from pg_constraint con
          join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id'
          where con.conrelid = c.oid and con.contype = 'p' and a.attnum = any (con.conkey)
        )
        order by c.relname`);
      return rows.map((r) =>
        r.key === null
          ? `${r.name}: has no primary key, expected (organization_id, id)`
          : `${r.name}: ${r.key} does not include organization_id (a distributed or partitioned table refuses it)`,
      );
    },
  },
  {
    name: "indexes on tenant tables lead with organization_id, or schema/distribution.ts says why not",
    async run(query) {
      const rows = await query<{ table: string; index: string; definition: string }>(sql`
        select c.relname as table, ic.relname as index, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i
        join pg_class c on c.oid = i.indrelid
        join pg_class ic on ic.oid = i.indexrelid
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id'
        where ${isTenantTable("c")} and i.indkey[0] <> a.attnum
        order by c.relname, ic.relname`);
      const problems = rows
        .filter((r) => !indexesNotLedByTenant[r.index])
        .map(
          (r) =>
            `${r.table}: index ${r.index} does not lead with organization_id and schema/distribution.ts gives no reason (${r.definition})`,
        );
      const present = new Set(rows.map((r) => r.index));
      for (const index of Object.keys(indexesNotLedByTenant)) {
        if (!present.has(index)) {
          problems.push(
            `schema/distribution.ts allows ${index} not to lead with organization_id, but no such index exists`,
          );
        }
      }
      return problems;
    },
  },
  {
    name: "foreign keys between tenant tables include organization_id",
    async run(query) {
      const rows = await query<{ table: string; constraint: string; target: string }>(sql`
        select c.relname as table, con.conname as constraint, fc.relname as target
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        join pg_class fc on fc.oid = con.confrelid
        where con.contype = 'f' and ${isTenantTable("c")} and ${isTenantTable("fc")}
          and not exists (
            select 1 from unnest(con.conkey, con.confkey) as k(child_attnum, parent_attnum)
            join pg_attribute oa on oa.attrelid = con.conrelid and oa.attnum = k.child_attnum
            join pg_attribute fa on fa.attrelid = con.confrelid and fa.attnum = k.parent_attnum
            where oa.attname = 'organization_id' and fa.attname = 'organization_id'
          )
        order by c.relname, con.conname`);
      return rows.map(
        (r) =>
          `${r.table}: foreign key ${r.constraint} onto tenant table ${r.target} does not pair organization_id (a row could point at another tenant's row)`,
      );
    },
  },
  {
    name: "no other table has row-level security or policies",
    async run(query) {
      const rows = await query<{ name: string; enabled: boolean; forced: boolean; policies: number }>(sql`
        select format('%I.%I', n.nspname, c.relname) as name, c.relrowsecurity as enabled,
          c.relforcerowsecurity as forced, (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where ${userSchemas} and c.relkind in ('r', 'p') and not (${isTenantTable("c")})
          and not (c.relnamespace = 'public'::regnamespace and c.relname in (${sql.join(
            USER_SCOPED_TABLES.map((name) => sql`${name}`),
            sql`, `,
          )}))
          and (c.relrowsecurity or c.relforcerowsecurity or exists (select 1 from pg_policy p where p.polrelid = c.oid))
        order by 1`);
      return rows.map(
        (r) =>
          `${r.name}: not a tenant table (no organization_id) but has ${[
            r.enabled ? "RLS enabled" : "",
            r.forced ? "RLS forced" : "",
            r.policies > 0 ? `${r.policies} policies` : "",
          ]
            .filter(Boolean)
            .join(", ")}`,
      );
    },
  },
  {
    name: "views run with the caller's rights (security_invoker)",
    async run(query) {
      const rows = await query<{ name: string }>(sql`
        select format('%I.%I', n.nspname, c.relname) as name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where ${userSchemas} and c.relkind in ('v', 'm')
          and not (c.relkind = 'v' and coalesce(c.reloptions, '{}') && array['security_invoker=true', 'security_invoker=on'])
        order by 1`);
      return rows.map((r) => `${r.name}: a view without security_invoker reads tables as its owner, bypassing RLS`);
    },
  },
  {
    name: `${APP_LOGIN_ROLE} is not superuser, not BYPASSRLS, owns nothing and may only become ${TENANT_ROLE} or ${ANONYMOUS_ROLE}`,
    async run(query) {
      const role = await roleAttributes(query, APP_LOGIN_ROLE);
      if (!role) return [`role ${APP_LOGIN_ROLE} does not exist`];
      const problems: string[] = [];
      if (role.superuser) problems.push(`${APP_LOGIN_ROLE} is a superuser`);
      if (role.bypassrls) problems.push(`${APP_LOGIN_ROLE} has BYPASSRLS`);
      if (role.createrole) problems.push(`${APP_LOGIN_ROLE} has CREATEROLE`);
      if (role.createdb) problems.push(`${APP_LOGIN_ROLE} has CREATEDB`);
      const memberOf = [...(role.member_of ?? [])].sort();
      const allowed = [ANONYMOUS_ROLE, TENANT_ROLE].sort();
      if (memberOf.join(",") !== allowed.join(",")) {
        problems.push(`${APP_LOGIN_ROLE} is a member of [${memberOf.join(", ")}], expected [${allowed.join(", ")}]`);
      }
      for (const object of await ownedBy(query, APP_LOGIN_ROLE)) problems.push(`${APP_LOGIN_ROLE} owns ${object}`);
      for (const row of await privilegesOf(query, APP_LOGIN_ROLE)) {
        const held = heldPrivileges(row);
        if (held.length > 0 || row.any_column) {
          problems.push(
            `${APP_LOGIN_ROLE} holds [${held.join(", ") || "column privileges"}] on ${row.schema}.${row.name} itself (it must SET ROLE)`,
          );
        }
      }
      return problems;
    },
  },
  {
    name: `${TENANT_ROLE} and ${ANONYMOUS_ROLE} are plain roles (no superuser, no BYPASSRLS, no memberships)`,
    async run(query) {
      const problems: string[] = [];
      for (const name of [TENANT_ROLE, ANONYMOUS_ROLE]) {
        const role = await roleAttributes(query, name);
        if (!role) {
          problems.push(`role ${name} does not exist`);
          continue;
        }
        if (role.superuser) problems.push(`${name} is a superuser`);
        if (role.bypassrls) problems.push(`${name} has BYPASSRLS`);
        if ((role.member_of ?? []).length > 0) problems.push(`${name} is a member of [${role.member_of?.join(", ")}]`);
        for (const object of await ownedBy(query, name)) problems.push(`${name} owns ${object}`);
      }
      return problems;
    },
  },
  {
    name: `${ANONYMOUS_ROLE} has no privilege on any tenant table`,
    async run(query) {
      const rows = (await privilegesOf(query, ANONYMOUS_ROLE)).filter((r) => r.tenant);
      return rows
        .filter((r) => heldPrivileges(r).length > 0 || r.any_column)
        .map((r) => `${ANONYMOUS_ROLE} holds [${heldPrivileges(r).join(", ") || "column privileges"}] on ${r.name}`);
    },
  },
  {
    name: `${TENANT_ROLE} holds exactly the privileges it needs on tenant tables`,
    async run(query) {
      const rows = (await privilegesOf(query, TENANT_ROLE)).filter((r) => r.tenant);
      const problems: string[] = [];
      for (const row of rows) {
        const readOnly = (READ_ONLY_TENANT_TABLES as readonly string[]).includes(row.name);
        const expected: TablePrivilege[] = readOnly ? ["SELECT"] : ["SELECT", "INSERT", "UPDATE", "DELETE"];
        const held = heldPrivileges(row);
        if (held.join(",") !== expected.join(",")) {
          problems.push(`${TENANT_ROLE} holds [${held.join(", ")}] on ${row.name}, expected [${expected.join(", ")}]`);
        }
      }
      return problems;
    },
  },
  {
    name: `${AUTH_LOGIN_ROLE} has BYPASSRLS by design, so it is granted the identity tables and nothing else`,
    async run(query) {
      const role = await roleAttributes(query, AUTH_LOGIN_ROLE);
      if (!role) return [`role ${AUTH_LOGIN_ROLE} does not exist`];
      const problems: string[] = [];
      if (role.superuser) problems.push(`${AUTH_LOGIN_ROLE} is a superuser`);
      // Expected, not a problem: Better Auth writes organization/member/invitation outside any tenant context.
      if (!role.bypassrls) problems.push(`${AUTH_LOGIN_ROLE} lacks BYPASSRLS (Better Auth could not write members)`);
      if ((role.member_of ?? []).length > 0) {
        problems.push(`${AUTH_LOGIN_ROLE} is a member of [${role.member_of?.join(", ")}], expected none`);
      }
      for (const object of await ownedBy(query, AUTH_LOGIN_ROLE)) problems.push(`${AUTH_LOGIN_ROLE} owns ${object}`);
      const rows = await privilegesOf(query, AUTH_LOGIN_ROLE);
      const identity: readonly string[] = IDENTITY_TABLES;
      for (const row of rows) {
        const held = heldPrivileges(row);
        const isIdentity = row.schema === "public" && identity.includes(row.name);
        if (!isIdentity && (held.length > 0 || row.any_column)) {
          problems.push(
            `${AUTH_LOGIN_ROLE} holds [${held.join(", ") || "column privileges"}] on ${row.schema}.${row.name}, which is not an identity table`,
          );
        }
        if (isIdentity) {
          const missing = (["SELECT", "INSERT", "UPDATE", "DELETE"] as const).filter((p) => !held.includes(p));
          if (missing.length > 0) problems.push(`${AUTH_LOGIN_ROLE} lacks [${missing.join(", ")}] on ${row.name}`);
        }
      }
      for (const name of identity) {
        if (!rows.some((r) => r.schema === "public" && r.name === name)) {
          problems.push(`identity table ${name} does not exist`);
        }
      }
      return problems;
    },
  },
];

/** Runs every check; an empty list means the catalog matches the tenant security model. */
export async function rlsDoctor(query: CatalogQuery): Promise<string[]> {
  const problems: string[] = [];
  for (const check of doctorChecks) problems.push(...(await check.run(query)));
  return problems;
}
