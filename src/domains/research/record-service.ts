import { eq, inArray } from "drizzle-orm";
import {
  type ArtifactMetadata,
  type artifactKindEnum,
  type ExtractedValues,
  type ExtractionSchema,
  type executionStatusEnum,
  extractionResult,
  mcpToolCallLog,
  type outputFormatEnum,
  planStep,
  type ResultSummary,
  researchArtifact,
  researchFeedback,
  researchOutput,
  researchPlan,
  type SkillPayload,
  skillExecution,
  type ToolCallMetadata,
  type toolCallStatusEnum,
} from "../../../schema/index.js";
import type { TenantTransaction } from "../../platform/db/index.js";
import { GatewayError } from "../../platform/errors.js";
import { planNotFound } from "./plan-service.js";

// The rules of what agents record about their runs (skill executions, MCP tool calls, artifacts, extraction
// results, published outputs) and of members' feedback on outputs. Every referenced row is looked up on the
// operation's transaction first, so another tenant's row (hidden by RLS) is NOT_FOUND exactly like a missing
// one, before any write. The lookups take FOR KEY SHARE locks: the referenced row cannot be deleted until this
// transaction ends, so the insert's foreign key holds. Each function answers with the ID of the row it wrote.

const notFound = (what: string) => () => new GatewayError("NOT_FOUND", `No ${what} with this ID.`);
const stepNotFound = notFound("plan step");
export const executionNotFound = notFound("skill execution");
export const toolCallNotFound = notFound("MCP tool call");
export const artifactNotFound = notFound("research artifact");
export const extractionResultNotFound = notFound("extraction result");
export const outputNotFound = notFound("research output");
export const feedbackNotFound = notFound("feedback");

// ---- Lookups: visible rows of the current tenant only, locked against deletion --------------------------

async function lockPlanForRecord(tx: TenantTransaction, planId: string): Promise<{ id: string }> {
  const [plan] = await tx
    .select({ id: researchPlan.id })
    .from(researchPlan)
    .where(eq(researchPlan.id, planId))
    .for("key share");
  if (!plan) throw planNotFound();
  return plan;
}

/** A step of `planId`; a step of another plan is bad input, another tenant's step is not found. */
async function lockStepOfPlan(tx: TenantTransaction, stepId: string, planId: string): Promise<{ id: string }> {
  const [step] = await tx
    .select({ id: planStep.id, planId: planStep.planId })
    .from(planStep)
    .where(eq(planStep.id, stepId))
    .for("key share");
  if (!step) throw stepNotFound();
  if (step.planId !== planId) {
    throw new GatewayError("BAD_USER_INPUT", "stepId: the step belongs to another plan.", { field: "stepId" });
  }
  return step;
}

async function lockRow(
  tx: TenantTransaction,
  table: typeof skillExecution | typeof researchArtifact | typeof researchOutput,
  id: string,
  missing: () => GatewayError,
): Promise<{ id: string }> {
  const [row] = await tx.select({ id: table.id }).from(table).where(eq(table.id, id)).for("key share");
  if (!row) throw missing();
  return row;
}

/** The ID of the row an insert returned. */
function insertedId(row: { id: string } | undefined): string {
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

/** Drops undefined keys: the JSONB holds only what was said. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---- Records ---------------------------------------------------------------------------------------------

type ExecutionStatusValue = (typeof executionStatusEnum.enumValues)[number];

/** A run of a skill within a plan (and, optionally, one of its steps); RUNNING unless said otherwise. */
export async function recordSkillExecution(
  tx: TenantTransaction,
  input: {
    planId: string;
    stepId?: string | undefined;
    skillName: string;
    status?: ExecutionStatusValue | null | undefined;
    input?: SkillPayload | null | undefined;
    output?: SkillPayload | null | undefined;
    errorMessage?: string | null | undefined;
    startedAt?: Date | null | undefined;
    finishedAt?: Date | null | undefined;
  },
): Promise<string> {
  const plan = await lockPlanForRecord(tx, input.planId);
  const step = input.stepId !== undefined ? await lockStepOfPlan(tx, input.stepId, plan.id) : null;
  const status = input.status ?? "running";
  const now = new Date();
  const [row] = await tx
    .insert(skillExecution)
    .values({
      planId: plan.id,
      stepId: step?.id ?? null,
      skillName: input.skillName,
      status,
      input: input.input ?? {},
      output: input.output ?? null,
      errorMessage: input.errorMessage ?? null,
      startedAt: input.startedAt ?? now,
      finishedAt: input.finishedAt ?? (status === "running" ? null : now),
    })
    .returning({ id: skillExecution.id });
  return insertedId(row);
}

/** An MCP tool call a skill execution made. */
export async function recordMcpToolCall(
  tx: TenantTransaction,
  input: {
    skillExecutionId: string;
    serverName: string;
    toolName: string;
    status: (typeof toolCallStatusEnum.enumValues)[number];
    durationMs?: number | null | undefined;
    metadata: ToolCallMetadata;
  },
): Promise<string> {
  const execution = await lockRow(tx, skillExecution, input.skillExecutionId, executionNotFound);
  const [row] = await tx
    .insert(mcpToolCallLog)
    .values({
      skillExecutionId: execution.id,
      serverName: input.serverName,
      toolName: input.toolName,
      status: input.status,
      durationMs: input.durationMs ?? null,
      metadata: compact(input.metadata),
    })
    .returning({ id: mcpToolCallLog.id });
  return insertedId(row);
}

/** A source a plan collected; its byte size defaults to the content's UTF-8 size. */
export async function addResearchArtifact(
  tx: TenantTransaction,
  input: {
    planId: string;
    stepId?: string | undefined;
    kind: (typeof artifactKindEnum.enumValues)[number];
    title: string;
    sourceUri?: string | null | undefined;
    mimeType?: string | null | undefined;
    content?: string | null | undefined;
    byteSize?: number | null | undefined;
    metadata?: ArtifactMetadata | null | undefined;
  },
): Promise<string> {
  const plan = await lockPlanForRecord(tx, input.planId);
  const step = input.stepId !== undefined ? await lockStepOfPlan(tx, input.stepId, plan.id) : null;
  const content = input.content ?? null;
  const metadata: ArtifactMetadata = input.metadata ? compact(input.metadata) : {};
  const [row] = await tx
    .insert(researchArtifact)
    .values({
      planId: plan.id,
      stepId: step?.id ?? null,
      kind: input.kind,
      title: input.title,
      sourceUri: input.sourceUri ?? null,
      mimeType: input.mimeType ?? null,
      content,
      byteSize: input.byteSize ?? (content === null ? null : Buffer.byteLength(content, "utf8")),
      metadata,
    })
    .returning({ id: researchArtifact.id });
  return insertedId(row);
}

/** Values extracted from an artifact (already checked against the extraction schema). */
export async function addExtractionResult(
  tx: TenantTransaction,
  input: {
    artifactId: string;
    extractionSchema: ExtractionSchema;
    values: ExtractedValues;
    confidence?: number | null | undefined;
  },
): Promise<string> {
  const artifact = await lockRow(tx, researchArtifact, input.artifactId, artifactNotFound);
  const schema: ExtractionSchema = {
    name: input.extractionSchema.name,
    fields: input.extractionSchema.fields.map((field) => compact(field)),
  };
  const [row] = await tx
    .insert(extractionResult)
    .values({
      artifactId: artifact.id,
      extractionSchema: schema,
      values: input.values,
      confidence: input.confidence ?? null,
    })
    .returning({ id: extractionResult.id });
  return insertedId(row);
}

/**
 * A published result of a plan (MARKDOWN unless said otherwise). The artifacts its summary draws on must be
 * the plan's own: another plan's is bad input, another tenant's is not found.
 */
export async function publishResearchOutput(
  tx: TenantTransaction,
  input: {
    planId: string;
    title: string;
    format?: (typeof outputFormatEnum.enumValues)[number] | null | undefined;
    content: string;
    resultSummary: Omit<ResultSummary, "sourceArtifactIds"> & { sourceArtifactIds?: string[] | undefined };
  },
): Promise<string> {
  const plan = await lockPlanForRecord(tx, input.planId);
  const sourceIds = [...new Set(input.resultSummary.sourceArtifactIds ?? [])];
  if (sourceIds.length > 0) {
    const found = await tx
      .select({ id: researchArtifact.id, planId: researchArtifact.planId })
      .from(researchArtifact)
      .where(inArray(researchArtifact.id, sourceIds))
      .for("key share");
    const byId = new Map(found.map((artifact) => [artifact.id, artifact]));
    for (const id of sourceIds) {
      const artifact = byId.get(id);
      if (!artifact) throw artifactNotFound();
      if (artifact.planId !== plan.id) {
        throw new GatewayError(
          "BAD_USER_INPUT",
          "resultSummary.sourceArtifactIds: an artifact belongs to another plan.",
          {
            field: "resultSummary.sourceArtifactIds",
          },
        );
      }
    }
  }
  const { sourceArtifactIds: _ids, ...summary } = input.resultSummary;
  const [row] = await tx
    .insert(researchOutput)
    .values({
      planId: plan.id,
      title: input.title,
      format: input.format ?? "markdown",
      content: input.content,
      resultSummary: compact({ ...summary, sourceArtifactIds: sourceIds.length > 0 ? sourceIds : undefined }),
      publishedAt: new Date(),
    })
    .returning({ id: researchOutput.id });
  return insertedId(row);
}

/** A rating (1–5) of an output, with an optional comment, by `authorId`. */
export async function addResearchFeedback(
  tx: TenantTransaction,
  input: { outputId: string; authorId: string; rating: number; comment?: string | null | undefined },
): Promise<string> {
  const output = await lockRow(tx, researchOutput, input.outputId, outputNotFound);
  const [row] = await tx
    .insert(researchFeedback)
    .values({ outputId: output.id, authorId: input.authorId, rating: input.rating, comment: input.comment ?? null })
    .returning({ id: researchFeedback.id });
  return insertedId(row);
}
