import { encodeGlobalID } from "@pothos/plugin-relay";
import type {
  ArtifactMetadata,
  BranchingRule,
  ExtractionSchema,
  ResultSummary,
  StepExecutionReport,
  ToolCallMetadata,
} from "../../../schema/index.js";
import { builder } from "../../schema-builder/builder.js";

// GraphQL shapes of the typed JSONB columns, so frontends get typed fields instead of opaque JSON.

export const StepExecutionReportType = builder.objectRef<StepExecutionReport>("StepExecutionReport").implement({
  description: "What the agent that ran a step reported.",
  fields: (t) => ({
    summary: t.exposeString("summary"),
    durationMs: t.exposeInt("durationMs", { nullable: true }),
    tokensUsed: t.exposeInt("tokensUsed", { nullable: true }),
    warnings: t.exposeStringList("warnings", { nullable: true }),
  }),
});

export const BranchingRuleType = builder.objectRef<BranchingRule>("BranchingRule").implement({
  description: "When a branching condition holds: always, on a step status, or by an expression.",
  fields: (t) => ({
    kind: t.exposeString("kind"),
    equals: t.string({ nullable: true, resolve: (rule) => (rule.kind === "status" ? rule.equals : null) }),
    expression: t.string({ nullable: true, resolve: (rule) => (rule.kind === "expression" ? rule.expression : null) }),
  }),
});

export const ArtifactMetadataType = builder.objectRef<ArtifactMetadata>("ArtifactMetadata").implement({
  fields: (t) => ({
    author: t.exposeString("author", { nullable: true }),
    publishedAt: t.exposeString("publishedAt", { nullable: true }),
    language: t.exposeString("language", { nullable: true }),
    tags: t.exposeStringList("tags", { nullable: true }),
  }),
});

const ExtractionFieldType = builder.objectRef<ExtractionSchema["fields"][number]>("ExtractionField").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    type: t.exposeString("type"),
    description: t.exposeString("description", { nullable: true }),
  }),
});

export const ExtractionSchemaType = builder.objectRef<ExtractionSchema>("ExtractionSchema").implement({
  description: "What an extraction looked for.",
  fields: (t) => ({
    name: t.exposeString("name"),
    fields: t.field({ type: [ExtractionFieldType], resolve: (schema) => schema.fields }),
  }),
});

export const ToolCallMetadataType = builder.objectRef<ToolCallMetadata>("ToolCallMetadata").implement({
  fields: (t) => ({
    arguments: t.field({ type: "JSON", resolve: (metadata) => metadata.arguments }),
    resultPreview: t.exposeString("resultPreview", { nullable: true }),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    transport: t.exposeString("transport", { nullable: true }),
  }),
});

export const ResultSummaryType = builder.objectRef<ResultSummary>("ResultSummary").implement({
  description: "The headline and key findings of an output.",
  fields: (t) => ({
    headline: t.exposeString("headline"),
    keyFindings: t.exposeStringList("keyFindings"),
    confidence: t.exposeFloat("confidence", { nullable: true }),
    sourceArtifactIds: t.idList({
      nullable: true,
      description: "Global IDs of the artifacts the summary draws on.",
      resolve: (summary) => summary.sourceArtifactIds?.map((id) => encodeGlobalID("ResearchArtifact", id)) ?? null,
    }),
  }),
});
