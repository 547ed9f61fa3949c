import { and, eq, sql } from "drizzle-orm";
import { type planStatusEnum, researchPlan } from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { diffOf, recordAudit } from "./audit.js";

// The rules of research plans: the plan lock every change to a plan or its steps takes first, the version
// (optimistic concurrency) and the plan's life. Each function runs in the operation's read-write tenant
// transaction: organization_id comes from the tenant setting (column default), RLS checks every row, and the
// audit entry is written in the same transaction, so a failed mutation leaves neither the change nor the entry.

export type PlanStatusValue = (typeof planStatusEnum.enumValues)[number];

/** The plan's life: draft → running → completed | failed | cancelled (a draft may also be cancelled). */
export const planTransitions: Record<PlanStatusValue, readonly PlanStatusValue[]> = {
  draft: ["running", "cancelled"],
  running: ["completed", "failed", "cancelled"],
  completed: [],
  failed: [],
  cancelled: [],
};

const auditedPlanFields = ["title", "description", "status", "startedAt", "completedAt"] as const;

export const planNotFound = () => new GatewayError("NOT_FOUND", "No research plan with this ID.");

/**
 * Locks the plan row for the rest of the transaction (changes to one plan and its steps serialize; other
 * plans are untouched). Another tenant's plan is invisible to RLS, so it is "not found", like a missing one.
 */
export async function lockPlan(tx: TenantTransaction, planId: string) {
  const [plan] = await tx.select().from(researchPlan).where(eq(researchPlan.id, planId)).for("update");
  if (!plan) throw planNotFound();
  return plan;
}

/**
 * Locks the plan row and bumps its version in one statement, for a change that bumps it anyway: an UPDATE
 * locks the row it changes (FOR NO KEY UPDATE, which conflicts with lockPlan's FOR UPDATE and with itself),
 * so changes to one plan still serialize. Answers the plan as bumped (RETURNING), for the payload.
 * Statements after it see what concurrent changes committed before the lock was granted.
 */
export async function lockAndTouchPlan(tx: TenantTransaction, planId: string) {
  const [plan] = await tx
    .update(researchPlan)
    .set({ version: sql`${researchPlan.version} + 1`, updatedAt: new Date() })
    .where(eq(researchPlan.id, planId))
    .returning();
  if (!plan) throw planNotFound();
  return plan;
}

/** Bumps the plan's version (steps changed, or the plan itself): stale writers then get CONFLICT. */
export async function touchPlan(tx: TenantTransaction, planId: string): Promise<void> {
  await tx
    .update(researchPlan)
    .set({ version: sql`${researchPlan.version} + 1`, updatedAt: new Date() })
    .where(eq(researchPlan.id, planId));
}

function conflictIfStale(plan: { version: number }, expectedVersion: number | null | undefined): void {
  if (expectedVersion != null && plan.version !== expectedVersion) {
    throw new GatewayError("CONFLICT", "The plan changed since you read it: reload it and try again.", {
      expectedVersion,
      currentVersion: plan.version,
    });
  }
}

/** A draft plan authored by `actor`. */
export async function createPlan(
  tx: TenantTransaction,
  actor: string,
  input: { title: string; description?: string | null | undefined },
): Promise<{ id: string }> {
  const [plan] = await tx
    .insert(researchPlan)
    .values({ title: input.title, description: input.description ?? null, authorId: actor })
    .returning();
  if (!plan) throw new Error("insert returned no row");
  await recordAudit(tx, {
    planId: plan.id,
    actorId: actor,
    action: "plan_created",
    diff: diffOf(null, plan, auditedPlanFields),
  });
  return plan;
}

/** Changes the title or description (undefined: unchanged; a null description clears it) of the version read. */
export async function updatePlan(
  tx: TenantTransaction,
  actor: string,
  planId: string,
  input: { expectedVersion: number; title?: string | undefined; description?: string | null | undefined },
): Promise<{ id: string }> {
  if (input.title === undefined && input.description === undefined) {
    throw new GatewayError("BAD_USER_INPUT", "Nothing to change: give a title or a description.");
  }
  const before = await lockPlan(tx, planId);
  conflictIfStale(before, input.expectedVersion);
  const [after] = await tx
    .update(researchPlan)
    .set({
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      version: sql`${researchPlan.version} + 1`,
      updatedAt: new Date(),
    })
    .where(and(eq(researchPlan.id, before.id), eq(researchPlan.version, before.version)))
    .returning();
  if (!after) throw new Error("locked plan vanished");
  await recordAudit(tx, {
    planId: before.id,
    actorId: actor,
    action: "plan_updated",
    diff: diffOf(before, after, auditedPlanFields),
  });
  return before;
}

/** Moves the plan to `to` if its life allows it (CONFLICT otherwise), checking the version when one is given. */
export async function transitionPlan(
  tx: TenantTransaction,
  actor: string,
  planId: string,
  to: PlanStatusValue,
  expectedVersion: number | null | undefined,
): Promise<{ id: string }> {
  const before = await lockPlan(tx, planId);
  conflictIfStale(before, expectedVersion);
  const allowed = planTransitions[before.status];
  if (!allowed.includes(to)) {
    throw new GatewayError("CONFLICT", `A ${before.status} plan cannot become ${to}.`, {
      reason: "INVALID_TRANSITION",
      from: before.status,
      to,
      allowed: [...allowed],
    });
  }
  const now = new Date();
  const [after] = await tx
    .update(researchPlan)
    .set({
      status: to,
      version: sql`${researchPlan.version} + 1`,
      updatedAt: now,
      ...(to === "running" ? { startedAt: now } : {}),
      ...(to === "completed" || to === "failed" || to === "cancelled" ? { completedAt: now } : {}),
    })
    .where(eq(researchPlan.id, before.id))
    .returning();
  if (!after) throw new Error("locked plan vanished");
  await recordAudit(tx, {
    planId: before.id,
    actorId: actor,
    action: "plan_status_changed",
    diff: diffOf(before, after, auditedPlanFields),
  });
  return before;
}

/** Deletes a draft plan with its steps; a plan that ran is kept (CONFLICT): it is cancelled instead. */
export async function deletePlan(tx: TenantTransaction, actor: string, planId: string): Promise<{ id: string }> {
  const plan = await lockPlan(tx, planId);
  if (plan.status !== "draft") {
    throw new GatewayError("CONFLICT", `Only draft plans can be deleted; this one is ${plan.status}.`, {
      reason: "NOT_DRAFT",
      status: plan.status,
    });
  }
  // The entry survives the plan (its plan_id becomes NULL), so the deletion stays on record.
  await recordAudit(tx, {
    planId: plan.id,
    actorId: actor,
    action: "plan_deleted",
    diff: diffOf(plan, null, auditedPlanFields),
  });
  await tx.delete(researchPlan).where(eq(researchPlan.id, plan.id));
  return plan;
}
