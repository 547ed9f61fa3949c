import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { planBranchingCondition, planStep } from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { actorId } from "../../schema-builder/actor.js";
import { tenantWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { finite, optionalText, parseInput, text } from "../../schema-builder/validation.js";
import { diffOf, recordAudit } from "./audit.js";
import { StepStatus } from "./enums.js";
import { lockPlan, ResearchPlanPayload, touchPlan } from "./plan-mutations.js";
import { PlanBranchingCondition, PlanStep, ResearchPlan } from "./types.js";

// Mutations of plan steps and branching conditions. Every one first locks its plan row, so concurrent
// changes to one plan's steps serialize and positions stay dense (1..n) and unique.

const auditedStepFields = ["title", "instructions", "position", "status", "stepExecutionReport"] as const;
const maxStepsPerPlan = 500;

const stepNotFound = () => new GatewayError("NOT_FOUND", "No plan step with this ID.");
const conditionNotFound = () => new GatewayError("NOT_FOUND", "No branching condition with this ID.");

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

const StepExecutionReportInput = builder.inputType("StepExecutionReportInput", {
  fields: (t) => ({
    summary: t.string({ required: true }),
    durationMs: t.int({ required: false }),
    tokensUsed: t.int({ required: false }),
    warnings: t.stringList({ required: false }),
  }),
});
const executionReportSchema = z.object({
  summary: text(2_000),
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .nullish()
    .transform((v) => v ?? undefined),
  tokensUsed: z
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .nullish()
    .transform((v) => v ?? undefined),
  warnings: z
    .array(text(500))
    .max(50)
    .nullish()
    .transform((v) => v ?? undefined),
});

const PlanStepPayload = builder.objectRef<{ stepId: string; planId: string }>("PlanStepPayload").implement({
  fields: (t) => ({
    step: t.drizzleField({
      type: "planStep",
      resolve: async (query, payload, _args, ctx) => {
        const step = await ctx.tx.query.planStep.findFirst(query({ where: { id: payload.stepId } }));
        if (!step) throw stepNotFound();
        return step;
      },
    }),
    plan: t.field({ type: ResearchPlanPayload, resolve: (payload) => ({ planId: payload.planId }) }),
  }),
});

const RemovePlanStepPayload = builder
  .objectRef<{ deletedStepId: string; planId: string }>("RemovePlanStepPayload")
  .implement({
    fields: (t) => ({
      deletedStepId: t.globalID({ resolve: (payload) => ({ type: "PlanStep", id: payload.deletedStepId }) }),
      plan: t.field({ type: ResearchPlanPayload, resolve: (payload) => ({ planId: payload.planId }) }),
    }),
  });

const BranchingConditionPayload = builder.objectRef<{ conditionId: string }>("BranchingConditionPayload").implement({
  fields: (t) => ({
    condition: t.drizzleField({
      type: "planBranchingCondition",
      resolve: async (query, payload, _args, ctx) => {
        const row = await ctx.tx.query.planBranchingCondition.findFirst(query({ where: { id: payload.conditionId } }));
        if (!row) throw conditionNotFound();
        return row;
      },
    }),
  }),
});

const RemoveBranchingConditionPayload = builder
  .objectRef<{ deletedConditionId: string; stepId: string }>("RemoveBranchingConditionPayload")
  .implement({
    fields: (t) => ({
      deletedConditionId: t.globalID({
        resolve: (payload) => ({ type: "PlanBranchingCondition", id: payload.deletedConditionId }),
      }),
      step: t.drizzleField({
        type: "planStep",
        resolve: async (query, payload, _args, ctx) => {
          const step = await ctx.tx.query.planStep.findFirst(query({ where: { id: payload.stepId } }));
          if (!step) throw stepNotFound();
          return step;
        },
      }),
    }),
  });

const AddPlanStepInput = builder.inputType("AddPlanStepInput", {
  fields: (t) => ({
    planId: t.globalID({ for: ResearchPlan, required: true }),
    title: t.string({ required: true, description: "1–200 characters." }),
    instructions: t.string({ required: false, description: "Up to 10,000 characters." }),
    position: t.int({ required: false, description: "1-based; defaults to the end. Later steps move down." }),
  }),
});
const addStepSchema = z.object({
  title: text(200),
  instructions: optionalText(10_000),
  position: z.number().int().min(1).nullish(),
});

const UpdatePlanStepInput = builder.inputType("UpdatePlanStepInput", {
  fields: (t) => ({
    id: t.globalID({ for: PlanStep, required: true }),
    title: t.string({ required: false }),
    instructions: t.string({ required: false, description: "null clears it." }),
    status: t.field({ type: StepStatus, required: false }),
    executionReport: t.field({ type: StepExecutionReportInput, required: false }),
  }),
});
const updateStepSchema = z.object({
  title: text(200).optional(),
  instructions: optionalText(10_000),
  executionReport: executionReportSchema.nullish(),
});

const MovePlanStepInput = builder.inputType("MovePlanStepInput", {
  fields: (t) => ({
    id: t.globalID({ for: PlanStep, required: true }),
    position: t.int({ required: true, description: "The new 1-based position; others shift to make room." }),
  }),
});

const RemovePlanStepInput = builder.inputType("RemovePlanStepInput", {
  fields: (t) => ({ id: t.globalID({ for: PlanStep, required: true }) }),
});

const BranchingRuleKind = builder.enumType("BranchingRuleKind", {
  values: { ALWAYS: { value: "always" }, STATUS: { value: "status" }, EXPRESSION: { value: "expression" } },
});
const BranchingRuleInput = builder.inputType("BranchingRuleInput", {
  description: "ALWAYS; STATUS with `equals` (COMPLETED, FAILED or SKIPPED); EXPRESSION with `expression`.",
  fields: (t) => ({
    kind: t.field({ type: BranchingRuleKind, required: true }),
    equals: t.field({ type: StepStatus, required: false }),
    expression: t.string({ required: false }),
  }),
});
const ruleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("always") }),
  z.object({ kind: z.literal("status"), equals: z.enum(["completed", "failed", "skipped"]) }),
  z.object({ kind: z.literal("expression"), expression: text(1_000) }),
]);

const SetBranchingConditionInput = builder.inputType("SetBranchingConditionInput", {
  description: "Creates a condition, or replaces the one named by `id`.",
  fields: (t) => ({
    id: t.globalID({ for: PlanBranchingCondition, required: false }),
    stepId: t.globalID({ for: PlanStep, required: true }),
    targetStepId: t.globalID({ for: PlanStep, required: true }),
    rule: t.field({ type: BranchingRuleInput, required: true }),
    label: t.string({ required: false }),
    priority: t.int({ required: false, description: "Lower is evaluated first; default 0." }),
  }),
});
const setConditionSchema = z.object({
  rule: ruleSchema,
  label: optionalText(200),
  priority: finite(-1000, 1000).int().nullish(),
});

const RemoveBranchingConditionInput = builder.inputType("RemoveBranchingConditionInput", {
  fields: (t) => ({ id: t.globalID({ for: PlanBranchingCondition, required: true }) }),
});

builder.mutationFields((t) => ({
  addPlanStep: t.field({
    type: PlanStepPayload,
    description: "Adds a step at a position (default: the end); later steps move down one.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: AddPlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(addStepSchema, args.input);
      // Sent together, run in order: the order is read once the plan is locked.
      const [plan, order] = await Promise.all([
        lockPlan(ctx.tx, args.input.planId.id),
        stepIdsInOrder(ctx.tx, args.input.planId.id),
      ]);
      if (order.length >= maxStepsPerPlan) {
        throw new GatewayError("BAD_USER_INPUT", `A plan can have at most ${maxStepsPerPlan} steps.`);
      }
      const position = Math.min(input.position ?? order.length + 1, order.length + 1);
      // Appending (the default) moves no other step: the new one takes its final place at once.
      const appending = position === order.length + 1;
      const [step] = await ctx.tx
        .insert(planStep)
        .values({
          planId: plan.id,
          title: input.title,
          instructions: input.instructions ?? null,
          position: appending ? position : order.length + 1000001, // else parked until the order is applied
        })
        .returning();
      if (!step) throw new Error("insert returned no row");
      if (!appending) {
        order.splice(position - 1, 0, step.id);
        await applyStepOrder(ctx.tx, plan.id, order);
      }
      await recordStepChange(ctx.tx, {
        planId: plan.id,
        actorId: actor,
        action: "step_added",
        diff: diffOf(null, { ...step, position }, auditedStepFields),
      });
      return { stepId: step.id, planId: plan.id };
    },
  }),

  updatePlanStep: t.field({
    type: PlanStepPayload,
    description: "Changes a step's title, instructions, status or execution report.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: UpdatePlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(updateStepSchema, args.input);
      const before = await lockStepPlan(ctx.tx, args.input.id.id);
      const status = args.input.status ?? undefined;
      const now = new Date();
      const [after] = await ctx.tx
        .update(planStep)
        .set({
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.instructions !== undefined ? { instructions: input.instructions } : {}),
          ...(input.executionReport !== undefined ? { stepExecutionReport: input.executionReport } : {}),
          ...(status ? { status } : {}),
          ...(status === "running" && !before.startedAt ? { startedAt: now } : {}),
          ...(status === "completed" || status === "failed" || status === "skipped" ? { completedAt: now } : {}),
          updatedAt: now,
        })
        .where(eq(planStep.id, before.id))
        .returning();
      if (!after) throw stepNotFound();
      await recordStepChange(ctx.tx, {
        planId: before.planId,
        actorId: actor,
        action: "step_updated",
        diff: diffOf(before, after, auditedStepFields),
      });
      return { stepId: before.id, planId: before.planId };
    },
  }),

  movePlanStep: t.field({
    type: PlanStepPayload,
    description: "Moves a step to a new position; positions stay 1..n without gaps, even under concurrency.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: MovePlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const found = await lockStepPlan(ctx.tx, args.input.id.id);
      const order = await stepIdsInOrder(ctx.tx, found.planId);
      const from = order.indexOf(found.id) + 1;
      const to = args.input.position;
      if (!Number.isInteger(to) || to < 1 || to > order.length) {
        throw new GatewayError("BAD_USER_INPUT", `position must be from 1 to ${order.length}.`, { field: "position" });
      }
      order.splice(from - 1, 1);
      order.splice(to - 1, 0, found.id);
      await applyStepOrder(ctx.tx, found.planId, order);
      await recordStepChange(ctx.tx, {
        planId: found.planId,
        actorId: actor,
        action: "step_moved",
        diff: { before: { stepId: found.id, position: from }, after: { stepId: found.id, position: to } },
      });
      return { stepId: found.id, planId: found.planId };
    },
  }),

  removePlanStep: t.field({
    type: RemovePlanStepPayload,
    description: "Removes a step and its branching conditions; later steps move up one.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: RemovePlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const step = await lockStepPlan(ctx.tx, args.input.id.id);
      await ctx.tx.delete(planStep).where(eq(planStep.id, step.id));
      await applyStepOrder(ctx.tx, step.planId, await stepIdsInOrder(ctx.tx, step.planId));
      await recordStepChange(ctx.tx, {
        planId: step.planId,
        actorId: actor,
        action: "step_removed",
        diff: diffOf(step, null, auditedStepFields),
      });
      return { deletedStepId: step.id, planId: step.planId };
    },
  }),

  setBranchingCondition: t.field({
    type: BranchingConditionPayload,
    description: "After `stepId`, continue at `targetStepId` when the rule holds. Both steps must share a plan.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: SetBranchingConditionInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const input = parseInput(setConditionSchema, args.input);
      const step = await findStep(ctx.tx, args.input.stepId.id);
      await lockPlan(ctx.tx, step.planId);
      if (args.input.targetStepId.id === step.id) {
        throw new GatewayError("BAD_USER_INPUT", "A step cannot branch to itself.", { field: "targetStepId" });
      }
      const target = await findStep(ctx.tx, args.input.targetStepId.id);
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
      if (args.input.id) {
        const [existing] = await ctx.tx
          .select()
          .from(planBranchingCondition)
          .where(eq(planBranchingCondition.id, args.input.id.id));
        if (!existing) throw conditionNotFound();
        const [existingStep] = await ctx.tx.select().from(planStep).where(eq(planStep.id, existing.stepId));
        if (existingStep?.planId !== step.planId) {
          throw new GatewayError("BAD_USER_INPUT", "The condition belongs to another plan.", { field: "id" });
        }
        before = existing;
        await ctx.tx
          .update(planBranchingCondition)
          .set({ ...values, updatedAt: new Date() })
          .where(and(eq(planBranchingCondition.id, existing.id)));
        conditionId = existing.id;
      } else {
        const [created] = await ctx.tx.insert(planBranchingCondition).values(values).returning();
        if (!created) throw new Error("insert returned no row");
        conditionId = created.id;
      }
      await recordStepChange(ctx.tx, {
        planId: step.planId,
        actorId: actor,
        action: "condition_set",
        diff: diffOf(before, { ...values, id: conditionId }, ["stepId", "targetStepId", "rule", "label", "priority"]),
      });
      return { conditionId };
    },
  }),

  removeBranchingCondition: t.field({
    type: RemoveBranchingConditionPayload,
    authScopes: tenantWrite,
    args: { input: t.arg({ type: RemoveBranchingConditionInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const actor = actorId(ctx);
      const [condition] = await ctx.tx
        .select()
        .from(planBranchingCondition)
        .where(eq(planBranchingCondition.id, args.input.id.id));
      if (!condition) throw conditionNotFound();
      const step = await findStep(ctx.tx, condition.stepId);
      await lockPlan(ctx.tx, step.planId);
      await ctx.tx.delete(planBranchingCondition).where(eq(planBranchingCondition.id, condition.id));
      await recordStepChange(ctx.tx, {
        planId: step.planId,
        actorId: actor,
        action: "condition_removed",
        diff: diffOf(condition, null, ["stepId", "targetStepId", "rule", "label", "priority"]),
      });
      return { deletedConditionId: condition.id, stepId: step.id };
    },
  }),
}));
