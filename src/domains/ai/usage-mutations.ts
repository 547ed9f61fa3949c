import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  type AiRequestMetadata,
  aiBatch,
  aiCallDetails,
  aiModel,
  aiUsage,
  planStep,
  researchPlan,
  usageCostSql,
} from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { actorId } from "../../schema-builder/actor.js";
import { tenantAgent } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { parseInput, text } from "../../schema-builder/validation.js";
import { PlanStep, ResearchPlan } from "../research/types.js";
import { AiBatch, AiModel } from "./types.js";

// Recording a model call: its usage row and its call details, atomically in the operation's transaction.
// The cost is computed in SQL (usageCostSql) from the model's price valid when the call happened; a call at
// a time no price covers is refused rather than recorded as free.

const clockSkewMs = 5 * 60_000;
const earliest = new Date("2000-01-01T00:00:00Z");

const AiFinishReason = builder.enumType("AiFinishReason", {
  description: "Why the model stopped.",
  values: {
    STOP: { value: "stop" },
    LENGTH: { value: "length" },
    TOOL_CALLS: { value: "tool_calls" },
    CONTENT_FILTER: { value: "content_filter" },
    ERROR: { value: "error" },
  },
});

const AiRequestMetadataInput = builder.inputType("AiRequestMetadataInput", {
  description: "What was sent with the call (never prompts' secrets).",
  fields: (t) => ({
    temperature: t.float({ required: false, description: "0 to 2." }),
    maxTokens: t.int({ required: false, description: "1 to 10,000,000." }),
    toolNames: t.stringList({ required: false, description: "Up to 100 names of up to 200 characters." }),
    promptTemplate: t.string({ required: false, description: "The template's name, up to 200 characters." }),
    finishReason: t.field({ type: AiFinishReason, required: false }),
    providerRequestId: t.string({ required: false, description: "Up to 200 characters." }),
  }),
});

const AiCallDetailsInput = builder.inputType("AiCallDetailsInput", {
  fields: (t) => ({
    requestMetadata: t.field({ type: AiRequestMetadataInput, required: true }),
    latencyMs: t.int({ required: false, description: "0 to 86,400,000." }),
  }),
});

const RecordAiUsageInput = builder.inputType("RecordAiUsageInput", {
  fields: (t) => ({
    modelId: t.globalID({ for: AiModel, required: true }),
    planId: t.globalID({ for: ResearchPlan, required: false, description: "Defaults to the step's or batch's plan." }),
    stepId: t.globalID({ for: PlanStep, required: false, description: "A step of the plan." }),
    batchId: t.globalID({ for: AiBatch, required: false, description: "A batch of the same model (and plan)." }),
    inputTokens: t.int({ required: true, description: "0 or more." }),
    outputTokens: t.int({ required: true, description: "0 or more." }),
    occurredAt: t.field({ type: "DateTime", required: false, description: "Default now; not in the future." }),
    details: t.field({ type: AiCallDetailsInput, required: true }),
  }),
});

const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value: z.output<T> | null | undefined) => value ?? undefined);

const usageSchema = z.object({
  inputTokens: z.number().int().min(0, "must not be negative"),
  outputTokens: z.number().int().min(0, "must not be negative"),
  occurredAt: z
    .date()
    .min(earliest, "must be after 2000")
    .refine((date) => date.getTime() <= Date.now() + clockSkewMs, { message: "must not be in the future" })
    .nullish(),
  details: z.object({
    requestMetadata: z.object({
      temperature: optional(z.number().min(0).max(2)),
      maxTokens: optional(z.number().int().min(1).max(10_000_000)),
      toolNames: optional(z.array(text(200)).max(100, "must have at most 100 names")),
      promptTemplate: optional(text(200)),
      finishReason: optional(z.enum(["stop", "length", "tool_calls", "content_filter", "error"])),
      providerRequestId: optional(text(200)),
    }),
    latencyMs: z.number().int().min(0).max(86_400_000).nullish(),
  }),
});

const RecordAiUsagePayload = builder.objectRef<{ usageId: string }>("RecordAiUsagePayload").implement({
  fields: (t) => ({
    usage: t.drizzleField({
      type: "aiUsage",
      resolve: async (query, payload, _args, ctx) => {
        const usage = await ctx.tx.query.aiUsage.findFirst(query({ where: { id: payload.usageId } }));
        if (!usage) throw new GatewayError("NOT_FOUND", "No AI usage with this ID.");
        return usage;
      },
    }),
  }),
});

interface References {
  planId: string | null;
  stepId: string | null;
  batchId: string | null;
}

/**
 * The plan, step and batch a call belongs to: each must be visible (another tenant's is NOT_FOUND, like a
 * missing one) and consistent with the others. Then each is locked FOR KEY SHARE, plan first (the order
 * the plan and step mutations lock in, so the two cannot deadlock), so none is deleted before the insert.
 */
async function resolveReferences(
  tx: TenantTransaction,
  modelId: string,
  ids: { planId?: string | undefined; stepId?: string | undefined; batchId?: string | undefined },
): Promise<References> {
  let planId = ids.planId ?? null;
  const [step] = ids.stepId
    ? await tx.select({ id: planStep.id, planId: planStep.planId }).from(planStep).where(eq(planStep.id, ids.stepId))
    : [];
  if (ids.stepId && !step) throw new GatewayError("NOT_FOUND", "No plan step with this ID.");
  if (step) {
    if (planId && step.planId !== planId) {
      throw new GatewayError("BAD_USER_INPUT", "stepId: the step belongs to another plan.", { field: "stepId" });
    }
    planId = step.planId;
  }
  const [batch] = ids.batchId
    ? await tx
        .select({ id: aiBatch.id, planId: aiBatch.planId, modelId: aiBatch.modelId })
        .from(aiBatch)
        .where(eq(aiBatch.id, ids.batchId))
    : [];
  if (ids.batchId && !batch) throw new GatewayError("NOT_FOUND", "No AI batch with this ID.");
  if (batch) {
    if (batch.modelId !== modelId) {
      throw new GatewayError("BAD_USER_INPUT", "batchId: the batch runs another model.", { field: "batchId" });
    }
    if (batch.planId && planId && batch.planId !== planId) {
      throw new GatewayError("BAD_USER_INPUT", "batchId: the batch belongs to another plan.", { field: "batchId" });
    }
    planId = planId ?? batch.planId;
  }

  const lockPlan = planId
    ? await tx.select({ id: researchPlan.id }).from(researchPlan).where(eq(researchPlan.id, planId)).for("key share")
    : [];
  if (planId && lockPlan.length === 0) throw new GatewayError("NOT_FOUND", "No research plan with this ID.");
  const lockStep = step
    ? await tx.select({ id: planStep.id }).from(planStep).where(eq(planStep.id, step.id)).for("key share")
    : [];
  if (step && lockStep.length === 0) throw new GatewayError("NOT_FOUND", "No plan step with this ID.");
  const lockBatch = batch
    ? await tx.select({ id: aiBatch.id }).from(aiBatch).where(eq(aiBatch.id, batch.id)).for("key share")
    : [];
  if (batch && lockBatch.length === 0) throw new GatewayError("NOT_FOUND", "No AI batch with this ID.");
  return { planId, stepId: step?.id ?? null, batchId: batch?.id ?? null };
}

builder.mutationFields((t) => ({
  recordAiUsage: t.field({
    type: RecordAiUsagePayload,
    description: "Records a model call and its details; its cost comes from the price valid at occurredAt.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: RecordAiUsageInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = actorId(ctx);
      const input = parseInput(usageSchema, args.input);
      const occurredAt = input.occurredAt ?? new Date();
      const modelId = args.input.modelId.id;
      // The model (global reference data) and the cost at that time, in one statement.
      const [priced] = await ctx.tx
        .select({
          id: aiModel.id,
          cost: sql<string | null>`(${usageCostSql(modelId, input.inputTokens, input.outputTokens, occurredAt)})::text`,
        })
        .from(aiModel)
        .where(eq(aiModel.id, modelId));
      if (!priced) throw new GatewayError("NOT_FOUND", "No AI model with this ID.");
      if (priced.cost === null) {
        throw new GatewayError("BAD_USER_INPUT", "occurredAt: the model has no price valid at this time.", {
          field: "occurredAt",
        });
      }
      const references = await resolveReferences(ctx.tx, priced.id, {
        planId: args.input.planId?.id,
        stepId: args.input.stepId?.id,
        batchId: args.input.batchId?.id,
      });
      const [usage] = await ctx.tx
        .insert(aiUsage)
        .values({
          modelId: priced.id,
          userId,
          ...references,
          inputTokens: input.inputTokens,
          outputTokens: input.outputTokens,
          costUsd: sql`${priced.cost}::numeric`,
          occurredAt,
        })
        .returning({ id: aiUsage.id });
      if (!usage) throw new Error("insert returned no row");
      const requestMetadata: AiRequestMetadata = Object.fromEntries(
        Object.entries(input.details.requestMetadata).filter(([, value]) => value !== undefined),
      );
      await ctx.tx
        .insert(aiCallDetails)
        .values({ usageId: usage.id, requestMetadata, latencyMs: input.details.latencyMs ?? null });
      return { usageId: usage.id };
    },
  }),
}));
