import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function parseDate(value: unknown): Date {
  if (typeof value !== "string") throw badInput("DateTime must be an ISO-8601 string, like 2026-01-31T12:00:00Z.");
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw badInput(`"${value}" is not an ISO-8601 date-time, like 2026-01-31T12:00:00Z.`);
  }
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

/** Free-form JSON, for data whose shape varies by context (audit diffs, skill inputs and outputs). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJSON,
});
