import { z } from "zod";
import { aiFinishReasons } from "../../../schema/index.js";
import { actorId } from "../../schema-builder/actor.js";
import { tenantAgent } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { enumFromList } from "../../schema-builder/enums.js";
import { rowPayload } from "../../schema-builder/row-payload.js";
import { optional, parseInput, text } from "../../schema-builder/validation.js";
import { PlanStep, ResearchPlan } from "../research/index.js";
import { AiBatch, AiModel } from "./types.js";
import { recordAiUsage, usageNotFound } from "./usage-service.js";

// The mutation that records a model call: parse the input, call the usage service (usage-service.ts: the
// price, the references and their locks, the two inserts), answer with the usage row re-read.

const clockSkewMs = 5 * 60_000;
const earliest = new Date("2000-01-01T00:00:00Z");

const AiFinishReason = enumFromList("AiFinishReason", aiFinishReasons, "Why the model stopped.");

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
      finishReason: optional(z.enum(aiFinishReasons)),
      providerRequestId: optional(text(200)),
    }),
    latencyMs: z.number().int().min(0).max(86_400_000).nullish(),
  }),
});

const RecordAiUsagePayload = rowPayload("RecordAiUsagePayload", "usage", "aiUsage", usageNotFound);

builder.mutationFields((t) => ({
  recordAiUsage: t.field({
    type: RecordAiUsagePayload,
    description: "Records a model call and its details; its cost comes from the price valid at occurredAt.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: RecordAiUsageInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = actorId(ctx);
      const input = parseInput(usageSchema, args.input);
      const id = await recordAiUsage(ctx.tx, userId, {
        modelId: args.input.modelId.id,
        planId: args.input.planId?.id,
        stepId: args.input.stepId?.id,
        batchId: args.input.batchId?.id,
        inputTokens: input.inputTokens,
        outputTokens: input.outputTokens,
        occurredAt: input.occurredAt,
        requestMetadata: input.details.requestMetadata,
        latencyMs: input.details.latencyMs,
      });
      return { id };
    },
  }),
}));
