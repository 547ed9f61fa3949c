import { GraphQLError } from "graphql";
import type { ErrorCode } from "../platform/errors.js";

export type { OperationLimits } from "../platform/config/index.js";

// Operation limits: what they are, and how a refusal reads (operation-limits.ts enforces them, body-limit.ts
// the request size). Refused before execution (so before the tenant transaction opens), each with the code
// LIMIT_EXCEEDED and `extensions.limit` naming the limit. The limit values and measured sizes are added only
// when `exposeLimits` is on (development and tests); production says which limit, not where it lies.

export type LimitName = "depth" | "aliases" | "tokens" | "directives" | "cost" | "requestSize";

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
