import { sql } from "drizzle-orm";
import { planStep } from "../../../schema/index.js";
import { builder } from "../../schema-builder/builder.js";
import { nodeConnection } from "../../schema-builder/connections.js";
import {
  artifactArgs,
  auditArgs,
  conditionArgs,
  executionArgs,
  extractionArgs,
  feedbackArgs,
  outputArgs,
  stepArgs,
  toolCallArgs,
} from "./connection-args.js";
import {
  ArtifactKind,
  AuditAction,
  ExecutionStatus,
  OutputFormat,
  PlanStatus,
  StepStatus,
  ToolCallStatus,
} from "./enums.js";
import {
  ArtifactMetadataType,
  BranchingRuleType,
  ExtractionSchemaType,
  ResultSummaryType,
  StepExecutionReportType,
  ToolCallMetadataType,
} from "./json-types.js";

// The research domain's object types. `select: {}` everywhere: a query reads only the columns its
// fields need. Lists under a row are connections (a plan may have many steps, a step many runs).

export const ResearchPlan = builder.drizzleNode("researchPlan", {
  name: "ResearchPlan",
  description: "A research plan: ordered steps, what running them produced, and the published outputs.",
  select: {},
  id: { column: (plan) => plan.id },
  fields: (t) => ({
    title: t.exposeString("title"),
    description: t.exposeString("description", { nullable: true }),
    status: t.expose("status", { type: PlanStatus }),
    version: t.exposeInt("version", {
      description: "Bumped on every change; send it back when updating (optimistic concurrency).",
    }),
    author: t.relation("author"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    // Counted in its own subquery rather than with t.relatedCount("steps"): relatedCount and the totalCount
    // of the `steps` connection share the key `_steps_count` in plugin-drizzle, and asking for both made the
    // plugin reload every plan's steps in a second statement.
    stepCount: t.int({
      select: {
        extras: {
          stepCount: (plan) =>
            sql<number>`(select count(*)::int from ${planStep} where ${planStep.organizationId} = ${plan.organizationId} and ${planStep.planId} = ${plan.id})`,
        },
      },
      resolve: (plan) => plan.stepCount,
    }),
    steps: t.relatedConnection(
      "steps",
      {
        args: stepArgs.args,
        query: (args) => stepArgs.query(args),
        totalCount: true,
      },
      PlanStepConnection,
    ),
    auditLog: t.relatedConnection(
      "auditLog",
      {
        args: auditArgs.args,
        query: (args) => auditArgs.query(args),
        totalCount: true,
      },
      PlanAuditEntryConnection,
    ),
    artifacts: t.relatedConnection(
      "artifacts",
      {
        args: artifactArgs.args,
        query: (args) => artifactArgs.query(args, { createdAt: "asc" }),
        totalCount: true,
      },
      ResearchArtifactConnection,
    ),
    skillExecutions: t.relatedConnection(
      "skillExecutions",
      {
        args: executionArgs.args,
        query: (args) => executionArgs.query(args),
        totalCount: true,
      },
      SkillExecutionConnection,
    ),
    outputs: t.relatedConnection(
      "outputs",
      {
        args: outputArgs.args,
        query: (args) => outputArgs.query(args),
        totalCount: true,
      },
      ResearchOutputConnection,
    ),
  }),
});

export const PlanStep = builder.drizzleNode("planStep", {
  name: "PlanStep",
  description: "One step of a plan, at a dense 1-based position.",
  select: {},
  id: { column: (step) => step.id },
  fields: (t) => ({
    position: t.exposeInt("position"),
    title: t.exposeString("title"),
    instructions: t.exposeString("instructions", { nullable: true }),
    status: t.expose("status", { type: StepStatus }),
    executionReport: t.expose("stepExecutionReport", { type: StepExecutionReportType, nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    completedAt: t.expose("completedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    plan: t.relation("plan"),
    branchingConditions: t.relatedConnection(
      "branchingConditions",
      {
        description: "Where to go after this step, in priority order.",
        args: conditionArgs.args,
        query: (args) => conditionArgs.query(args),
        totalCount: true,
      },
      PlanBranchingConditionConnection,
    ),
    incomingConditions: t.relatedConnection(
      "incomingConditions",
      {
        description: "Conditions of other steps that lead here.",
        args: conditionArgs.args,
        query: (args) => conditionArgs.query(args),
        totalCount: true,
      },
      PlanBranchingConditionConnection,
    ),
    artifacts: t.relatedConnection(
      "artifacts",
      {
        args: artifactArgs.args,
        query: (args) => artifactArgs.query(args, { createdAt: "asc" }),
        totalCount: true,
      },
      ResearchArtifactConnection,
    ),
    skillExecutions: t.relatedConnection(
      "skillExecutions",
      {
        args: executionArgs.args,
        query: (args) => executionArgs.query(args),
        totalCount: true,
      },
      SkillExecutionConnection,
    ),
  }),
});

export const PlanBranchingCondition = builder.drizzleNode("planBranchingCondition", {
  name: "PlanBranchingCondition",
  description: "After `step`, continue at `targetStep` when `rule` holds.",
  select: {},
  id: { column: (condition) => condition.id },
  fields: (t) => ({
    label: t.exposeString("label", { nullable: true }),
    rule: t.expose("rule", { type: BranchingRuleType }),
    priority: t.exposeInt("priority"),
    step: t.relation("step"),
    targetStep: t.relation("targetStep"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const PlanAuditEntry = builder.drizzleNode("planAuditLog", {
  name: "PlanAuditEntry",
  description: "One change to a plan or its steps: who, what, and the before/after of the fields it touched.",
  select: {},
  id: { column: (entry) => entry.id },
  fields: (t) => ({
    action: t.expose("action", { type: AuditAction }),
    diff: t.expose("diff", { type: "JSON" }),
    actor: t.relation("actor", { nullable: true }),
    plan: t.relation("plan", { nullable: true, description: "Null once the plan was deleted." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const ResearchArtifact = builder.drizzleNode("researchArtifact", {
  name: "ResearchArtifact",
  description: "A source a plan collected: a document, page, dataset or note.",
  select: {},
  id: { column: (artifact) => artifact.id },
  fields: (t) => ({
    kind: t.expose("kind", { type: ArtifactKind }),
    title: t.exposeString("title"),
    sourceUri: t.exposeString("sourceUri", { nullable: true }),
    mimeType: t.exposeString("mimeType", { nullable: true }),
    content: t.exposeString("content", { nullable: true }),
    byteSize: t.exposeInt("byteSize", { nullable: true }),
    metadata: t.expose("metadata", { type: ArtifactMetadataType }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    plan: t.relation("plan"),
    step: t.relation("step", { nullable: true }),
    extractionResults: t.relatedConnection(
      "extractionResults",
      {
        args: extractionArgs.args,
        query: (args) => extractionArgs.query(args),
        totalCount: true,
      },
      ExtractionResultConnection,
    ),
  }),
});

export const ExtractionResult = builder.drizzleNode("extractionResult", {
  name: "ExtractionResult",
  description: "Structured values extracted from an artifact.",
  select: {},
  id: { column: (result) => result.id },
  fields: (t) => ({
    extractionSchema: t.expose("extractionSchema", { type: ExtractionSchemaType }),
    values: t.expose("values", { type: "JSON" }),
    confidence: t.exposeFloat("confidence", { nullable: true }),
    artifact: t.relation("artifact"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const SkillExecution = builder.drizzleNode("skillExecution", {
  name: "SkillExecution",
  description: "One run of an agent skill within a plan.",
  select: {},
  id: { column: (execution) => execution.id },
  fields: (t) => ({
    skillName: t.exposeString("skillName"),
    status: t.expose("status", { type: ExecutionStatus }),
    input: t.expose("input", { type: "JSON" }),
    output: t.expose("output", { type: "JSON", nullable: true }),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    plan: t.relation("plan"),
    step: t.relation("step", { nullable: true }),
    toolCalls: t.relatedConnection(
      "toolCalls",
      {
        args: toolCallArgs.args,
        query: (args) => toolCallArgs.query(args, { createdAt: "asc" }),
        totalCount: true,
      },
      McpToolCallConnection,
    ),
  }),
});

export const McpToolCall = builder.drizzleNode("mcpToolCallLog", {
  name: "McpToolCall",
  description: "One MCP tool call a skill execution made.",
  select: {},
  id: { column: (call) => call.id },
  fields: (t) => ({
    serverName: t.exposeString("serverName"),
    toolName: t.exposeString("toolName"),
    status: t.expose("status", { type: ToolCallStatus }),
    durationMs: t.exposeInt("durationMs", { nullable: true }),
    metadata: t.expose("metadata", { type: ToolCallMetadataType }),
    skillExecution: t.relation("skillExecution"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const ResearchOutput = builder.drizzleNode("researchOutput", {
  name: "ResearchOutput",
  description: "A published result of a plan.",
  select: {},
  id: { column: (output) => output.id },
  fields: (t) => ({
    title: t.exposeString("title"),
    format: t.expose("format", { type: OutputFormat }),
    content: t.exposeString("content"),
    resultSummary: t.expose("resultSummary", { type: ResultSummaryType }),
    publishedAt: t.expose("publishedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    plan: t.relation("plan"),
    feedback: t.relatedConnection(
      "feedback",
      {
        args: feedbackArgs.args,
        query: (args) => feedbackArgs.query(args),
        totalCount: true,
      },
      ResearchFeedbackConnection,
    ),
  }),
});

export const ResearchFeedback = builder.drizzleNode("researchFeedback", {
  name: "ResearchFeedback",
  description: "A member's rating (1–5) and comment on an output.",
  select: {},
  id: { column: (feedback) => feedback.id },
  fields: (t) => ({
    rating: t.exposeInt("rating"),
    comment: t.exposeString("comment", { nullable: true }),
    author: t.relation("author"),
    output: t.relation("output"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

// One connection type per node type, shared by every field that pages it (root fields included).
export const ResearchPlanConnection = nodeConnection(ResearchPlan, "ResearchPlan");
export const PlanStepConnection = nodeConnection(PlanStep, "PlanStep");
export const PlanBranchingConditionConnection = nodeConnection(PlanBranchingCondition, "PlanBranchingCondition");
export const PlanAuditEntryConnection = nodeConnection(PlanAuditEntry, "PlanAuditEntry");
export const ResearchArtifactConnection = nodeConnection(ResearchArtifact, "ResearchArtifact");
export const ExtractionResultConnection = nodeConnection(ExtractionResult, "ExtractionResult");
export const SkillExecutionConnection = nodeConnection(SkillExecution, "SkillExecution");
export const McpToolCallConnection = nodeConnection(McpToolCall, "McpToolCall");
export const ResearchOutputConnection = nodeConnection(ResearchOutput, "ResearchOutput");
export const ResearchFeedbackConnection = nodeConnection(ResearchFeedback, "ResearchFeedback");
