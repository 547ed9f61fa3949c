import type { ExtractedValues } from "../../../schema/index.js";
import { actorId } from "../../schema-builder/actor.js";
import { tenantAgent, tenantWrite } from "../../schema-builder/auth-scopes.js";
import { builder } from "../../schema-builder/builder.js";
import { rowPayload } from "../../schema-builder/row-payload.js";
import { parseInput } from "../../schema-builder/validation.js";
import {
  AddExtractionResultInput,
  AddResearchArtifactInput,
  AddResearchFeedbackInput,
  artifactSchema,
  extractionSchema,
  feedbackSchema,
  outputSchema,
  PublishResearchOutputInput,
  RecordMcpToolCallInput,
  RecordSkillExecutionInput,
  skillExecutionSchema,
  toolCallSchema,
} from "./record-inputs.js";
import {
  addExtractionResult,
  addResearchArtifact,
  addResearchFeedback,
  artifactNotFound,
  executionNotFound,
  extractionResultNotFound,
  feedbackNotFound,
  outputNotFound,
  publishResearchOutput,
  recordMcpToolCall,
  recordSkillExecution,
  toolCallNotFound,
} from "./record-service.js";

// What agents record about their runs (personal access tokens with the `agent` scope): skill executions,
// MCP tool calls, artifacts, extraction results, published outputs; and members' feedback on outputs.
// Each resolver parses its input (record-inputs.ts), calls the record service (record-service.ts: lookups,
// locks, the insert) and answers with the written row, re-read with the client's selection.

const SkillExecutionPayload = rowPayload(
  "RecordSkillExecutionPayload",
  "skillExecution",
  "skillExecution",
  executionNotFound,
);
const McpToolCallPayload = rowPayload("RecordMcpToolCallPayload", "toolCall", "mcpToolCallLog", toolCallNotFound);
const ArtifactPayload = rowPayload("AddResearchArtifactPayload", "artifact", "researchArtifact", artifactNotFound);
const ExtractionResultPayload = rowPayload(
  "AddExtractionResultPayload",
  "extractionResult",
  "extractionResult",
  extractionResultNotFound,
);
const OutputPayload = rowPayload("PublishResearchOutputPayload", "output", "researchOutput", outputNotFound);
const FeedbackPayload = rowPayload("AddResearchFeedbackPayload", "feedback", "researchFeedback", feedbackNotFound);

builder.mutationFields((t) => ({
  recordSkillExecution: t.field({
    type: SkillExecutionPayload,
    description: "Records a run of an agent skill within a plan (and, optionally, one of its steps).",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: RecordSkillExecutionInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(skillExecutionSchema, args.input);
      const id = await recordSkillExecution(ctx.tx, {
        ...input,
        planId: args.input.planId.id,
        stepId: args.input.stepId?.id,
      });
      return { id };
    },
  }),

  recordMcpToolCall: t.field({
    type: McpToolCallPayload,
    description: "Records an MCP tool call a skill execution made.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: RecordMcpToolCallInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(toolCallSchema, args.input);
      const id = await recordMcpToolCall(ctx.tx, {
        ...input,
        skillExecutionId: args.input.skillExecutionId.id,
        status: args.input.status,
      });
      return { id };
    },
  }),

  addResearchArtifact: t.field({
    type: ArtifactPayload,
    description: "Adds a source a plan collected: a document, web page, dataset, note or file.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: AddResearchArtifactInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(artifactSchema, args.input);
      const id = await addResearchArtifact(ctx.tx, {
        ...input,
        planId: args.input.planId.id,
        stepId: args.input.stepId?.id,
      });
      return { id };
    },
  }),

  addExtractionResult: t.field({
    type: ExtractionResultPayload,
    description: "Adds structured values extracted from an artifact, checked against the extraction schema.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: AddExtractionResultInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(extractionSchema, args.input);
      const id = await addExtractionResult(ctx.tx, {
        ...input,
        artifactId: args.input.artifactId.id,
        values: input.values as ExtractedValues, // each value checked against its field's type by the schema
      });
      return { id };
    },
  }),

  publishResearchOutput: t.field({
    type: OutputPayload,
    description: "Publishes a result of a plan, with its headline and key findings.",
    authScopes: tenantAgent,
    args: { input: t.arg({ type: PublishResearchOutputInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(outputSchema, args.input);
      const { sourceArtifactIds, ...summary } = input.resultSummary;
      const id = await publishResearchOutput(ctx.tx, {
        ...input,
        planId: args.input.planId.id,
        resultSummary: { ...summary, sourceArtifactIds: sourceArtifactIds?.map((ref) => ref.id) },
      });
      return { id };
    },
  }),

  addResearchFeedback: t.field({
    type: FeedbackPayload,
    description: "Rates an output (1–5) with an optional comment, as the caller.",
    authScopes: tenantWrite,
    args: { input: t.arg({ type: AddResearchFeedbackInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const authorId = actorId(ctx);
      const input = parseInput(feedbackSchema, args.input);
      const id = await addResearchFeedback(ctx.tx, { ...input, authorId, outputId: args.input.outputId.id });
      return { id };
    },
  }),
}));
