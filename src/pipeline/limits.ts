import { GraphQLError } from "graphql";
import type { ErrorCode } from "../platform/errors.js";

// Operation limits: what they are, and how a refusal reads (operation-limits.ts enforces them, body-limit.ts
// the request size). Refused before execution (so before the tenant transaction opens), each with the code
// LIMIT_EXCEEDED and `extensions.limit` naming the limit. The limit values and measured sizes are added only
// when `exposeLimits` is on (development and tests); production says which limit, not where it lies.

export type LimitName = "depth" | "aliases" | "tokens" | "directives" | "cost" | "requestSize";

export interface OperationLimits {
  /** Deepest field nesting (introspection fields do not count). */
  maxDepth: number;
  maxAliases: number;
  /** Lexical tokens of the document: bounds parsing work before anything else runs. */
  maxTokens: number;
  maxDirectives: number;
  /** Estimated objects an operation may return (see operationCost). */
  maxCost: number;
}

/**
 * Defaults. Cost 10 000: about the objects one operation may materialise. The repo's heaviest operation
 * (ResearchPlanDetail: 100 steps × 20 conditions) costs about 6 300; two nested full pages (100 × 100) cost
 * 10 201 and are refused, as are three nested default pages (20 × 20 × 20 ≈ 8 400 fits, 20 × 20 × 30 does not).
 */
export const defaultOperationLimits: OperationLimits = {
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 2000,
  maxDirectives: 50,
  maxCost: 10_000,
};

/** Page size assumed for a connection requested without `first`/`last` (the relay plugin's default). */
export const defaultPageSize = 20;

const descriptions: Record<LimitName, string> = {
  depth: "The operation is nested too deeply",
  aliases: "The operation uses too many aliases",
  tokens: "The operation document is too large",
  directives: "The operation uses too many directives",
  cost: "The operation asks for too much data at once",
  requestSize: "The request body is too large",
};

export function limitError(
  limit: LimitName,
  exposeLimits: boolean,
  measured?: { max: number; actual?: number },
): GraphQLError {
  const detail =
    exposeLimits && measured
      ? ` (limit ${measured.max}${measured.actual === undefined ? "" : `, found ${measured.actual}`})`
      : "";
  return new GraphQLError(`${descriptions[limit]}${detail}: ask for less.`, {
    extensions: {
      code: "LIMIT_EXCEEDED" satisfies ErrorCode,
      limit,
      ...(exposeLimits && measured ? measured : {}),
      http: { status: limit === "requestSize" ? 413 : 400 },
    },
  });
}
