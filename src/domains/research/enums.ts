import {
  artifactKindEnum,
  auditActionEnum,
  executionStatusEnum,
  outputFormatEnum,
  planStatusEnum,
  stepStatusEnum,
  toolCallStatusEnum,
} from "../../../schema/index.js";
import { enumFromPg } from "../../schema-builder/enums.js";

export const PlanStatus = enumFromPg("PlanStatus", planStatusEnum, "Where a research plan is in its life.");
export const StepStatus = enumFromPg("StepStatus", stepStatusEnum, "Where a plan step is in its run.");
export const AuditAction = enumFromPg("AuditAction", auditActionEnum, "What a change to a plan did.");
export const ArtifactKind = enumFromPg("ArtifactKind", artifactKindEnum, "What kind of source an artifact is.");
export const ExecutionStatus = enumFromPg("ExecutionStatus", executionStatusEnum, "How a skill execution went.");
export const ToolCallStatus = enumFromPg("ToolCallStatus", toolCallStatusEnum, "How an MCP tool call went.");
export const OutputFormat = enumFromPg("OutputFormat", outputFormatEnum, "How an output's content is written.");
