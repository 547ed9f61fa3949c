import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import type { ErrorCode } from "../platform/errors.js";

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" satisfies ErrorCode } });
}

function parseDate(value: unknown): Date {
  if (typeof value !== "string") throw badInput("DateTime must be an ISO-8601 string, like 2026-01-31T12:00:00Z.");
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw badInput(`"${value}" is not an ISO-8601 date-time, like 2026-01-31T12:00:00Z.`);
  }
  // PostgreSQL refuses the year 0 and years past 9999 in the ISO form a Date is sent in (an offset can
  // move 0001-01-01 or 9999-12-31 across either edge in UTC).
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw badInput("DateTime must be in the years 1 to 9999 (UTC).");
  return date;
}

/** An instant, as an ISO-8601 string in UTC with milliseconds. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An instant in time, as an ISO-8601 string in UTC (2026-01-31T12:00:00.000Z).",
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError("DateTime cannot represent an invalid date");
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function literalToJSON(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalToJSON);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJSON(field.value)]));
    case Kind.VARIABLE:
      throw badInput("JSON literals cannot contain variables.");
  }
}

/** Nesting deeper than this is refused: PostgreSQL parses jsonb recursively and fails on very deep input. */
export const maxJsonDepth = 64;

/** With the `u` flag a surrogate pair reads as one code point, so only a lone half matches. */
const loneSurrogate = /\p{Cs}/u;

/** Why PostgreSQL's jsonb would refuse `text` as a string or key: NUL, or a lone UTF-16 surrogate. */
function jsonbStringProblem(text: string): string | undefined {
  if (text.includes("\u0000")) return "must not contain the NUL character (\\u0000)";
  if (loneSurrogate.test(text)) return "must not contain a lone surrogate (half of a UTF-16 pair)";
  return undefined;
}

/**
 * Refuses a JSON input PostgreSQL's jsonb cannot store, before anything runs: NUL or a lone surrogate in a
 * string or a key, a number that is not finite (a literal like 1e999), or nesting deeper than maxJsonDepth.
 * Each went to the database and came back as an internal error. The message names no key: a key may be
 * anything, a megabyte long included.
 */
function assertStorableInJsonb(value: unknown, depth: number): void {
  if (typeof value === "string") {
    const problem = jsonbStringProblem(value);
    if (problem) throw badInput(`JSON: a string ${problem}.`);
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw badInput("JSON: numbers must be finite.");
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (depth >= maxJsonDepth) throw badInput(`JSON: nested deeper than ${maxJsonDepth} levels.`);
  if (Array.isArray(value)) {
    for (const item of value) assertStorableInJsonb(item, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const problem = jsonbStringProblem(key);
    if (problem) throw badInput(`JSON: a key ${problem}.`);
    assertStorableInJsonb(item, depth + 1);
  }
}

function parseJson(value: unknown): unknown {
  assertStorableInJsonb(value, 0);
  return value;
}

/** Free-form JSON, for data whose shape varies by context (audit diffs, skill inputs and outputs). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: "JSON",
  description: `Any JSON value PostgreSQL's jsonb can store: no NUL character or lone surrogate in strings or keys, finite numbers, at most ${maxJsonDepth} levels deep.`,
  serialize: (value) => value,
  parseValue: parseJson,
  parseLiteral: (ast) => parseJson(literalToJSON(ast)),
});
