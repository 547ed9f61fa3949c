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
  "/w6": {
    readOnly: true,
    // The frontend page: one plan, its steps → conditions (with their target step), artifacts → extraction
    // results, outputs → feedback; each list in its connection's order and page size.
    sql: `select json_build_object('data', json_build_object('researchPlan', (
        select json_build_object('id', p.id, 'title', p.title, 'description', p.description, 'status', p.status,
          'version', p.version,
          'steps', json_build_object('nodes', coalesce((
            select json_agg(json_build_object('id', s.id, 'position', s.position, 'title', s.title, 'status', s.status,
              'branchingConditions', json_build_object('nodes', coalesce((
                select json_agg(json_build_object('id', c.id, 'label', c.label, 'priority', c.priority,
                  'rule', json_build_object('kind', c.rule->>'kind', 'equals', c.rule->>'equals',
                    'expression', c.rule->>'expression'),
                  'targetStep', (select json_build_object('id', t.id, 'position', t.position) from plan_step t
                    where t.organization_id = c.organization_id and t.id = c.target_step_id))
                  order by c.priority, c.id)
                from (select * from plan_branching_condition c where c.organization_id = s.organization_id
                      and c.step_id = s.id order by c.priority, c.id limit 20) c), '[]')))
              order by s.position)
            from (select * from plan_step s where s.organization_id = p.organization_id and s.plan_id = p.id
                  order by s.position limit 100) s), '[]')),
          'artifacts', json_build_object('nodes', coalesce((
            select json_agg(json_build_object('id', a.id, 'title', a.title, 'kind', a.kind,
              'extractionResults', json_build_object('nodes', coalesce((
                select json_agg(json_build_object('id', e.id, 'confidence', e.confidence, 'values', e.values)
                  order by e.created_at, e.id)
                from (select * from extraction_result e where e.organization_id = a.organization_id
                      and e.artifact_id = a.id order by e.created_at, e.id limit 20) e), '[]')))
              order by a.created_at, a.id)
            from (select * from research_artifact a where a.organization_id = p.organization_id and a.plan_id = p.id
                  order by a.created_at, a.id limit 20) a), '[]')),
          'outputs', json_build_object('nodes', coalesce((
            select json_agg(json_build_object('id', o.id, 'title', o.title, 'format', o.format,
              'publishedAt', to_char(o.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'feedback', json_build_object('nodes', coalesce((
                select json_agg(json_build_object('id', f.id, 'rating', f.rating, 'comment', f.comment)
                  order by f.created_at desc, f.id desc)
                from (select * from research_feedback f where f.organization_id = o.organization_id
                      and f.output_id = o.id order by f.created_at desc, f.id desc limit 20) f), '[]')))
              order by o.created_at desc, o.id desc)
            from (select * from research_output o where o.organization_id = p.organization_id and o.plan_id = p.id
                  order by o.created_at desc, o.id desc limit 20) o), '[]')))
        from research_plan p where p.id = $1)))::text as body`,
    params: (v) => [text(v, "id")],
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
