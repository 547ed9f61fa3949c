// Seeds the benchmark database: a fresh database on the local server, our migrations, then a multi-tenant
// data set generated server-side (INSERT … SELECT over generate_series, as the owner, foreign-key triggers
// off while loading: the generator keeps every reference consistent by construction), plus one owner, one
// membership and one personal access token per organization for the load generator.
//
//   SIZE=tiny|small|default|large BENCH_DATABASE=trovella_bench npx tsx bench/seed.ts

import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { hashTokenSecret } from "../src/platform/auth/token-secrets.js";
import { Database, migrate } from "../src/platform/db/index.js";
import { type BenchConfig, databaseUrl, loadBenchConfig, type SizeName, sizes } from "./config.js";

export interface BenchOrganization {
  /** 1-based index; organization 1 is the largest. */
  index: number;
  id: string;
  userId: string;
  token: string;
  planCount: number;
}

/** The deterministic identities of the data set (the seed writes them; the load generator reads them). */
export function benchOrganizations(size: SizeName): BenchOrganization[] {
  const spec = sizes[size];
  const weights = Array.from({ length: spec.organizations }, (_, i) => 1 / (i + 1));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, spec.plans - spec.minPlansPerOrganization * spec.organizations);
  return weights.map((weight, i) => {
    const index = i + 1;
    const tag = String(index).padStart(3, "0");
    return {
      index,
      id: `bench-org-${tag}`,
      userId: `bench-user-${tag}`,
      // trv_ + 43 characters, like a real secret; deterministic so every run can rebuild it.
      token: `trv_bench_${tag}_${"0".repeat(32)}`,
      planCount: spec.minPlansPerOrganization + Math.floor((spare * weight) / weightSum),
    };
  });
}

/** Plan ids: `pl-<org>-<n>`; a higher n is newer (created_at grows with n, distinct within an organization). */
export function planId(org: BenchOrganization, n: number): string {
  return `pl-${org.index}-${n}`;
}

/** How many steps plan n of an organization has (5 to 15, 10 on average), as the SQL below computes it. */
export function stepCountOf(org: BenchOrganization, n: number): number {
  return 5 + ((n * 7 + org.index * 13) % 11);
}

const stepCountSql = "5 + ((g * 7 + o.n * 13) % 11)";

/** PostGraphile's (and the baseline's) add-a-step: the same work as our addPlanStep, as one SQL function. */
export const benchFunctionsSql = `
create schema if not exists bench_pg;
grant usage on schema bench_pg to authenticated;
create or replace function bench_pg.add_plan_step(plan_id text, title text, instructions text default null)
returns public.plan_step
language plpgsql volatile security invoker
set search_path = public, pg_temp
as $fn$
declare
  v_plan_id text;
  v_count int;
  v_step public.plan_step;
begin
  -- Locks the plan (RLS hides other tenants' plans: not found), like lockPlan().
  select p.id into v_plan_id from public.research_plan p where p.id = add_plan_step.plan_id for update;
  if v_plan_id is null then
    raise exception 'No research plan with this ID.' using errcode = 'P0002';
  end if;
  select count(*) into v_count from public.plan_step s where s.plan_id = v_plan_id;
  if v_count >= 500 then
    raise exception 'A plan can have at most 500 steps.' using errcode = '22023';
  end if;
  insert into public.plan_step (id, plan_id, position, title, instructions)
  values (gen_random_uuid()::text, v_plan_id, v_count + 1, add_plan_step.title, add_plan_step.instructions)
  returning * into v_step;
  update public.research_plan set version = version + 1, updated_at = now() where id = v_plan_id;
  insert into public.plan_audit_log (id, plan_id, actor_id, action, diff)
  values (gen_random_uuid()::text, v_plan_id, nullif(current_setting('app.user_id', true), ''), 'step_added',
    jsonb_build_object('before', null, 'after', jsonb_build_object(
      'title', v_step.title, 'instructions', v_step.instructions, 'position', v_step.position,
      'status', v_step.status, 'stepExecutionReport', v_step.step_execution_report)));
  return v_step;
end
$fn$;
revoke all on function bench_pg.add_plan_step(text, text, text) from public;
grant execute on function bench_pg.add_plan_step(text, text, text) to authenticated;

-- The baseline's W5 in one statement: the same function, and the response JSON (read after the change, which
-- a single outer statement's snapshot would not see).
create or replace function bench_pg.add_plan_step_json(plan_id text, title text, instructions text default null)
returns json
language plpgsql volatile security invoker
set search_path = public, pg_temp
as $fn$
declare
  v_step public.plan_step;
  v_version int;
begin
  v_step := bench_pg.add_plan_step(plan_id, title, instructions);
  select p.version into v_version from public.research_plan p where p.id = v_step.plan_id;
  return json_build_object('data', json_build_object('addPlanStep', json_build_object(
    'step', json_build_object('id', v_step.id, 'position', v_step.position, 'title', v_step.title, 'status', v_step.status),
    'plan', json_build_object('version', v_version))));
end
$fn$;
revoke all on function bench_pg.add_plan_step_json(text, text, text) from public;
grant execute on function bench_pg.add_plan_step_json(text, text, text) to authenticated;
`;

type Sql = postgres.TransactionSql;

async function timed(label: string, fn: () => Promise<number | undefined>): Promise<void> {
  const started = performance.now();
  const rows = await fn();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`seed: ${label}${rows === undefined ? "" : `: ${rows.toLocaleString("en-US")} rows`} (${seconds} s)`);
}

async function recreateDatabase(config: BenchConfig): Promise<void> {
  const admin = postgres(config.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${config.databaseName}" with (force)`);
    await admin.unsafe(`create database "${config.databaseName}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function seedIdentities(sql: Sql, orgs: BenchOrganization[]): Promise<void> {
  await sql`insert into "user" ${sql(
    orgs.map((o) => ({
      id: o.userId,
      name: `Bench Owner ${o.index}`,
      email: `owner-${o.index}@bench.test`,
      email_verified: true,
    })),
  )}`;
  await sql`insert into organization ${sql(
    orgs.map((o) => ({ id: o.id, name: `Bench Org ${o.index}`, slug: o.id, type: "team" })),
  )}`;
  await sql`insert into member ${sql(
    orgs.map((o) => ({ id: `bench-member-${o.index}`, organization_id: o.id, user_id: o.userId, role: "owner" })),
  )}`;
  await sql`insert into personal_access_token ${sql(
    orgs.map((o) => ({
      id: `bench-token-${o.index}`,
      user_id: o.userId,
      name: "bench load generator",
      token_hash: hashTokenSecret(o.token),
      token_prefix: o.token.slice(0, 10),
      scopes: sql.array(["read", "write", "agent"]),
      // Used "now" far in the future: the gateway's throttled last-used write never fires during a run.
      last_used_at: new Date("2100-01-01T00:00:00Z"),
    })),
  )}`;
  await sql`create temporary table bench_org (n int primary key, id text not null, user_id text not null, plan_count int not null)`;
  await sql`insert into bench_org ${sql(orgs.map((o) => ({ n: o.index, id: o.id, user_id: o.userId, plan_count: o.planCount })))}`;
}

async function seedResearch(sql: Sql): Promise<void> {
  const base = "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' + o.n * interval '1 millisecond'";
  await timed("research_plan", async () => {
    const r = await sql.unsafe(`
      insert into research_plan (id, organization_id, title, description, status, author_id, version,
        created_at, updated_at, started_at, completed_at)
      select 'pl-' || o.n || '-' || g, o.id, 'Plan ' || g || ' of organization ' || o.n,
        'What organization ' || o.n || ' wants to learn, part ' || g || '.',
        (array['draft','running','completed','failed','cancelled'])[1 + g % 5]::plan_status, o.user_id, 1,
        ${base}, ${base} + interval '1 hour',
        case when g % 5 = 0 then null else ${base} end,
        case when g % 5 = 2 then ${base} + interval '2 hours' end
      from bench_org o, generate_series(1, o.plan_count) g`);
    return r.count;
  });
  await timed("plan_step", async () => {
    const r = await sql.unsafe(`
      insert into plan_step (id, organization_id, plan_id, position, title, instructions, status,
        step_execution_report, created_at, updated_at, started_at, completed_at)
      select 'st-' || o.n || '-' || g || '-' || s, o.id, 'pl-' || o.n || '-' || g, s, 'Step ' || s,
        'Instructions for step ' || s || ' of plan ' || g || '.',
        (case when s <= 3 then 'completed' else 'pending' end)::step_status,
        case when s <= 3 then jsonb_build_object('summary', 'Finished step ' || s, 'durationMs', 1000 * s) end,
        ${base}, ${base}, case when s <= 3 then ${base} end, case when s <= 3 then ${base} + interval '5 minutes' end
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, ${stepCountSql}) s`);
    return r.count;
  });
  await timed("plan_branching_condition", async () => {
    // After every step but the last: "on success" to the next one (priority 0); after every third step:
    // "on failure" back to the previous one (priority 1). Priorities are distinct per step, so every system
    // returns conditions in the same order.
    const r = await sql.unsafe(`
      insert into plan_branching_condition (id, organization_id, step_id, target_step_id, label, rule, priority,
        created_at, updated_at)
      select 'co-' || o.n || '-' || g || '-' || s || '-' || k, o.id, 'st-' || o.n || '-' || g || '-' || s,
        'st-' || o.n || '-' || g || '-' || (case when k = 0 then s + 1 else s - 1 end),
        case when k = 0 then 'on success' else 'on failure, go back' end,
        case when k = 0 then '{"kind":"status","equals":"completed"}'::jsonb
             else '{"kind":"status","equals":"failed"}'::jsonb end,
        k, ${base}, ${base}
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, ${stepCountSql}) s,
        generate_series(0, 1) k
      where (k = 0 and s < ${stepCountSql}) or (k = 1 and s % 3 = 2)`);
    return r.count;
  });
  await timed("research_artifact", async () => {
    const r = await sql.unsafe(`
      insert into research_artifact (id, organization_id, plan_id, step_id, kind, title, source_uri, mime_type,
        content, byte_size, metadata, created_at, updated_at)
      select 'ar-' || o.n || '-' || g || '-' || a, o.id, 'pl-' || o.n || '-' || g, 'st-' || o.n || '-' || g || '-2',
        (case when a = 1 then 'document' else 'web_page' end)::artifact_kind, 'Source ' || a || ' of plan ' || g,
        'https://example.test/' || o.n || '/' || g || '/' || a, case when a = 1 then 'application/pdf' else 'text/html' end,
        repeat('Evidence for plan ' || g || '. ', 8), 200, '{"language":"en","tags":["bench"]}'::jsonb,
        ${base} + a * interval '1 second', ${base} + a * interval '1 second'
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, 2) a`);
    return r.count;
  });
  // W6 (the frontend page) reads these. Within their parent, created_at is distinct and grows with the id's
  // last number, so ordering by either (PostGraphile orders extraction results by id) gives one order.
  await timed("extraction_result", async () => {
    const r = await sql.unsafe(`
      insert into extraction_result (id, organization_id, artifact_id, extraction_schema, values, confidence,
        created_at, updated_at)
      select 'ex-' || o.n || '-' || g || '-' || a || '-' || k, o.id, 'ar-' || o.n || '-' || g || '-' || a,
        '{"name":"facts","fields":[{"name":"topic","type":"string"},{"name":"year","type":"number"}]}'::jsonb,
        jsonb_build_object('topic', 'Topic ' || g || '.' || a, 'year', 2000 + (g + k) % 25),
        case when k = 1 then 0.75 else 0.5 end,
        ${base} + interval '1 minute' + k * interval '1 second', ${base} + interval '1 minute' + k * interval '1 second'
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, 2) a, generate_series(1, 2) k`);
    return r.count;
  });
  await timed("research_output", async () => {
    const r = await sql.unsafe(`
      insert into research_output (id, organization_id, plan_id, title, format, content, result_summary,
        published_at, created_at, updated_at)
      select 'ou-' || o.n || '-' || g || '-' || j, o.id, 'pl-' || o.n || '-' || g, 'Output ' || j || ' of plan ' || g,
        (case when j = 1 then 'markdown' else 'json' end)::output_format, 'Findings of plan ' || g || '.',
        jsonb_build_object('headline', 'Plan ' || g || ' found things', 'keyFindings', jsonb_build_array('one', 'two')),
        case when j = 1 then ${base} + interval '3 hours' end,
        ${base} + interval '2 hours' + j * interval '1 second', ${base} + interval '2 hours' + j * interval '1 second'
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, 2) j`);
    return r.count;
  });
  await timed("research_feedback", async () => {
    const r = await sql.unsafe(`
      insert into research_feedback (id, organization_id, output_id, author_id, rating, comment, created_at, updated_at)
      select 'fb-' || o.n || '-' || g || '-' || j || '-' || k, o.id, 'ou-' || o.n || '-' || g || '-' || j, o.user_id,
        1 + (g + j + k) % 5, case when k = 1 then 'Useful, thanks.' end,
        ${base} + interval '4 hours' + k * interval '1 second', ${base} + interval '4 hours' + k * interval '1 second'
      from bench_org o, generate_series(1, o.plan_count) g, generate_series(1, 2) j, generate_series(1, 2) k`);
    return r.count;
  });
  await timed("plan_audit_log", async () => {
    const r = await sql.unsafe(`
      insert into plan_audit_log (id, organization_id, plan_id, actor_id, action, diff, created_at, updated_at)
      select 'au-' || o.n || '-' || g, o.id, 'pl-' || o.n || '-' || g, o.user_id, 'plan_created',
        jsonb_build_object('before', null, 'after', jsonb_build_object('title', 'Plan ' || g)), ${base}, ${base}
      from bench_org o, generate_series(1, o.plan_count) g`);
    return r.count;
  });
}

/**
 * Loads the data set into a migrated database, as its owner (a superuser): also used by the connection
 * filters' EXPLAIN test (test/filters/explain.test.ts).
 */
export async function loadBenchData(sql: postgres.Sql, orgs: BenchOrganization[]): Promise<void> {
  await sql.begin(async (tx) => {
    // The owner is a superuser here (RLS does not apply); the generator keeps every composite foreign key
    // consistent, so the per-row foreign-key triggers are switched off for the load.
    await tx`set local session_replication_role = replica`;
    await seedIdentities(tx, orgs);
    await seedResearch(tx);
  });
}

/** Drops and recreates the bench database, migrates it and loads the data set. */
export async function seedBenchDatabase(config: BenchConfig): Promise<BenchOrganization[]> {
  const started = performance.now();
  const orgs = benchOrganizations(config.size);
  const spec = sizes[config.size];
  console.log(
    `seed: database "${config.databaseName}", size ${config.size}: ${spec.organizations} organizations, ` +
      `${orgs.reduce((a, o) => a + o.planCount, 0).toLocaleString("en-US")} plans ` +
      `(largest ${orgs[0]?.planCount}, smallest ${orgs.at(-1)?.planCount})`,
  );
  await recreateDatabase(config);
  const ownerUrl = databaseUrl(config);
  const database = await Database.open({ databaseUrl: ownerUrl, poolSize: 1 });
  try {
    await migrate(database, (message) => console.log(`seed: ${message}`));
  } finally {
    await database.close();
  }

  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(benchFunctionsSql);
    await loadBenchData(sql, orgs);
    await timed("vacuum analyze", async () => {
      await sql.unsafe("vacuum (analyze)");
      return undefined;
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
  console.log(`seed: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return orgs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await seedBenchDatabase(loadBenchConfig());
}
