import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { TokenScope } from "../../schema/index.js";
import { demoUsers } from "../../src/platform/db/index.js";
import type { TestDatabase } from "../support/database.js";
import {
  type Caller,
  decodeGlobalId,
  type GraphQLErrorShape,
  type GraphQLResponse,
  globalId,
  type TestGateway,
} from "../support/gateway.js";
import { createTokenForUser } from "../support/tokens.js";

// Helpers for the write-API tests: run a mutation through the whole gateway (test/support/gateway.ts), check
// its error codes, and check what was really written as the tables' owner (bypassing RLS), never through it.

export const acme = "demo-org-acme";
export const globex = "demo-org-globex";
export const initech = "demo-org-initech";

/** Seeded rows of Initech: another tenant for Alice in Acme (she is not even a member of it). */
export const initechIds = {
  plan: `${initech}-plan-01`,
  completedPlan: `${initech}-plan-02`,
  step: `${initech}-plan-01-step-1`,
  secondStep: `${initech}-plan-01-step-2`,
  condition: `${initech}-plan-01-step-1-next`,
  artifact: `${initech}-plan-01-artifact-1`,
  execution: `${initech}-plan-01-skill-1`,
  output: `${initech}-plan-02-output`,
  batch: `${initech}-plan-01-batch`,
};

/** Seeded rows of Acme: plan-01 is running, plan-02 completed (with an output), plan-06 a draft. */
export const acmeIds = {
  runningPlan: `${acme}-plan-01`,
  completedPlan: `${acme}-plan-02`,
  draftPlan: `${acme}-plan-06`,
  step: `${acme}-plan-01-step-1`,
  secondStep: `${acme}-plan-01-step-2`,
  artifact: `${acme}-plan-01-artifact-1`,
  execution: `${acme}-plan-01-skill-1`,
  output: `${acme}-plan-02-output`,
  batch: `${acme}-plan-01-batch`,
};

export { decodeGlobalId, globalId };

/** Every table a mutation may write: tenant data, tokens, and the identity rows Better Auth writes. */
export const writableTables = [
  "research_plan",
  "plan_step",
  "plan_branching_condition",
  "plan_audit_log",
  "research_artifact",
  "extraction_result",
  "skill_execution",
  "mcp_tool_call_log",
  "research_output",
  "research_feedback",
  "ai_batch",
  "ai_usage",
  "ai_call_details",
  "personal_access_token",
  "member",
  "invitation",
  "organization",
] as const;
export type WritableTable = (typeof writableTables)[number];

export type Snapshot = Record<WritableTable, { rows: number; digest: string }>;

/**
 * A digest of every row of every writable table, read as the owner: equal snapshots mean nothing was
 * inserted, updated or deleted. A token's last_used_at (and the updated_at that comes with it) changes when
 * it is merely used, so those two are left out.
 */
export async function snapshot(db: TestDatabase): Promise<Snapshot> {
  const parts = writableTables.map((table) => {
    const ignored = table === "personal_access_token" ? sql` - 'last_used_at' - 'updated_at'` : sql``;
    return sql`select ${table} as name, count(*)::int as rows,
      md5(coalesce(string_agg((to_jsonb(t)${ignored})::text, ',' order by t.id), '')) as digest
      from ${sql.identifier(table)} t`;
  });
  const rows = await db.asOwner<{ name: WritableTable; rows: number; digest: string }>(
    sql.join(parts, sql` union all `),
  );
  return Object.fromEntries(rows.map((row) => [row.name, { rows: Number(row.rows), digest: row.digest }])) as Snapshot;
}

/** Rows in `table` as the owner (optionally filtered). */
export async function countRows(db: TestDatabase, table: WritableTable, where = sql`true`): Promise<number> {
  const [row] = await db.asOwner<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`,
  );
  return Number(row?.n ?? 0);
}

/** The only error of a response, checked for its code (and the offending field, when given). */
export function expectError(
  response: { errors?: GraphQLErrorShape[] | undefined },
  code: string,
  field?: string,
): GraphQLErrorShape {
  expect(response.errors, JSON.stringify(response.errors)).toHaveLength(1);
  const error = response.errors?.[0] as GraphQLErrorShape;
  expect(error.extensions?.code, JSON.stringify(error)).toBe(code);
  if (field !== undefined) expect(error.extensions?.field, JSON.stringify(error)).toBe(field);
  return error;
}

export function expectOk<T>(response: GraphQLResponse<T>): T {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  expect(response.data).toBeTruthy();
  return response.data as T;
}

/** A personal access token of `user` with only `scopes` (made through the auth helpers, outside any request). */
export async function patWith(
  db: TestDatabase,
  scopes: TokenScope[],
  user: keyof typeof demoUsers = "alice",
): Promise<Caller> {
  const created = await createTokenForUser(
    { database: db.database },
    { userId: demoUsers[user].id, name: `test ${scopes.join("+")}`, scopes, expiresAt: null },
  );
  return { kind: "pat", token: created.token };
}

/** Runs a mutation as `as` in `organizationId` (default Acme). */
export function run<T = Record<string, unknown>>(
  gw: TestGateway,
  as: Caller,
  query: string,
  variables: Record<string, unknown> = {},
  organizationId: string | null = acme,
): Promise<GraphQLResponse<T>> {
  return gw.graphql<T>({ query, variables }, as, organizationId === null ? {} : { organizationId });
}

/** Latest audit entries of a plan, as the owner. */
export async function auditActions(db: TestDatabase, planId: string): Promise<string[]> {
  const rows = await db.asOwner<{ action: string }>(
    sql`select action::text as action from plan_audit_log where plan_id = ${planId} order by created_at, id`,
  );
  return rows.map((row) => row.action);
}
