import { defineRelationsPart, sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { organization, user } from "./auth.js";
import { tenantBaseColumns, tenantColumns, tenantForeignKey, tenantPolicies } from "./base.js";

// Research: plans made of ordered steps with branching, what running them produced (artifacts,
// extractions, skill executions, MCP tool calls), the published outputs, and feedback on them.
// Every table here is tenant-scoped.

export const planStatusEnum = pgEnum("plan_status", ["draft", "running", "completed", "failed", "cancelled"]);
export const stepStatusEnum = pgEnum("step_status", ["pending", "running", "completed", "failed", "skipped"]);
export const auditActionEnum = pgEnum("audit_action", [
  "plan_created",
  "plan_updated",
  "plan_status_changed",
  "plan_deleted",
  "step_added",
  "step_updated",
  "step_moved",
  "step_removed",
  "condition_set",
  "condition_removed",
]);
export const artifactKindEnum = pgEnum("artifact_kind", ["document", "web_page", "dataset", "note", "file"]);
export const executionStatusEnum = pgEnum("execution_status", ["running", "succeeded", "failed"]);
export const toolCallStatusEnum = pgEnum("tool_call_status", ["success", "error", "timeout"]);
export const outputFormatEnum = pgEnum("output_format", ["markdown", "json", "html"]);

/** What running a step reported: filled by the agent that executed it. */
export interface StepExecutionReport {
  summary: string;
  durationMs?: number;
  tokensUsed?: number;
  warnings?: string[];
  outputs?: { artifactId: string; label?: string }[];
}

/** A branching rule: after `step`, go to `targetStep` when the rule holds. */
export type BranchingRule =
  | { kind: "always" }
  | { kind: "status"; equals: "completed" | "failed" | "skipped" }
  | { kind: "expression"; expression: string };

/** Before/after of the fields a change touched; `null` side for creation or deletion. */
export interface AuditDiff {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ArtifactMetadata {
  author?: string;
  publishedAt?: string;
  language?: string;
  tags?: string[];
}

/** The types an extracted value may have. */
export const extractionFieldTypes = ["string", "number", "boolean", "date", "list"] as const;
export type ExtractionFieldType = (typeof extractionFieldTypes)[number];

/** A JSON-Schema-like description of what to extract. */
export interface ExtractionSchema {
  name: string;
  fields: { name: string; type: ExtractionFieldType; description?: string }[];
}
export type ExtractedValues = Record<string, string | number | boolean | null | string[]>;

export interface SkillPayload {
  [key: string]: unknown;
}

/** How an MCP server was reached. */
export const mcpTransports = ["stdio", "http", "sse"] as const;
export type McpTransport = (typeof mcpTransports)[number];

export interface ToolCallMetadata {
  arguments: Record<string, unknown>;
  resultPreview?: string;
  errorMessage?: string;
  transport?: McpTransport;
}

export interface ResultSummary {
  headline: string;
  keyFindings: string[];
  confidence?: number;
  sourceArtifactIds?: string[];
}

export const researchPlan = pgTable.withRLS(
  "research_plan",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    title: text("title").notNull(),
    description: text("description"),
    status: planStatusEnum("status").notNull().default("draft"),
    authorId: text("author_id")
      .notNull()
      .references(() => user.id),
    /** Bumped on every change: the optimistic-concurrency token clients send back. */
    version: integer("version").notNull().default(1),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }),
    completedAt: timestamp("completed_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...tenantPolicies("research_plan", t),
    index("research_plan_org_created_idx").on(t.organizationId, t.createdAt, t.id),
    index("research_plan_org_updated_idx").on(t.organizationId, t.updatedAt, t.id),
    index("research_plan_org_title_idx").on(t.organizationId, t.title, t.id),
    index("research_plan_org_status_idx").on(t.organizationId, t.status),
    // The title filter's startsWith, searched as a range in the "C" collation (LIKE cannot be an index
    // condition under RLS: it is not leakproof; docs/filtering.md).
    index("research_plan_org_title_c_idx").on(t.organizationId, sql`${t.title} collate "C"`),
    index("research_plan_author_idx").on(t.authorId),
  ],
);

export const planStep = pgTable.withRLS(
  "plan_step",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    planId: text("plan_id").notNull(),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    instructions: text("instructions"),
    status: stepStatusEnum("status").notNull().default("pending"),
    stepExecutionReport: jsonb("step_execution_report").$type<StepExecutionReport>(),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }),
    completedAt: timestamp("completed_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...tenantPolicies("plan_step", t),
    tenantForeignKey(
      "plan_step_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("cascade"),
    unique("plan_step_plan_position_key").on(t.organizationId, t.planId, t.position),
    check("plan_step_position_positive", sql`${t.position} >= 1`),
  ],
);

export const planBranchingCondition = pgTable.withRLS(
  "plan_branching_condition",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    stepId: text("step_id").notNull(),
    targetStepId: text("target_step_id").notNull(),
    label: text("label"),
    rule: jsonb("rule").$type<BranchingRule>().notNull(),
    /** Lower is evaluated first. */
    priority: integer("priority").notNull().default(0),
  },
  (t) => [
    ...tenantPolicies("plan_branching_condition", t),
    tenantForeignKey(
      "plan_branching_condition_step_fkey",
      { organizationId: t.organizationId, column: t.stepId },
      planStep,
    ).onDelete("cascade"),
    tenantForeignKey(
      "plan_branching_condition_target_step_fkey",
      { organizationId: t.organizationId, column: t.targetStepId },
      planStep,
    ).onDelete("cascade"),
    index("plan_branching_condition_step_idx").on(t.organizationId, t.stepId, t.priority),
    index("plan_branching_condition_target_idx").on(t.organizationId, t.targetStepId),
  ],
);

export const planAuditLog = pgTable.withRLS(
  "plan_audit_log",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    /** Null once the plan is deleted: the audit trail outlives its subject. */
    planId: text("plan_id"),
    actorId: text("actor_id").references(() => user.id, { onDelete: "set null" }),
    action: auditActionEnum("action").notNull(),
    diff: jsonb("diff").$type<AuditDiff>().notNull(),
  },
  (t) => [
    ...tenantPolicies("plan_audit_log", t),
    // SET NULL (plan_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey(
      "plan_audit_log_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("set null"),
    index("plan_audit_log_plan_idx").on(t.organizationId, t.planId, t.createdAt),
    index("plan_audit_log_actor_idx").on(t.actorId),
  ],
);

export const researchArtifact = pgTable.withRLS(
  "research_artifact",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    planId: text("plan_id").notNull(),
    stepId: text("step_id"),
    kind: artifactKindEnum("kind").notNull(),
    title: text("title").notNull(),
    sourceUri: text("source_uri"),
    mimeType: text("mime_type"),
    content: text("content"),
    byteSize: integer("byte_size"),
    metadata: jsonb("metadata").$type<ArtifactMetadata>().notNull().default({}),
  },
  (t) => [
    ...tenantPolicies("research_artifact", t),
    tenantForeignKey(
      "research_artifact_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("cascade"),
    // SET NULL (step_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey(
      "research_artifact_step_fkey",
      { organizationId: t.organizationId, column: t.stepId },
      planStep,
    ).onDelete("set null"),
    index("research_artifact_plan_idx").on(t.organizationId, t.planId, t.createdAt),
    index("research_artifact_step_idx").on(t.organizationId, t.stepId),
    // The root connection's order and createdAt filter (docs/filtering.md).
    index("research_artifact_org_created_idx").on(t.organizationId, t.createdAt, t.id),
  ],
);

export const extractionResult = pgTable.withRLS(
  "extraction_result",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    artifactId: text("artifact_id").notNull(),
    extractionSchema: jsonb("extraction_schema").$type<ExtractionSchema>().notNull(),
    values: jsonb("values").$type<ExtractedValues>().notNull(),
    confidence: real("confidence"),
  },
  (t) => [
    ...tenantPolicies("extraction_result", t),
    tenantForeignKey(
      "extraction_result_artifact_fkey",
      { organizationId: t.organizationId, column: t.artifactId },
      researchArtifact,
    ).onDelete("cascade"),
    index("extraction_result_artifact_idx").on(t.organizationId, t.artifactId),
    check("extraction_result_confidence_range", sql`${t.confidence} between 0 and 1`),
  ],
);

export const skillExecution = pgTable.withRLS(
  "skill_execution",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    planId: text("plan_id").notNull(),
    stepId: text("step_id"),
    skillName: text("skill_name").notNull(),
    status: executionStatusEnum("status").notNull().default("running"),
    input: jsonb("input").$type<SkillPayload>().notNull().default({}),
    output: jsonb("output").$type<SkillPayload>(),
    errorMessage: text("error_message"),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...tenantPolicies("skill_execution", t),
    tenantForeignKey(
      "skill_execution_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("cascade"),
    // SET NULL (step_id) only, keeping organization_id: see the set_null_columns migration.
    tenantForeignKey(
      "skill_execution_step_fkey",
      { organizationId: t.organizationId, column: t.stepId },
      planStep,
    ).onDelete("set null"),
    index("skill_execution_plan_idx").on(t.organizationId, t.planId, t.startedAt),
    index("skill_execution_step_idx").on(t.organizationId, t.stepId),
    // The root connection's order and startedAt filter (docs/filtering.md).
    index("skill_execution_org_started_idx").on(t.organizationId, t.startedAt, t.id),
  ],
);

export const mcpToolCallLog = pgTable.withRLS(
  "mcp_tool_call_log",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    skillExecutionId: text("skill_execution_id").notNull(),
    serverName: text("server_name").notNull(),
    toolName: text("tool_name").notNull(),
    status: toolCallStatusEnum("status").notNull(),
    durationMs: integer("duration_ms"),
    metadata: jsonb("metadata").$type<ToolCallMetadata>().notNull(),
  },
  (t) => [
    ...tenantPolicies("mcp_tool_call_log", t),
    tenantForeignKey(
      "mcp_tool_call_log_skill_execution_fkey",
      { organizationId: t.organizationId, column: t.skillExecutionId },
      skillExecution,
    ).onDelete("cascade"),
    index("mcp_tool_call_log_execution_idx").on(t.organizationId, t.skillExecutionId, t.createdAt),
    index("mcp_tool_call_log_tool_idx").on(t.organizationId, t.toolName),
    // The root connection's order and createdAt filter (docs/filtering.md).
    index("mcp_tool_call_log_org_created_idx").on(t.organizationId, t.createdAt, t.id),
  ],
);

export const researchOutput = pgTable.withRLS(
  "research_output",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    planId: text("plan_id").notNull(),
    title: text("title").notNull(),
    format: outputFormatEnum("format").notNull().default("markdown"),
    content: text("content").notNull(),
    resultSummary: jsonb("result_summary").$type<ResultSummary>().notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    ...tenantPolicies("research_output", t),
    tenantForeignKey(
      "research_output_plan_fkey",
      { organizationId: t.organizationId, column: t.planId },
      researchPlan,
    ).onDelete("cascade"),
    index("research_output_plan_idx").on(t.organizationId, t.planId, t.createdAt),
    // The root connection's order and createdAt filter (docs/filtering.md).
    index("research_output_org_created_idx").on(t.organizationId, t.createdAt, t.id),
  ],
);

export const researchFeedback = pgTable.withRLS(
  "research_feedback",
  {
    ...tenantBaseColumns(),
    ...tenantColumns(),
    outputId: text("output_id").notNull(),
    authorId: text("author_id")
      .notNull()
      .references(() => user.id),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
  },
  (t) => [
    ...tenantPolicies("research_feedback", t),
    tenantForeignKey(
      "research_feedback_output_fkey",
      { organizationId: t.organizationId, column: t.outputId },
      researchOutput,
    ).onDelete("cascade"),
    index("research_feedback_output_idx").on(t.organizationId, t.outputId, t.createdAt),
    index("research_feedback_author_idx").on(t.authorId),
    // The root connection's order and createdAt filter (docs/filtering.md).
    index("research_feedback_org_created_idx").on(t.organizationId, t.createdAt, t.id),
    check("research_feedback_rating_range", sql`${t.rating} between 1 and 5`),
  ],
);

const tables = {
  organization,
  user,
  researchPlan,
  planStep,
  planBranchingCondition,
  planAuditLog,
  researchArtifact,
  extractionResult,
  skillExecution,
  mcpToolCallLog,
  researchOutput,
  researchFeedback,
};

export const researchRelations = defineRelationsPart(tables, (r) => ({
  researchPlan: {
    organization: r.one.organization({ from: r.researchPlan.organizationId, to: r.organization.id, optional: false }),
    author: r.one.user({ from: r.researchPlan.authorId, to: r.user.id, optional: false }),
    steps: r.many.planStep({
      from: [r.researchPlan.organizationId, r.researchPlan.id],
      to: [r.planStep.organizationId, r.planStep.planId],
    }),
    auditLog: r.many.planAuditLog({
      from: [r.researchPlan.organizationId, r.researchPlan.id],
      to: [r.planAuditLog.organizationId, r.planAuditLog.planId],
    }),
    artifacts: r.many.researchArtifact({
      from: [r.researchPlan.organizationId, r.researchPlan.id],
      to: [r.researchArtifact.organizationId, r.researchArtifact.planId],
    }),
    skillExecutions: r.many.skillExecution({
      from: [r.researchPlan.organizationId, r.researchPlan.id],
      to: [r.skillExecution.organizationId, r.skillExecution.planId],
    }),
    outputs: r.many.researchOutput({
      from: [r.researchPlan.organizationId, r.researchPlan.id],
      to: [r.researchOutput.organizationId, r.researchOutput.planId],
    }),
  },
  planStep: {
    organization: r.one.organization({ from: r.planStep.organizationId, to: r.organization.id, optional: false }),
    plan: r.one.researchPlan({
      from: [r.planStep.organizationId, r.planStep.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
      optional: false,
    }),
    branchingConditions: r.many.planBranchingCondition({
      from: [r.planStep.organizationId, r.planStep.id],
      to: [r.planBranchingCondition.organizationId, r.planBranchingCondition.stepId],
    }),
    incomingConditions: r.many.planBranchingCondition({
      from: [r.planStep.organizationId, r.planStep.id],
      to: [r.planBranchingCondition.organizationId, r.planBranchingCondition.targetStepId],
      alias: "condition_target",
    }),
    artifacts: r.many.researchArtifact({
      from: [r.planStep.organizationId, r.planStep.id],
      to: [r.researchArtifact.organizationId, r.researchArtifact.stepId],
    }),
    skillExecutions: r.many.skillExecution({
      from: [r.planStep.organizationId, r.planStep.id],
      to: [r.skillExecution.organizationId, r.skillExecution.stepId],
    }),
  },
  planBranchingCondition: {
    organization: r.one.organization({
      from: r.planBranchingCondition.organizationId,
      to: r.organization.id,
      optional: false,
    }),
    step: r.one.planStep({
      from: [r.planBranchingCondition.organizationId, r.planBranchingCondition.stepId],
      to: [r.planStep.organizationId, r.planStep.id],
      optional: false,
    }),
    targetStep: r.one.planStep({
      from: [r.planBranchingCondition.organizationId, r.planBranchingCondition.targetStepId],
      to: [r.planStep.organizationId, r.planStep.id],
      optional: false,
      alias: "condition_target",
    }),
  },
  planAuditLog: {
    organization: r.one.organization({ from: r.planAuditLog.organizationId, to: r.organization.id, optional: false }),
    plan: r.one.researchPlan({
      from: [r.planAuditLog.organizationId, r.planAuditLog.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
    }),
    actor: r.one.user({ from: r.planAuditLog.actorId, to: r.user.id }),
  },
  researchArtifact: {
    organization: r.one.organization({
      from: r.researchArtifact.organizationId,
      to: r.organization.id,
      optional: false,
    }),
    plan: r.one.researchPlan({
      from: [r.researchArtifact.organizationId, r.researchArtifact.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
      optional: false,
    }),
    step: r.one.planStep({
      from: [r.researchArtifact.organizationId, r.researchArtifact.stepId],
      to: [r.planStep.organizationId, r.planStep.id],
    }),
    extractionResults: r.many.extractionResult({
      from: [r.researchArtifact.organizationId, r.researchArtifact.id],
      to: [r.extractionResult.organizationId, r.extractionResult.artifactId],
    }),
  },
  extractionResult: {
    organization: r.one.organization({
      from: r.extractionResult.organizationId,
      to: r.organization.id,
      optional: false,
    }),
    artifact: r.one.researchArtifact({
      from: [r.extractionResult.organizationId, r.extractionResult.artifactId],
      to: [r.researchArtifact.organizationId, r.researchArtifact.id],
      optional: false,
    }),
  },
  skillExecution: {
    organization: r.one.organization({ from: r.skillExecution.organizationId, to: r.organization.id, optional: false }),
    plan: r.one.researchPlan({
      from: [r.skillExecution.organizationId, r.skillExecution.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
      optional: false,
    }),
    step: r.one.planStep({
      from: [r.skillExecution.organizationId, r.skillExecution.stepId],
      to: [r.planStep.organizationId, r.planStep.id],
    }),
    toolCalls: r.many.mcpToolCallLog({
      from: [r.skillExecution.organizationId, r.skillExecution.id],
      to: [r.mcpToolCallLog.organizationId, r.mcpToolCallLog.skillExecutionId],
    }),
  },
  mcpToolCallLog: {
    organization: r.one.organization({ from: r.mcpToolCallLog.organizationId, to: r.organization.id, optional: false }),
    skillExecution: r.one.skillExecution({
      from: [r.mcpToolCallLog.organizationId, r.mcpToolCallLog.skillExecutionId],
      to: [r.skillExecution.organizationId, r.skillExecution.id],
      optional: false,
    }),
  },
  researchOutput: {
    organization: r.one.organization({ from: r.researchOutput.organizationId, to: r.organization.id, optional: false }),
    plan: r.one.researchPlan({
      from: [r.researchOutput.organizationId, r.researchOutput.planId],
      to: [r.researchPlan.organizationId, r.researchPlan.id],
      optional: false,
    }),
    feedback: r.many.researchFeedback({
      from: [r.researchOutput.organizationId, r.researchOutput.id],
      to: [r.researchFeedback.organizationId, r.researchFeedback.outputId],
    }),
  },
  researchFeedback: {
    organization: r.one.organization({
      from: r.researchFeedback.organizationId,
      to: r.organization.id,
      optional: false,
    }),
    output: r.one.researchOutput({
      from: [r.researchFeedback.organizationId, r.researchFeedback.outputId],
      to: [r.researchOutput.organizationId, r.researchOutput.id],
      optional: false,
    }),
    author: r.one.user({ from: r.researchFeedback.authorId, to: r.user.id, optional: false }),
  },
}));
