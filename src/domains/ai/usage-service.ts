import { eq, sql } from "drizzle-orm";
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

// Recording a model call: its usage row and its call details, atomically in the operation's transaction.
// The cost is computed in SQL (usageCostSql) from the model's price valid when the call happened; a call at
// a time no price covers is refused rather than recorded as free.

export const usageNotFound = () => new GatewayError("NOT_FOUND", "No AI usage with this ID.");

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

/** A model call by `userId`, priced at `occurredAt` (default now); answers with the usage row's ID. */
export async function recordAiUsage(
  tx: TenantTransaction,
  userId: string,
  input: {
    modelId: string;
    planId?: string | undefined;
    stepId?: string | undefined;
    batchId?: string | undefined;
    inputTokens: number;
    outputTokens: number;
    occurredAt?: Date | null | undefined;
    requestMetadata: AiRequestMetadata;
    latencyMs?: number | null | undefined;
  },
): Promise<string> {
  const occurredAt = input.occurredAt ?? new Date();
  // The model (global reference data) and the cost at that time, in one statement.
  const [priced] = await tx
    .select({
      id: aiModel.id,
      cost: sql<
        string | null
      >`(${usageCostSql(input.modelId, input.inputTokens, input.outputTokens, occurredAt)})::text`,
    })
    .from(aiModel)
    .where(eq(aiModel.id, input.modelId));
  if (!priced) throw new GatewayError("NOT_FOUND", "No AI model with this ID.");
  if (priced.cost === null) {
    throw new GatewayError("BAD_USER_INPUT", "occurredAt: the model has no price valid at this time.", {
      field: "occurredAt",
    });
  }
  const references = await resolveReferences(tx, priced.id, input);
  const [usage] = await tx
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
  // The JSONB holds only what was said: undefined keys dropped.
  const requestMetadata: AiRequestMetadata = Object.fromEntries(
    Object.entries(input.requestMetadata).filter(([, value]) => value !== undefined),
  );
  await tx.insert(aiCallDetails).values({ usageId: usage.id, requestMetadata, latencyMs: input.latencyMs ?? null });
  return usage.id;
}
