import { defineRelationsPart, sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { organization, user } from "./auth.js";
import { baseColumns, tenantBaseColumns, tenantColumns, tenantForeignKey, tenantPolicies } from "./base.js";
import { planStep, researchPlan } from "./research.js";

// AI: the models we can call and what they cost (global reference data, readable by every tenant),
// and each tenant's batches, usage and call details.

export const aiModelKindEnum = pgEnum("ai_model_kind", ["chat", "embedding"]);
export const aiBatchStatusEnum = pgEnum("ai_batch_status", [
  "pending",
  "in_progress",
  "completed",
  "failed",
  "cancelled",
]);

/** Why a model stopped generating. */
export const aiFinishReasons = ["stop", "length", "tool_calls", "content_filter", "error"] as const;
export type AiFinishReason = (typeof aiFinishReasons)[number];

/** What we sent with a model call, for debugging and audits; never prompts' secrets. */
export interface AiRequestMetadata {
  temperature?: number;
  maxTokens?: number;
  toolNames?: string[];
  promptTemplate?: string;
  finishReason?: AiFinishReason;
  providerRequestId?: string;
}

/** Per-token USD prices; numeric in SQL so sums stay exact, numbers in TypeScript. */
const usdPerToken = (name: string) => numeric(name, { precision: 20, scale: 12, mode: "number" });

export const aiModel = pgTable(
  "ai_model",
  {
    ...baseColumns(),
    provider: text("provider").notNull(),
    name: text("name").notNull(),
    displayName: text("display_name").notNull(),
    kind: aiModelKindEnum("kind").notNull(),
    contextWindow: integer("context_window").notNull(),
    isActive: boolean("is_active").notNull().default(true),
  },
  (t) => [unique("ai_model_provider_name_key").on(t.provider, t.name)],
);

export const aiModelPricing = pgTable(
  "ai_model_pricing",
  {
    ...baseColumns(),
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id, { onDelete: "cascade" }),
    inputPricePerToken: usdPerToken("input_price_per_token").notNull(),
    outputPricePerToken: usdPerToken("output_price_per_token").notNull(),
    /** Valid from this instant (inclusive) until validTo (exclusive), or open-ended. */
    validFrom: timestamp("valid_from", { withTimezone: true, precision: 3 }).notNull(),
    validTo: timestamp("valid_to", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    index("ai_model_pricing_model_valid_idx").on(t.modelId, t.validFrom),
    check("ai_model_pricing_valid_range", sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
    check("ai_model_pricing_non_negative", sql`${t.inputPricePerToken} >= 0 and ${t.outputPricePerToken} >= 0`),
  ],
);

export const aiBatch = pgTable.withRLS(
  "ai_batch",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    planId: text("plan_id"),
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id),
    status: aiBatchStatusEnum("status").notNull().default("pending"),
    providerBatchId: text("provider_batch_id"),
    requestCount: integer("request_count").notNull().default(0),
    completedCount: integer("completed_count").notNull().default(0),
    submittedAt: timestamp("submitted_at", { withTimezone: true, precision: 3 }),
    completedAt: timestamp("completed_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...tenantPolicies("ai_batch", t),
    // SET NULL (plan_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey(
      "ai_batch_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("set null"),
    index("ai_batch_org_status_idx").on(t.organizationId, t.status),
    index("ai_batch_plan_idx").on(t.organizationId, t.planId),
    index("ai_batch_model_idx").on(t.modelId),
  ],
);

export const aiUsage = pgTable.withRLS(
  "ai_usage",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id),
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    planId: text("plan_id"),
    stepId: text("step_id"),
    batchId: text("batch_id"),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    /** USD, computed in SQL from the pricing valid at occurredAt. */
    costUsd: numeric("cost_usd", { precision: 20, scale: 10, mode: "number" }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    ...tenantPolicies("ai_usage", t),
    // SET NULL (plan_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey(
      "ai_usage_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("set null"),
    // SET NULL (step_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey("ai_usage_step_fkey", { organizationId: t.organizationId, column: t.stepId }, planStep).onDelete(
      "set null",
    ),
    tenantForeignKey("ai_usage_batch_fkey", { organizationId: t.organizationId, column: t.batchId }, aiBatch),
    index("ai_usage_org_occurred_idx").on(t.organizationId, t.occurredAt),
    index("ai_usage_org_model_occurred_idx").on(t.organizationId, t.modelId, t.occurredAt),
    index("ai_usage_plan_idx").on(t.organizationId, t.planId),
    index("ai_usage_step_idx").on(t.organizationId, t.stepId),
    index("ai_usage_batch_idx").on(t.organizationId, t.batchId),
    index("ai_usage_model_idx").on(t.modelId),
    index("ai_usage_user_idx").on(t.userId),
    check("ai_usage_tokens_non_negative", sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0`),
  ],
);

export const aiCallDetails = pgTable.withRLS(
  "ai_call_details",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    usageId: text("usage_id").notNull(),
    requestMetadata: jsonb("request_metadata").$type<AiRequestMetadata>().notNull(),
    latencyMs: integer("latency_ms"),
  },
  (t) => [
    ...tenantPolicies("ai_call_details", t),
    tenantForeignKey(
      "ai_call_details_usage_fkey",
      { organizationId: t.organizationId, column: t.usageId },
      aiUsage,
    ).onDelete("cascade"),
    unique("ai_call_details_usage_key").on(t.organizationId, t.usageId),
  ],
);

const tables = { organization, user, researchPlan, planStep, aiModel, aiModelPricing, aiBatch, aiUsage, aiCallDetails };

export const aiRelations = defineRelationsPart(tables, (r) => ({
  aiModel: {
    pricing: r.many.aiModelPricing({ from: r.aiModel.id, to: r.aiModelPricing.modelId }),
  },
  aiModelPricing: {
    model: r.one.aiModel({ from: r.aiModelPricing.modelId, to: r.aiModel.id, optional: false }),
  },
  aiBatch: {
    organization: r.one.organization({ from: r.aiBatch.organizationId, to: r.organization.id, optional: false }),
    model: r.one.aiModel({ from: r.aiBatch.modelId, to: r.aiModel.id, optional: false }),
    plan: r.one.researchPlan({
      from: [r.aiBatch.organizationId, r.aiBatch.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
    }),
    usage: r.many.aiUsage({
      from: [r.aiBatch.organizationId, r.aiBatch.id],
      to: [r.aiUsage.organizationId, r.aiUsage.batchId],
    }),
  },
  aiUsage: {
    organization: r.one.organization({ from: r.aiUsage.organizationId, to: r.organization.id, optional: false }),
    model: r.one.aiModel({ from: r.aiUsage.modelId, to: r.aiModel.id, optional: false }),
    user: r.one.user({ from: r.aiUsage.userId, to: r.user.id }),
    plan: r.one.researchPlan({
      from: [r.aiUsage.organizationId, r.aiUsage.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
    }),
    step: r.one.planStep({
      from: [r.aiUsage.organizationId, r.aiUsage.stepId],
      to: [r.planStep.organizationId, r.planStep.id],
    }),
    batch: r.one.aiBatch({
      from: [r.aiUsage.organizationId, r.aiUsage.batchId],
      to: [r.aiBatch.organizationId, r.aiBatch.id],
    }),
    callDetails: r.one.aiCallDetails({
      from: [r.aiUsage.organizationId, r.aiUsage.id],
      to: [r.aiCallDetails.organizationId, r.aiCallDetails.usageId],
    }),
  },
  aiCallDetails: {
    organization: r.one.organization({ from: r.aiCallDetails.organizationId, to: r.organization.id, optional: false }),
    usage: r.one.aiUsage({
      from: [r.aiCallDetails.organizationId, r.aiCallDetails.usageId],
      to: [r.aiUsage.organizationId, r.aiUsage.id],
      optional: false,
    }),
  },
}));

/**
 * The cost of a call in SQL: tokens times the model's prices valid at `occurredAt`. NULL when no price is
 * valid then (callers treat that as an error rather than a free call).
 */
export function usageCostSql(modelId: string, inputTokens: number, outputTokens: number, occurredAt: Date) {
  return sql<number>`(select ${inputTokens}::numeric * ${aiModelPricing.inputPricePerToken} + ${outputTokens}::numeric * ${aiModelPricing.outputPricePerToken}
    from ${aiModelPricing}
    where ${aiModelPricing.modelId} = ${modelId}
      and ${aiModelPricing.validFrom} <= ${occurredAt.toISOString()}::timestamptz
      and (${aiModelPricing.validTo} is null or ${aiModelPricing.validTo} > ${occurredAt.toISOString()}::timestamptz)
    order by ${aiModelPricing.validFrom} desc
    limit 1)`;
}
