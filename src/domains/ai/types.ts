import { type AnyTableFilter, and, asc, gte, lt, sql } from "drizzle-orm";
import { aiBatchStatusEnum, aiModel, aiModelKindEnum, aiUsage } from "../../../schema/index.js";
import { GatewayError } from "../../platform/errors.js";
import { tenantRead } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { type ConnectionArgValues, tableConnectionArgs } from "../../schema-builder/connection-args.js";
import { findPageCounting, totalCountOf } from "../../schema-builder/connection-count.js";
import { nodeConnection } from "../../schema-builder/connections.js";
import { enumFromPg } from "../../schema-builder/enums.js";

// AI (mirrors schema/ai.ts): models and prices are global reference data; batches, usage and call details
// belong to the organization.

const AiModelKind = enumFromPg("AiModelKind", aiModelKindEnum, "What a model does.");
const AiBatchStatus = enumFromPg("AiBatchStatus", aiBatchStatusEnum, "Where a provider batch is.");

/** filter/orderBy of usage rows: every column here leads an index after organization_id (schema/ai.ts). */
const usageArgs = tableConnectionArgs({
  name: "AiUsage",
  table: aiUsage,
  filter: ["modelId", "planId", "stepId", "batchId", "userId", "occurredAt"],
  order: { occurredAt: "desc" },
  defaultOrder: "occurredAt",
});

/**
 * filter/orderBy of the model list: global reference data of a few dozen rows (no organization_id), read whole
 * whatever the filter, so no index is needed beyond the (provider, name) key.
 */
const modelArgs = tableConnectionArgs({
  name: "AiModel",
  table: aiModel,
  filter: ["provider", "name", "kind", "isActive", "contextWindow"],
  order: { provider: "asc", name: "asc", contextWindow: "desc" },
  defaultOrder: "provider",
});

export const AiModelPricing = builder.drizzleObject("aiModelPricing", {
  name: "AiModelPricing",
  description: "USD per token, valid from `validFrom` (inclusive) to `validTo` (exclusive, or open-ended).",
  select: {},
  fields: (t) => ({
    inputPricePerToken: t.exposeFloat("inputPricePerToken"),
    outputPricePerToken: t.exposeFloat("outputPricePerToken"),
    validFrom: t.expose("validFrom", { type: "DateTime" }),
    validTo: t.expose("validTo", { type: "DateTime", nullable: true }),
  }),
});

export const AiModel = builder.drizzleNode("aiModel", {
  name: "AiModel",
  description: "A model we can call.",
  select: {},
  id: { column: (model) => model.id },
  fields: (t) => ({
    provider: t.exposeString("provider"),
    name: t.exposeString("name"),
    displayName: t.exposeString("displayName"),
    kind: t.expose("kind", { type: AiModelKind }),
    contextWindow: t.exposeInt("contextWindow"),
    isActive: t.exposeBoolean("isActive"),
    currentPricing: t.field({
      type: AiModelPricing,
      nullable: true,
      description: "The price valid now.",
      // nestedSelection folds what the query asks of the price into this select: without it the price's
      // own columns are not part of the plan, and plugin-drizzle loads them again in a second statement.
      select: (_args, _ctx, nestedSelection) => {
        const now = new Date();
        return {
          with: {
            pricing: nestedSelection({
              where: { validFrom: { lte: now }, OR: [{ validTo: { isNull: true } }, { validTo: { gt: now } }] },
              orderBy: { validFrom: "desc" },
              limit: 1,
            }),
          },
        };
      },
      resolve: (model) => model.pricing[0] ?? null,
    }),
    pricingHistory: t.relation("pricing", { query: { orderBy: { validFrom: "desc" } } }),
  }),
});

export const AiBatch = builder.drizzleNode("aiBatch", {
  name: "AiBatch",
  description: "A batch of model calls submitted to a provider.",
  select: {},
  id: { column: (batch) => batch.id },
  fields: (t) => ({
    status: t.expose("status", { type: AiBatchStatus }),
    providerBatchId: t.exposeString("providerBatchId", { nullable: true }),
    requestCount: t.exposeInt("requestCount"),
    completedCount: t.exposeInt("completedCount"),
    submittedAt: t.expose("submittedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    model: t.relation("model"),
    plan: t.relation("plan", { nullable: true }),
    usage: t.relatedConnection(
      "usage",
      {
        args: usageArgs.args,
        query: (args) => usageArgs.query(args, { occurredAt: "asc" }),
        totalCount: true,
      },
      AiUsageConnection,
    ),
  }),
});

const AiCallDetails = builder.drizzleObject("aiCallDetails", {
  name: "AiCallDetails",
  select: {},
  fields: (t) => ({
    temperature: t.float({
      nullable: true,
      select: { columns: { requestMetadata: true } },
      resolve: (details) => details.requestMetadata.temperature ?? null,
    }),
    maxTokens: t.int({
      nullable: true,
      select: { columns: { requestMetadata: true } },
      resolve: (details) => details.requestMetadata.maxTokens ?? null,
    }),
    finishReason: t.string({
      nullable: true,
      select: { columns: { requestMetadata: true } },
      resolve: (details) => details.requestMetadata.finishReason ?? null,
    }),
    toolNames: t.stringList({
      nullable: true,
      select: { columns: { requestMetadata: true } },
      resolve: (details) => details.requestMetadata.toolNames ?? null,
    }),
    requestMetadata: t.expose("requestMetadata", { type: "JSON" }),
    latencyMs: t.exposeInt("latencyMs", { nullable: true }),
  }),
});

export const AiUsage = builder.drizzleNode("aiUsage", {
  name: "AiUsage",
  description: "One model call: tokens, and its cost at the price valid when it happened.",
  select: {},
  id: { column: (usage) => usage.id },
  fields: (t) => ({
    inputTokens: t.exposeInt("inputTokens"),
    outputTokens: t.exposeInt("outputTokens"),
    costUsd: t.exposeFloat("costUsd"),
    occurredAt: t.expose("occurredAt", { type: "DateTime" }),
    model: t.relation("model"),
    user: t.relation("user", { nullable: true }),
    plan: t.relation("plan", { nullable: true }),
    step: t.relation("step", { nullable: true }),
    batch: t.relation("batch", { nullable: true }),
    callDetails: t.relation("callDetails", { nullable: true, type: AiCallDetails }),
  }),
});

/** Every page of model calls, at the root and under a batch. */
const AiUsageConnection = nodeConnection(AiUsage, "AiUsage");

type AiModelRow = typeof aiModel.$inferSelect;

interface UsageAggregateRow {
  day: string;
  modelId: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const AiUsageAggregate = builder.objectRef<UsageAggregateRow>("AiUsageAggregate").implement({
  description: "Usage of one model on one UTC day.",
  fields: (t) => ({
    day: t.exposeString("day", { description: "The UTC date, YYYY-MM-DD." }),
    model: t.field({
      type: AiModel,
      // Only the key: plugin-drizzle loads what the query asks of the model by primary key, for every row of
      // the answer in one batched statement. A row fetched here (it was a DataLoader) is not a planned
      // selection, so the plugin loaded it a second time anyway.
      resolve: (row) => ({ id: row.modelId }) as AiModelRow,
    }),
    calls: t.exposeInt("calls"),
    // Float, not Int: one call may record up to 2^31 - 1 tokens (the column's integer), so a day's sum
    // outgrows GraphQL's 32-bit Int; a Float holds it exactly up to 2^53.
    inputTokens: t.exposeFloat("inputTokens", { description: "The day's total: a whole number." }),
    outputTokens: t.exposeFloat("outputTokens", { description: "The day's total: a whole number." }),
    costUsd: t.exposeFloat("costUsd"),
  }),
});

const maxAggregateRangeDays = 366;

/** `from`/`to` (the older range arguments) and the generated `filter`, both holding. */
function usageWhere(args: { from?: Date | null; to?: Date | null } & ConnectionArgValues): AnyTableFilter | undefined {
  const filter = usageArgs.where(args);
  if (!args.from && !args.to) return filter;
  const range: AnyTableFilter = {
    occurredAt: { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) },
  };
  // AnyTableFilter's index signature does not type its AND list: the object is a relational filter all the same.
  return filter ? ({ AND: [range, filter] } as AnyTableFilter) : range;
}

builder.queryFields((t) => ({
  aiModels: t.drizzleField({
    type: ["aiModel"],
    description: "Every model we can call, with its current pricing; by provider and name unless ordered.",
    args: modelArgs.args,
    resolve: (query, _root, args, ctx) => {
      const where = modelArgs.where(args);
      return ctx.tx.query.aiModel.findMany(
        query({ ...(where ? { where } : {}), orderBy: modelArgs.orderBy(args, { provider: "asc", name: "asc" }) }),
      );
    },
  }),
  aiUsage: t.drizzleConnection(
    {
      type: "aiUsage",
      description: "The organization's model calls, most recent first, optionally within [from, to).",
      authScopes: tenantRead,
      args: {
        from: t.arg({ type: "DateTime", required: false }),
        to: t.arg({ type: "DateTime", required: false }),
        ...usageArgs.args,
      },
      totalCount: (_root, args, ctx, info) => totalCountOf(ctx, info, aiUsage, usageWhere(args)),
      resolve: (query, _root, args, ctx, info) => {
        const where = usageWhere(args);
        return findPageCounting(ctx, info, aiUsage, where, (extras) =>
          ctx.tx.query.aiUsage.findMany(query({ where, orderBy: usageArgs.orderBy(args), extras })),
        );
      },
    },
    AiUsageConnection,
  ),
  aiUsageSummary: t.field({
    type: [AiUsageAggregate],
    description: "Tokens, calls and cost per model per UTC day within [from, to), computed in SQL.",
    authScopes: tenantRead,
    args: {
      from: t.arg({ type: "DateTime", required: true }),
      to: t.arg({ type: "DateTime", required: true }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.to <= args.from) throw new GatewayError("BAD_USER_INPUT", "`to` must be after `from`.");
      if (args.to.getTime() - args.from.getTime() > maxAggregateRangeDays * 86_400_000) {
        throw new GatewayError("BAD_USER_INPUT", `The range can span at most ${maxAggregateRangeDays} days.`);
      }
      const day = sql<string>`to_char(date_trunc('day', ${aiUsage.occurredAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
      return ctx.tx
        .select({
          day,
          modelId: aiUsage.modelId,
          calls: sql<number>`count(*)::int`,
          // sum() of an integer column is a bigint: a cast back to int overflowed past 2^31 - 1.
          inputTokens: sql<number>`sum(${aiUsage.inputTokens})`.mapWith(Number),
          outputTokens: sql<number>`sum(${aiUsage.outputTokens})`.mapWith(Number),
          costUsd: sql<number>`sum(${aiUsage.costUsd})::float8`,
        })
        .from(aiUsage)
        .where(and(gte(aiUsage.occurredAt, args.from), lt(aiUsage.occurredAt, args.to)))
        .groupBy(day, aiUsage.modelId)
        .orderBy(asc(day), asc(aiUsage.modelId));
    },
  }),
}));
