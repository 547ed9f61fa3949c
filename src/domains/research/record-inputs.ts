import { z } from "zod";
import {
  artifactKindEnum,
  type ExtractionFieldType,
  executionStatusEnum,
  extractionFieldTypes,
  mcpTransports,
  outputFormatEnum,
} from "../../../schema/index.js";
import { builder } from "../../schema-builder/builder.js";
import { enumFromList } from "../../schema-builder/enums.js";
import { optional, optionalText, text } from "../../schema-builder/validation.js";
import { ArtifactKind, ExecutionStatus, OutputFormat, ToolCallStatus } from "./enums.js";
import { PlanStep, ResearchArtifact, ResearchOutput, ResearchPlan, SkillExecution } from "./types.js";

// The inputs of the recording mutations (record-mutations.ts): each GraphQL input type beside the zod schema
// that checks it before any write. Typed JSONB is validated against its TypeScript shape (schema/research.ts),
// with bounded sizes.

const maxJsonBytes = 64_000;
const maxContentLength = 1_000_000;
/** Timestamps from agents may run a little ahead of ours; more than this is a mistake. */
const clockSkewMs = 5 * 60_000;

function jsonDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(jsonDepth));
  if (typeof value === "object" && value !== null) return 1 + Math.max(0, ...Object.values(value).map(jsonDepth));
  return 0;
}

/** A free-form JSON object of bounded size and nesting (skill inputs and outputs, tool arguments). */
function boundedJsonObject(maxBytes: number, maxDepth = 20) {
  return z
    .record(z.string(), z.unknown(), { error: "must be a JSON object" })
    .refine((value) => Buffer.byteLength(JSON.stringify(value), "utf8") <= maxBytes, {
      message: `must be at most ${maxBytes} bytes of JSON`,
    })
    .refine((value) => jsonDepth(value) <= maxDepth, { message: `must nest at most ${maxDepth} levels deep` });
}

/** An instant that is not in the future (allowing for clock skew). */
const pastInstant = z
  .date()
  .refine((date) => date.getTime() <= Date.now() + clockSkewMs, { message: "must not be in the future" });

// ---- Skill executions and MCP tool calls ---------------------------------------------------------------------

export const RecordSkillExecutionInput = builder.inputType("RecordSkillExecutionInput", {
  fields: (t) => ({
    planId: t.globalID({ for: ResearchPlan, required: true }),
    stepId: t.globalID({ for: PlanStep, required: false, description: "A step of the same plan." }),
    skillName: t.string({ required: true, description: "1–200 characters." }),
    status: t.field({ type: ExecutionStatus, required: false, description: "Default RUNNING." }),
    input: t.field({ type: "JSON", required: false, description: "A JSON object, at most 64 kB. Default {}." }),
    output: t.field({ type: "JSON", required: false, description: "A JSON object, at most 64 kB." }),
    errorMessage: t.string({ required: false, description: "Only for FAILED; up to 10,000 characters." }),
    startedAt: t.field({ type: "DateTime", required: false, description: "Default now; not in the future." }),
    finishedAt: t.field({
      type: "DateTime",
      required: false,
      description: "Not before startedAt; none while RUNNING; defaults to now for SUCCEEDED and FAILED.",
    }),
  }),
});
export const skillExecutionSchema = z
  .object({
    skillName: text(200),
    status: z.enum(executionStatusEnum.enumValues).nullish(),
    input: boundedJsonObject(maxJsonBytes).nullish(),
    output: boundedJsonObject(maxJsonBytes).nullish(),
    errorMessage: optionalText(10_000),
    startedAt: pastInstant.nullish(),
    finishedAt: pastInstant.nullish(),
  })
  .superRefine((input, ctx) => {
    const status = input.status ?? "running";
    if (status === "running" && input.finishedAt) {
      ctx.addIssue({ code: "custom", path: ["finishedAt"], message: "a RUNNING execution has not finished" });
    }
    if (input.errorMessage && status !== "failed") {
      ctx.addIssue({ code: "custom", path: ["errorMessage"], message: "only a FAILED execution has an error" });
    }
    if (input.startedAt && input.finishedAt && input.finishedAt < input.startedAt) {
      ctx.addIssue({ code: "custom", path: ["finishedAt"], message: "must not be before startedAt" });
    }
  });

const McpTransport = enumFromList("McpTransport", mcpTransports, "How the MCP server was reached.");

const ToolCallMetadataInput = builder.inputType("ToolCallMetadataInput", {
  fields: (t) => ({
    arguments: t.field({ type: "JSON", required: true, description: "A JSON object, at most 64 kB." }),
    resultPreview: t.string({ required: false, description: "Up to 2,000 characters." }),
    errorMessage: t.string({ required: false, description: "Up to 2,000 characters." }),
    transport: t.field({ type: McpTransport, required: false }),
  }),
});

export const RecordMcpToolCallInput = builder.inputType("RecordMcpToolCallInput", {
  fields: (t) => ({
    skillExecutionId: t.globalID({ for: SkillExecution, required: true }),
    serverName: t.string({ required: true, description: "1–200 characters." }),
    toolName: t.string({ required: true, description: "1–200 characters." }),
    status: t.field({ type: ToolCallStatus, required: true }),
    durationMs: t.int({ required: false, description: "0 to 86,400,000." }),
    metadata: t.field({ type: ToolCallMetadataInput, required: true }),
  }),
});
export const toolCallSchema = z.object({
  serverName: text(200),
  toolName: text(200),
  durationMs: z.number().int().min(0).max(86_400_000).nullish(),
  metadata: z.object({
    arguments: boundedJsonObject(maxJsonBytes),
    resultPreview: optional(text(2_000)),
    errorMessage: optional(text(2_000)),
    transport: optional(z.enum(mcpTransports)),
  }),
});

// ---- Artifacts and extraction results -----------------------------------------------------------------------

const ArtifactMetadataInput = builder.inputType("ArtifactMetadataInput", {
  fields: (t) => ({
    author: t.string({ required: false, description: "Up to 200 characters." }),
    publishedAt: t.field({ type: "DateTime", required: false }),
    language: t.string({ required: false, description: "A BCP 47 tag, like en or pt-BR." }),
    tags: t.stringList({ required: false, description: "Up to 50 distinct tags of up to 100 characters." }),
  }),
});

export const AddResearchArtifactInput = builder.inputType("AddResearchArtifactInput", {
  fields: (t) => ({
    planId: t.globalID({ for: ResearchPlan, required: true }),
    stepId: t.globalID({ for: PlanStep, required: false, description: "A step of the same plan." }),
    kind: t.field({ type: ArtifactKind, required: true }),
    title: t.string({ required: true, description: "1–500 characters." }),
    sourceUri: t.string({ required: false, description: "An http(s) URL, up to 2,048 characters." }),
    mimeType: t.string({ required: false, description: "Like text/html or application/pdf." }),
    content: t.string({ required: false, description: "The extracted text, up to 1,000,000 characters." }),
    byteSize: t.int({ required: false, description: "The source's size; defaults to the content's UTF-8 size." }),
    metadata: t.field({ type: ArtifactMetadataInput, required: false }),
  }),
});
export const artifactSchema = z.object({
  kind: z.enum(artifactKindEnum.enumValues),
  title: text(500),
  sourceUri: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .max(2_048, "must be at most 2048 characters")
    .nullish(),
  mimeType: z
    .string()
    .trim()
    .max(255, "must be at most 255 characters")
    .regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+"-]+)*$/, "must be a media type, like text/html")
    .nullish(),
  content: optionalText(maxContentLength),
  byteSize: z.number().int().min(0).nullish(),
  metadata: z
    .object({
      author: optional(text(200)),
      publishedAt: z
        .date()
        .nullish()
        .transform((date) => date?.toISOString()),
      language: optional(
        z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, "must be a language tag, like en or pt-BR"),
      ),
      tags: optional(
        z
          .array(text(100))
          .max(50, "must have at most 50 tags")
          .refine((tags) => new Set(tags).size === tags.length, { message: "must not repeat a tag" }),
      ),
    })
    .nullish(),
});

const ExtractionFieldKind = enumFromList(
  "ExtractionFieldType",
  extractionFieldTypes,
  "The type of an extracted value.",
);

const ExtractionFieldInput = builder.inputType("ExtractionFieldInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "An identifier: letters, digits, _; up to 64 characters." }),
    type: t.field({ type: ExtractionFieldKind, required: true }),
    description: t.string({ required: false, description: "Up to 1,000 characters." }),
  }),
});

const ExtractionSchemaInput = builder.inputType("ExtractionSchemaInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1–200 characters." }),
    fields: t.field({ type: [ExtractionFieldInput], required: true, description: "1 to 100 distinct fields." }),
  }),
});

export const AddExtractionResultInput = builder.inputType("AddExtractionResultInput", {
  fields: (t) => ({
    artifactId: t.globalID({ for: ResearchArtifact, required: true }),
    extractionSchema: t.field({ type: ExtractionSchemaInput, required: true }),
    values: t.field({
      type: "JSON",
      required: true,
      description:
        "A JSON object keyed by the schema's field names: STRING, NUMBER (finite), BOOLEAN, DATE (ISO 8601) or LIST (of strings) values, or null.",
    }),
    confidence: t.float({ required: false, description: "0 to 1." }),
  }),
});

function valueMatches(type: ExtractionFieldType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string" && value.length <= 10_000;
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "date":
      return (
        typeof value === "string" &&
        /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) &&
        !Number.isNaN(Date.parse(value))
      );
    case "list":
      return (
        Array.isArray(value) &&
        value.length <= 1_000 &&
        value.every((item) => typeof item === "string" && item.length <= 1_000)
      );
  }
}

const typeDescriptions: Record<ExtractionFieldType, string> = {
  string: "a string of at most 10,000 characters",
  number: "a finite number",
  boolean: "true or false",
  date: "an ISO 8601 date, like 2026-01-31",
  list: "a list of at most 1,000 strings",
};

/** Checks the values against the extraction schema given with them (valueMatches), so they are ExtractedValues. */
export const extractionSchema = z
  .object({
    extractionSchema: z.object({
      name: text(200),
      fields: z
        .array(
          z.object({
            name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be an identifier of up to 64 characters"),
            type: z.enum(extractionFieldTypes),
            description: optional(text(1_000)),
          }),
        )
        .min(1, "must have at least one field")
        .max(100, "must have at most 100 fields")
        .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, {
          message: "must not repeat a field name",
        }),
    }),
    values: boundedJsonObject(maxJsonBytes, 3),
    confidence: z.number().min(0).max(1).nullish(),
  })
  .superRefine((input, ctx) => {
    const types = new Map(input.extractionSchema.fields.map((field) => [field.name, field.type]));
    for (const [key, value] of Object.entries(input.values)) {
      const type = types.get(key);
      if (!type) {
        ctx.addIssue({ code: "custom", path: ["values", key], message: "is not a field of the extraction schema" });
      } else if (value !== null && !valueMatches(type, value)) {
        ctx.addIssue({ code: "custom", path: ["values", key], message: `must be ${typeDescriptions[type]} or null` });
      }
    }
  });

// ---- Outputs and feedback ------------------------------------------------------------------------------------

const ResultSummaryInput = builder.inputType("ResultSummaryInput", {
  fields: (t) => ({
    headline: t.string({ required: true, description: "1–500 characters." }),
    keyFindings: t.stringList({ required: true, description: "Up to 50, each 1–2,000 characters." }),
    confidence: t.float({ required: false, description: "0 to 1." }),
    sourceArtifactIds: t.globalIDList({
      for: ResearchArtifact,
      required: false,
      description: "Up to 100 artifacts of the same plan.",
    }),
  }),
});

export const PublishResearchOutputInput = builder.inputType("PublishResearchOutputInput", {
  fields: (t) => ({
    planId: t.globalID({ for: ResearchPlan, required: true }),
    title: t.string({ required: true, description: "1–500 characters." }),
    format: t.field({ type: OutputFormat, required: false, description: "Default MARKDOWN." }),
    content: t.string({
      required: true,
      description: "Up to 1,000,000 characters; with JSON, a JSON document.",
    }),
    resultSummary: t.field({ type: ResultSummaryInput, required: true }),
  }),
});
export const outputSchema = z
  .object({
    title: text(500),
    format: z.enum(outputFormatEnum.enumValues).nullish(),
    content: text(maxContentLength),
    resultSummary: z.object({
      headline: text(500),
      keyFindings: z.array(text(2_000)).max(50, "must have at most 50 findings"),
      confidence: optional(z.number().min(0).max(1)),
      sourceArtifactIds: z
        .array(z.object({ id: z.string() }))
        .max(100, "must have at most 100 artifacts")
        .nullish(),
    }),
  })
  .superRefine((input, ctx) => {
    if (input.format !== "json") return;
    try {
      JSON.parse(input.content);
    } catch {
      ctx.addIssue({ code: "custom", path: ["content"], message: "must be a JSON document when format is JSON" });
    }
  });

export const AddResearchFeedbackInput = builder.inputType("AddResearchFeedbackInput", {
  fields: (t) => ({
    outputId: t.globalID({ for: ResearchOutput, required: true }),
    rating: t.int({ required: true, description: "1 to 5." }),
    comment: t.string({ required: false, description: "Up to 5,000 characters." }),
  }),
});
export const feedbackSchema = z.object({
  rating: z.number().int().min(1, "must be from 1 to 5").max(5, "must be from 1 to 5"),
  comment: optionalText(5_000),
});
