import type postgres from "postgres";
import { AuthError, type TenantIdentity } from "./auth.js";

// The hand-written statements of the baseline (one per workload, returning the response JSON built by
// PostgreSQL) and the transaction they run in: BEGIN, the one set_config statement that switches to
// `authenticated` and sets the tenant, the statement, COMMIT. RLS filters every row; no statement names
// organization_id. Shared by the baseline (bench/servers/baseline.ts) and the Yoga floor (yoga-floor.ts).

const settingsSql = `select set_config('role', 'authenticated', true), set_config('app.organization_id', $1, true),
  set_config('app.user_id', $2, true)`;

export type Variables = Record<string, unknown>;

export interface Statement {
  readOnly: boolean;
  sql: string;
  params(variables: Variables, identity: TenantIdentity): (string | number | null)[];
}

function text(variables: Variables, name: string): string {
  const value = variables[name];
  if (typeof value !== "string") throw new AuthError(`variable ${name} must be a string`, 401);
  return value;
}

/** A keyset cursor of the plan list: base64 of [createdAt ISO, id]. */
function cursorParts(cursor: string): [string, string] {
  const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64").toString("utf8"));
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") {
    throw new AuthError("bad cursor", 401);
  }
  return [parsed[0], parsed[1]];
}

const planJson = `json_build_object('id', p.id, 'title', p.title, 'status', p.status,
  'createdAt', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;

export const statements: Record<string, Statement> = {
  "/w1": {
    readOnly: true,
    sql: `select json_build_object('data', json_build_object('researchPlan', (
        select json_build_object('id', p.id, 'title', p.title, 'status', p.status, 'version', p.version,
          'createdAt', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        from research_plan p where p.id = $1)))::text as body`,
    params: (v) => [text(v, "id")],
  },
  "/w2": {
    readOnly: true,
    sql: `select json_build_object('data', json_build_object('researchPlans', json_build_object('nodes',
        coalesce((select json_agg(${planJson} order by p.created_at desc, p.id desc)
          from (select * from research_plan order by created_at desc, id desc limit 20) p), '[]'))))::text as body`,
    params: () => [],
  },
  "/w3": {
    readOnly: true,
    sql: `select json_build_object('data', json_build_object('researchPlans', json_build_object('nodes', coalesce((
        select json_agg(json_build_object('id', p.id, 'title', p.title, 'steps', json_build_object('nodes', coalesce((
          select json_agg(json_build_object('id', s.id, 'position', s.position, 'title', s.title, 'status', s.status,
            'branchingConditions', json_build_object('nodes', coalesce((
              select json_agg(json_build_object('id', c.id, 'label', c.label, 'priority', c.priority,
                'rule', json_build_object('kind', c.rule->>'kind', 'equals', c.rule->>'equals')) order by c.priority, c.id)
              from plan_branching_condition c where c.organization_id = s.organization_id and c.step_id = s.id), '[]')))
            order by s.position)
          from (select * from plan_step s where s.organization_id = p.organization_id and s.plan_id = p.id
                order by s.position limit 10) s), '[]'))) order by p.created_at desc, p.id desc)
        from (select * from research_plan order by created_at desc, id desc limit 20) p), '[]'))))::text as body`,
    params: () => [],
  },
  "/w4": {
    readOnly: true,
    sql: `with page as (
        select * from research_plan where (created_at, id) < ($1::timestamptz, $2)
        order by created_at desc, id desc limit 21),
      shown as (select * from page order by created_at desc, id desc limit 20)
      select json_build_object('data', json_build_object('researchPlans', json_build_object(
        'totalCount', (select count(*) from research_plan),
        'pageInfo', json_build_object('hasNextPage', (select count(*) from page) > 20,
          'endCursor', (select encode(convert_to(json_build_array(
            to_char(l.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), l.id)::text, 'UTF8'), 'base64')
            from (select * from shown order by created_at, id limit 1) l)),
        'nodes', coalesce((select json_agg(json_build_object('id', p.id, 'title', p.title,
          'createdAt', to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          order by p.created_at desc, p.id desc) from shown p), '[]'))))::text as body`,
    params: (v) => cursorParts(text(v, "after")),
  },
  "/w5": {
    readOnly: false,
    // One statement: the same function PostGraphile exposes (lock the plan, append, bump the version, audit),
    // wrapped to build the response after the change (bench/seed.ts).
    sql: "select bench_pg.add_plan_step_json($1, $2, null)::text as body",
    params: (v) => [text(v, "planId"), text(v, "title")],
  },
};

/** Initial cursor (no `after`): W4 also answers the first page when asked with after = "". */
statements["/w4-first"] = {
  ...(statements["/w4"] as Statement),
  params: () => [new Date("9999-01-01T00:00:00Z").toISOString(), ""],
};

/** Runs one statement in its tenant transaction; the response body (`{"data": …}`) as text. */
export async function runStatement(
  sql: postgres.Sql,
  statement: Statement,
  variables: Variables,
  identity: TenantIdentity,
): Promise<string> {
  const params = statement.params(variables, identity);
  const rows = await sql.begin(statement.readOnly ? "read only" : "read write", async (tx) => {
    await tx.unsafe(settingsSql, [identity.organizationId, identity.userId], { prepare: true });
    return tx.unsafe<{ body: string }[]>(statement.sql, params, { prepare: true });
  });
  return rows[0]?.body ?? '{"data":null}';
}
