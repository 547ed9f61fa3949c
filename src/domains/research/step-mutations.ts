import { z } from "zod";
import { actorId } from "../../schema-builder/actor.js";
import { tenantWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { rowField, rowPayload } from "../../schema-builder/row-payload.js";
import { finite, optional, optionalText, parseInput, text } from "../../schema-builder/validation.js";
import { StepStatus } from "./enums.js";
import { planNotFound } from "./plan-service.js";
import {
  addStep,
  conditionNotFound,
  endedStepStatuses,
  moveStep,
  removeBranchingCondition,
  removeStep,
  type StepRef,
  setBranchingCondition,
  stepNotFound,
  updateStep,
} from "./step-service.js";
import { PlanBranchingCondition, PlanStep, ResearchPlan } from "./types.js";

// Mutations of plan steps and branching conditions: parse the input, call the step service (step-service.ts:
// the plan lock, dense positions, version bumps, audit entries), answer with the rows re-read (or as written,
// where the service has them whole and the selection needs no more: row-payload.ts).

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
  durationMs: optional(z.number().int().min(0).max(2_147_483_647)),
  tokensUsed: optional(z.number().int().min(0).max(2_147_483_647)),
  warnings: optional(z.array(text(500)).max(50)),
});

const PlanStepPayload = builder.objectRef<StepRef>("PlanStepPayload").implement({
  fields: (t) => ({
    step: rowField(
      t,
      "planStep",
      (payload) => payload.stepId,
      stepNotFound,
      (payload) => payload.written?.step,
    ),
    plan: rowField(
      t,
      "researchPlan",
      (payload) => payload.planId,
      planNotFound,
      (payload) => payload.written?.plan,
    ),
  }),
});

const RemovePlanStepPayload = builder
  .objectRef<{ deletedStepId: string; planId: string }>("RemovePlanStepPayload")
  .implement({
    fields: (t) => ({
      deletedStepId: t.globalID({ resolve: (payload) => ({ type: "PlanStep", id: payload.deletedStepId }) }),
      plan: rowField(t, "researchPlan", (payload) => payload.planId, planNotFound),
    }),
  });

const BranchingConditionPayload = rowPayload(
  "BranchingConditionPayload",
  "condition",
  "planBranchingCondition",
  conditionNotFound,
);

const RemoveBranchingConditionPayload = builder
  .objectRef<{ deletedConditionId: string; stepId: string }>("RemoveBranchingConditionPayload")
  .implement({
    fields: (t) => ({
      deletedConditionId: t.globalID({
        resolve: (payload) => ({ type: "PlanBranchingCondition", id: payload.deletedConditionId }),
      }),
      step: rowField(t, "planStep", (payload) => payload.stepId, stepNotFound),
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
  z.object({ kind: z.literal("status"), equals: z.enum(endedStepStatuses) }),
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
      return addStep(ctx.tx, actor, args.input.planId.id, input);
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
      return updateStep(ctx.tx, actor, args.input.id.id, { ...input, status: args.input.status ?? undefined });
    },
  }),

  movePlanStep: t.field({
    type: PlanStepPayload,
    description: "Moves a step to a new position; positions stay 1..n without gaps, even under concurrency.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: MovePlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => moveStep(ctx.tx, actorId(ctx), args.input.id.id, args.input.position),
  }),

  removePlanStep: t.field({
    type: RemovePlanStepPayload,
    description: "Removes a step and its branching conditions; later steps move up one.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: RemovePlanStepInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const removed = await removeStep(ctx.tx, actorId(ctx), args.input.id.id);
      return { deletedStepId: removed.stepId, planId: removed.planId };
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
      const { conditionId } = await setBranchingCondition(ctx.tx, actor, {
        ...input,
        conditionId: args.input.id?.id,
        stepId: args.input.stepId.id,
        targetStepId: args.input.targetStepId.id,
      });
      return { id: conditionId };
    },
  }),

  removeBranchingCondition: t.field({
    type: RemoveBranchingConditionPayload,
    authScopes: tenantWrite,
    args: { input: t.arg({ type: RemoveBranchingConditionInput, required: true }) },
    resolve: async (_root, args, ctx) => removeBranchingCondition(ctx.tx, actorId(ctx), args.input.id.id),
  }),
}));
