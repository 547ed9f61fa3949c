import { and, asc, eq, sql } from "drizzle-orm";
import {
  type BranchingRule,
  planBranchingCondition,
  planStep,
  type researchPlan,
  type StepExecutionReport,
  stepStatusEnum,
} from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { auditEntry, diffOf, recordAudit } from "./audit.js";
import { lockAndTouchPlan, lockPlan, touchPlan } from "./plan-service.js";

// The rules of plan steps and branching conditions. Every change first locks its plan row, so concurrent
// changes to one plan's steps serialize and positions stay dense (1..n) and unique; it bumps the plan's
// version and writes the audit entry, in the operation's transaction.

type StepStatusValue = (typeof stepStatusEnum.enumValues)[number];
type EndedStepStatus = Exclude<StepStatusValue, "pending" | "running">;

/**
 * The statuses a step ends in (it ran, or was skipped): a subset of step_status, taken from the pgEnum in its
 * order. Reaching one stamps the step's completedAt, and a STATUS branching rule tests only these: it asks how
 * the step before the branch ended.
 */
export const endedStepStatuses = stepStatusEnum.enumValues.filter(
  (status): status is EndedStepStatus => status !== "pending" && status !== "running",
);

const auditedStepFields = ["title", "instructions", "position", "status", "stepExecutionReport"] as const;
const auditedConditionFields = ["stepId", "targetStepId", "rule", "label", "priority"] as const;
const maxStepsPerPlan = 500;

export const stepNotFound = () => new GatewayError("NOT_FOUND", "No plan step with this ID.");
export const conditionNotFound = () => new GatewayError("NOT_FOUND", "No branching condition with this ID.");

async function findStep(tx: TenantTransaction, stepId: string) {
  const [step] = await tx.select().from(planStep).where(eq(planStep.id, stepId));
  if (!step) throw stepNotFound();
  return step;
}

/**
 * Locks the plan of a step, then reads the step again: the row as it is now that concurrent changes to the
 * same plan are serialized behind the lock.
 */
async function lockStepPlan(tx: TenantTransaction, stepId: string) {
  const found = await findStep(tx, stepId);
  // Sent together, run in order: the re-read waits for the lock.
  const [, step] = await Promise.all([lockPlan(tx, found.planId), findStep(tx, found.id)]);
  return step;
}

/**
 * Records a change to a plan's steps: the plan's version goes up (stale writers then get CONFLICT) and the
 * audit entry is written. Both statements are sent together, in one round trip: the transaction runs them in
 * order, and either failing fails the mutation (and rolls it back).
 */
async function recordStepChange(tx: TenantTransaction, entry: Parameters<typeof recordAudit>[1]): Promise<void> {
  await Promise.all([touchPlan(tx, entry.planId), recordAudit(tx, entry)]);
}

async function stepIdsInOrder(tx: TenantTransaction, planId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: planStep.id })
    .from(planStep)
    .where(eq(planStep.planId, planId))
    .orderBy(asc(planStep.position));
  return rows.map((row) => row.id);
}

/**
 * Gives the plan's steps the positions 1..n in `orderedIds` order. Two statements: first every step moves
 * out of the way (so no intermediate state collides with the unique (plan, position) key), then each takes
 * its final place. The caller holds the plan lock.
 */
async function applyStepOrder(tx: TenantTransaction, planId: string, orderedIds: string[]): Promise<void> {
  if (orderedIds.length === 0) return;
  await tx
    .update(planStep)
    .set({ position: sql`${planStep.position} + 1000000` })
    .where(eq(planStep.planId, planId));
  const values = sql.join(
    orderedIds.map((id, index) => sql`(${id}, ${index + 1}::int)`),
    sql`, `,
  );
  await tx.execute(
    sql`update ${planStep} set position = ordered.position, updated_at = now()
        from (values ${values}) as ordered(id, position)
        where ${planStep.id} = ordered.id and ${planStep.planId} = ${planId}`,
  );
}

/** The step and its plan, as the step payloads name them. */
export interface StepRef {
  stepId: string;
  planId: string;
  /** Both rows as the change left them (RETURNING), when it has them whole: the payload answers from them. */
  written?: { step: typeof planStep.$inferSelect; plan: typeof researchPlan.$inferSelect };
}

/**
 * Adds a step at `position` (default and at most: the end); later steps move down one. Appending takes three
 * statements in two round trips: lock the plan and bump its version, read the order; insert the step with its
 * audit entry.
 */
export async function addStep(
  tx: TenantTransaction,
  actor: string,
  planId: string,
  input: { title: string; instructions?: string | null | undefined; position?: number | null | undefined },
): Promise<StepRef> {
  // Sent together, run in order: the order is read once the plan is locked.
  const [plan, order] = await Promise.all([lockAndTouchPlan(tx, planId), stepIdsInOrder(tx, planId)]);
  if (order.length >= maxStepsPerPlan) {
    throw new GatewayError("BAD_USER_INPUT", `A plan can have at most ${maxStepsPerPlan} steps.`);
  }
  const position = Math.min(input.position ?? order.length + 1, order.length + 1);
  // Appending (the default) moves no other step: the new one takes its final place at once.
  const appending = position === order.length + 1;
  // Every audited field is given (status and report too), so the audit entry is known before the insert.
  const values = {
    planId: plan.id,
    title: input.title,
    instructions: input.instructions ?? null,
    status: "pending" as const,
    stepExecutionReport: null,
  };
  const audit = auditEntry(tx, {
    planId: plan.id,
    actorId: actor,
    action: "step_added",
    diff: diffOf(null, { ...values, position }, auditedStepFields),
  });
  const firstPosition = appending ? position : order.length + 1000001; // else parked until the order is applied
  const [step] = await tx
    .with(audit)
    .insert(planStep)
    .values({ ...values, position: firstPosition })
    .returning();
  if (!step) throw new Error("insert returned no row");
  if (appending) return { stepId: step.id, planId: plan.id, written: { step, plan } };
  order.splice(position - 1, 0, step.id);
  await applyStepOrder(tx, plan.id, order);
  return { stepId: step.id, planId: plan.id }; // positions moved: the payload reads the step again
}

/**
 * Changes a step (undefined: unchanged; a null instructions clears them). Starting to run stamps startedAt
 * once; ending stamps completedAt.
 */
export async function updateStep(
  tx: TenantTransaction,
  actor: string,
  stepId: string,
  input: {
    title?: string | undefined;
    instructions?: string | null | undefined;
    executionReport?: StepExecutionReport | null | undefined;
    status?: StepStatusValue | undefined;
  },
): Promise<StepRef> {
  const before = await lockStepPlan(tx, stepId);
  const status = input.status;
  const now = new Date();
  const [after] = await tx
    .update(planStep)
    .set({
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
      ...(input.executionReport !== undefined ? { stepExecutionReport: input.executionReport } : {}),
      ...(status ? { status } : {}),
      ...(status === "running" && !before.startedAt ? { startedAt: now } : {}),
      ...(status && endedStepStatuses.some((ended) => ended === status) ? { completedAt: now } : {}),
      updatedAt: now,
    })
    .where(eq(planStep.id, before.id))
    .returning();
  if (!after) throw stepNotFound();
  await recordStepChange(tx, {
    planId: before.planId,
    actorId: actor,
    action: "step_updated",
    diff: diffOf(before, after, auditedStepFields),
  });
  return { stepId: before.id, planId: before.planId };
}

/** Moves a step to a 1-based position; the others shift, positions stay 1..n without gaps. */
export async function moveStep(tx: TenantTransaction, actor: string, stepId: string, to: number): Promise<StepRef> {
  const found = await lockStepPlan(tx, stepId);
  const order = await stepIdsInOrder(tx, found.planId);
  const from = order.indexOf(found.id) + 1;
  if (!Number.isInteger(to) || to < 1 || to > order.length) {
    throw new GatewayError("BAD_USER_INPUT", `position must be from 1 to ${order.length}.`, { field: "position" });
  }
  order.splice(from - 1, 1);
  order.splice(to - 1, 0, found.id);
  await applyStepOrder(tx, found.planId, order);
  await recordStepChange(tx, {
    planId: found.planId,
    actorId: actor,
    action: "step_moved",
    diff: { before: { stepId: found.id, position: from }, after: { stepId: found.id, position: to } },
  });
  return { stepId: found.id, planId: found.planId };
}

/** Removes a step (its branching conditions go with it); later steps move up one. */
export async function removeStep(tx: TenantTransaction, actor: string, stepId: string): Promise<StepRef> {
  const step = await lockStepPlan(tx, stepId);
  await tx.delete(planStep).where(eq(planStep.id, step.id));
  await applyStepOrder(tx, step.planId, await stepIdsInOrder(tx, step.planId));
  await recordStepChange(tx, {
    planId: step.planId,
    actorId: actor,
    action: "step_removed",
    diff: diffOf(step, null, auditedStepFields),
  });
  return { stepId: step.id, planId: step.planId };
}

/** Creates a branching condition, or replaces the one `conditionId` names; both steps must share a plan. */
export async function setBranchingCondition(
  tx: TenantTransaction,
  actor: string,
  input: {
    conditionId?: string | undefined;
    stepId: string;
    targetStepId: string;
    rule: BranchingRule;
    label?: string | null | undefined;
    priority?: number | null | undefined;
  },
): Promise<{ conditionId: string }> {
  const step = await findStep(tx, input.stepId);
  await lockPlan(tx, step.planId);
  if (input.targetStepId === step.id) {
    throw new GatewayError("BAD_USER_INPUT", "A step cannot branch to itself.", { field: "targetStepId" });
  }
  const target = await findStep(tx, input.targetStepId);
  if (target.planId !== step.planId) {
    throw new GatewayError("BAD_USER_INPUT", "The target step belongs to another plan.", { field: "targetStepId" });
  }
  const values = {
    stepId: step.id,
    targetStepId: target.id,
    rule: input.rule,
    label: input.label ?? null,
    priority: input.priority ?? 0,
  };
  let conditionId: string;
  let before: Record<string, unknown> | null = null;
  if (input.conditionId !== undefined) {
    const [existing] = await tx
      .select()
      .from(planBranchingCondition)
      .where(eq(planBranchingCondition.id, input.conditionId));
    if (!existing) throw conditionNotFound();
    const [existingStep] = await tx.select().from(planStep).where(eq(planStep.id, existing.stepId));
    if (existingStep?.planId !== step.planId) {
      throw new GatewayError("BAD_USER_INPUT", "The condition belongs to another plan.", { field: "id" });
    }
    before = existing;
    await tx
      .update(planBranchingCondition)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(planBranchingCondition.id, existing.id)));
    conditionId = existing.id;
  } else {
    const [created] = await tx.insert(planBranchingCondition).values(values).returning();
    if (!created) throw new Error("insert returned no row");
    conditionId = created.id;
  }
  await recordStepChange(tx, {
    planId: step.planId,
    actorId: actor,
    action: "condition_set",
    diff: diffOf(before, { ...values, id: conditionId }, auditedConditionFields),
  });
  return { conditionId };
}

/** Removes a branching condition; answers with the step it followed. */
export async function removeBranchingCondition(
  tx: TenantTransaction,
  actor: string,
  conditionId: string,
): Promise<{ deletedConditionId: string; stepId: string }> {
  const [condition] = await tx.select().from(planBranchingCondition).where(eq(planBranchingCondition.id, conditionId));
  if (!condition) throw conditionNotFound();
  const step = await findStep(tx, condition.stepId);
  await lockPlan(tx, step.planId);
  await tx.delete(planBranchingCondition).where(eq(planBranchingCondition.id, condition.id));
  await recordStepChange(tx, {
    planId: step.planId,
    actorId: actor,
    action: "condition_removed",
    diff: diffOf(condition, null, auditedConditionFields),
  });
  return { deletedConditionId: condition.id, stepId: step.id };
}
