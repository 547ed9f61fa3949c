import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { GraphQLErrorShape, TestGateway } from "../support/gateway.js";

// Shared by the adversarial suite: what the table owner sees (bypassing RLS), and small query builders.

/** Rows per tenant table, read as the owner: the suite's "nothing was written" check. */
export async function tableCounts(gw: TestGateway): Promise<Record<string, number>> {
  const rows = await gw.db.asOwner<{ name: string; n: number }>(sql`
    select 'research_plan' as name, count(*)::int as n from research_plan
    union all select 'plan_step', count(*)::int from plan_step
    union all select 'plan_audit_log', count(*)::int from plan_audit_log
    union all select 'plan_branching_condition', count(*)::int from plan_branching_condition
    union all select 'ai_usage', count(*)::int from ai_usage
    union all select 'personal_access_token', count(*)::int from personal_access_token
    union all select 'member', count(*)::int from member
  `);
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.n)]));
}

/** research_plan rows per organization, read as the owner. */
export async function plansPerOrganization(gw: TestGateway): Promise<Record<string, number>> {
  const rows = await gw.db.asOwner<{ org: string; n: number }>(
    sql`select organization_id as org, count(*)::int as n from research_plan group by organization_id`,
  );
  return Object.fromEntries(rows.map((row) => [row.org, Number(row.n)]));
}

export async function countPlans(gw: TestGateway): Promise<number> {
  const rows = await gw.db.asOwner<{ n: number }>(sql`select count(*)::int as n from research_plan`);
  return Number(rows[0]?.n ?? 0);
}

/** The first error of a response, failing the test when there is none. */
export function firstError(response: { errors?: GraphQLErrorShape[] | undefined }): GraphQLErrorShape {
  const error = response.errors?.[0];
  expect(error, "expected an error").toBeDefined();
  return error as GraphQLErrorShape;
}

/**
 * A valid selection whose deepest field sits at `depth` (1 = a root scalar): plans → nodes → steps → nodes →
 * plan → steps → nodes → plan …, ending with `id`.
 */
export function nested(depth: number): string {
  const chain = ["researchPlans(first: 1)", "nodes", "steps(first: 1)", "nodes", "plan"];
  const repeat = ["steps(first: 1)", "nodes", "plan"];
  const fields: string[] = [];
  for (let i = 0; i < depth - 1; i++) {
    fields.push(i < chain.length ? (chain[i] ?? "") : (repeat[(i - chain.length) % repeat.length] ?? ""));
  }
  return `${fields.map((field) => `${field} {`).join(" ")} id ${"}".repeat(fields.length)}`;
}
