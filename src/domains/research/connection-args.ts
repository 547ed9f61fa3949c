import {
  extractionResult,
  mcpToolCallLog,
  planAuditLog,
  planBranchingCondition,
  planStep,
  researchArtifact,
  researchFeedback,
  researchOutput,
  researchPlan,
  skillExecution,
} from "../../../schema/index.js";
import { tableConnectionArgs } from "../../schema-builder/connection-args.js";
import "./enums.js";

// The `filter` and `orderBy` arguments of the research tables' connections, root and related. Each column
// listed is served by an index that leads with organization_id (schema/research.ts), or, under a parent, by
// the (organization_id, parent) index that bounds the rows to one parent's: docs/filtering.md.

export const planArgs = tableConnectionArgs({
  name: "ResearchPlan",
  table: researchPlan,
  filter: ["status", "title", "authorId", "createdAt", "updatedAt"],
  order: { createdAt: "desc", updatedAt: "desc", title: "asc" },
  defaultOrder: "createdAt",
});

export const stepArgs = tableConnectionArgs({
  name: "PlanStep",
  table: planStep,
  filter: ["status", "position", "createdAt"],
  order: { position: "asc", createdAt: "desc" },
  defaultOrder: "position",
});

export const conditionArgs = tableConnectionArgs({
  name: "PlanBranchingCondition",
  table: planBranchingCondition,
  filter: ["priority", "targetStepId"],
  order: { priority: "asc", createdAt: "desc" },
  defaultOrder: "priority",
});

export const auditArgs = tableConnectionArgs({
  name: "PlanAuditEntry",
  table: planAuditLog,
  filter: ["action", "actorId", "createdAt"],
  order: { createdAt: "desc" },
  defaultOrder: "createdAt",
});

export const artifactArgs = tableConnectionArgs({
  name: "ResearchArtifact",
  table: researchArtifact,
  filter: ["planId", "stepId", "createdAt"],
  order: { createdAt: "desc" },
  defaultOrder: "createdAt",
});

export const executionArgs = tableConnectionArgs({
  name: "SkillExecution",
  table: skillExecution,
  filter: ["planId", "stepId", "status", "startedAt"],
  order: { startedAt: "desc" },
  defaultOrder: "startedAt",
});

export const toolCallArgs = tableConnectionArgs({
  name: "McpToolCall",
  table: mcpToolCallLog,
  filter: ["skillExecutionId", "toolName", "createdAt"],
  order: { createdAt: "desc" },
  defaultOrder: "createdAt",
});

export const outputArgs = tableConnectionArgs({
  name: "ResearchOutput",
  table: researchOutput,
  filter: ["planId", "createdAt"],
  order: { createdAt: "desc" },
  defaultOrder: "createdAt",
});

export const feedbackArgs = tableConnectionArgs({
  name: "ResearchFeedback",
  table: researchFeedback,
  filter: ["outputId", "authorId", "createdAt"],
  order: { createdAt: "desc" },
  defaultOrder: "createdAt",
});

export const extractionArgs = tableConnectionArgs({
  name: "ExtractionResult",
  table: extractionResult,
  filter: ["confidence", "createdAt"],
  order: { createdAt: "asc", confidence: "desc" },
  defaultOrder: "createdAt",
});
