import { type AnyTableFilter, type Column, sql } from "drizzle-orm";
import { GatewayError } from "../platform/errors.js";
import { builder } from "./builder.js";
import { databaseIdOf } from "./database-ids.js";
import { graphqlEnumOfPg } from "./enums.js";

// The `filter` argument of a connection, generated from a Drizzle table: per column an operator input chosen by
// the column's type, and `and`/`or`/`not` over the whole filter. A filter becomes a Drizzle relational-query
// `where` object (no SQL written per field), so it is planned like any other relational query, and RLS
// applies to it as to the rest of the statement. Which columns a table offers is listed where its
// connection is made (src/domains/*): only columns an index serves (docs/filtering.md).

/** How large a filter may be: its nesting of and/or/not, its conditions, its lists and its texts. */
export const filterLimits = {
  /**
   * and/or/not inside one another: `{ and: [{ or: [{…}] }] }` is depth 2. The generated input types allow no
   * more (they are not recursive: see connection-args.ts); checked here all the same.
   */
  maxDepth: 2,
  /** Column operators and and/or/not nodes in the whole filter. */
  maxConditions: 32,
  /** Items of one `in` or `notIn` list, and filters of one `and` or `or` list. */
  maxListItems: 100,
  /** Characters of one text value. */
  maxTextLength: 500,
} as const;

type Operator = "eq" | "ne" | "in" | "notIn" | "gt" | "gte" | "lt" | "lte" | "startsWith" | "contains" | "isNull";

/** What a column holds, as far as filtering goes. */
export type FilterKind = "id" | "text" | "int" | "float" | "dateTime" | "boolean" | "enum";

const operatorsOf: Record<FilterKind, readonly Operator[]> = {
  id: ["eq", "ne", "in", "notIn", "isNull"],
  text: ["eq", "ne", "in", "notIn", "startsWith", "contains", "isNull"],
  int: ["eq", "ne", "in", "notIn", "gt", "gte", "lt", "lte", "isNull"],
  float: ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"],
  dateTime: ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"],
  boolean: ["eq", "isNull"],
  enum: ["eq", "ne", "in", "notIn", "isNull"],
};

const operatorDescriptions: Record<Operator, string> = {
  eq: "Equal to.",
  ne: "Not equal to (rows where the column is null do not match).",
  in: "Any of these (at most 100).",
  notIn: "None of these (at most 100; rows where the column is null do not match).",
  gt: "Greater than.",
  gte: "Greater than or equal to.",
  lt: "Less than.",
  lte: "Less than or equal to.",
  startsWith: "Starts with this text (case-sensitive).",
  contains: "Contains this text, ignoring case (scans the organization's rows: combine it with a narrower filter).",
  isNull: "true: the column is null; false: it is not.",
};

type Scalar = "ID" | "String" | "Int" | "Float" | "DateTime" | "Boolean";
const scalarOf: Record<Exclude<FilterKind, "enum">, Scalar> = {
  id: "ID",
  text: "String",
  int: "Int",
  float: "Float",
  dateTime: "DateTime",
  boolean: "Boolean",
};
const operatorTypeNameOf: Record<Exclude<FilterKind, "enum">, string> = {
  id: "IDFilter",
  text: "StringFilter",
  int: "IntFilter",
  float: "FloatFilter",
  dateTime: "DateTimeFilter",
  boolean: "BooleanFilter",
};

const falseCondition = sql`false`;

/** One column's operators, as the client sent them. */
type OperatorInput = Partial<Record<Operator, unknown>>;
/** A filter as the client sent it: column names, and/or/not. */
export interface FilterInput {
  [column: string]: OperatorInput | FilterInput | FilterInput[] | null | undefined;
}

type EnumRef = NonNullable<ReturnType<typeof graphqlEnumOfPg>>;
type InputRef = ReturnType<typeof makeOperatorType>;

/** The operator input types, one per scalar kind or enum, shared by every table's filter. */
const operatorTypes = new Map<string, InputRef>();

function makeOperatorType(name: string, kind: FilterKind, valueType: Scalar | EnumRef) {
  return builder.inputRef<OperatorInput, false>(name).implement({
    description: "Conditions on one column; all that are given must hold.",
    fields: (t) =>
      Object.fromEntries(
        operatorsOf[kind].map((operator) => {
          const description = operatorDescriptions[operator];
          if (operator === "isNull") return [operator, t.boolean({ required: false, description })];
          if (operator === "startsWith" || operator === "contains") {
            return [operator, t.string({ required: false, description })];
          }
          if (operator === "in" || operator === "notIn") {
            return [operator, t.field({ type: [valueType], required: { list: false, items: true }, description })];
          }
          return [operator, t.field({ type: valueType, required: false, description })];
        }),
      ),
  });
}

function operatorType(name: string, kind: FilterKind, valueType: Scalar | EnumRef): InputRef {
  const existing = operatorTypes.get(name);
  if (existing) return existing;
  const ref = makeOperatorType(name, kind, valueType);
  operatorTypes.set(name, ref);
  return ref;
}

/** The filter kind of a Drizzle column: ids and foreign keys (`id`, `…Id`) are compared whole. */
export function filterKindOf(key: string, column: Column): FilterKind {
  const dataType = column.dataType as string;
  if (dataType === "string enum") return "enum";
  if (dataType === "string") return key === "id" || key.endsWith("Id") ? "id" : "text";
  if (dataType.startsWith("number int")) return "int";
  if (dataType.startsWith("number")) return "float";
  if (dataType === "object date") return "dateTime";
  if (dataType === "boolean") return "boolean";
  throw new Error(`${column.name}: a ${dataType} column cannot be filtered`);
}

export interface ColumnFilter {
  key: string;
  kind: FilterKind;
  type: InputRef;
}

/** The operator input of one column: shared per scalar, `<Enum>Filter` per enum. */
export function columnFilter(key: string, column: Column, enumOverride?: EnumRef): ColumnFilter {
  const kind = enumOverride ? "enum" : filterKindOf(key, column);
  if (kind !== "enum") return { key, kind, type: operatorType(operatorTypeNameOf[kind], kind, scalarOf[kind]) };
  const pgEnumName = (column as Column & { enum?: { enumName?: string } }).enum?.enumName;
  const enumRef = enumOverride ?? (pgEnumName ? graphqlEnumOfPg(pgEnumName) : undefined);
  if (!enumRef) throw new Error(`${column.name}: no GraphQL enum for its values (make it with enumFromPg)`);
  return { key, kind, type: operatorType(`${enumRef.name}Filter`, kind, enumRef) };
}

/**
 * `startsWith` as a range in the "C" collation, beside its LIKE: under RLS, PostgreSQL uses only leakproof
 * operators in an index condition, and LIKE is not leakproof while text comparison is, so this range is what
 * an index on (organization_id, column COLLATE "C") can search (docs/filtering.md). In "C" every text with
 * the prefix sorts from the prefix up to (not including) the prefix with its last character incremented.
 */
function prefixRange(key: string, prefix: string): AnyTableFilter | undefined {
  const characters = [...prefix];
  const last = characters.pop();
  if (last === undefined) return undefined;
  const code = last.codePointAt(0) ?? 0;
  if (code >= 0x10ffff) return undefined;
  const next = `${characters.join("")}${String.fromCodePoint(code === 0xd7ff ? 0xe000 : code + 1)}`;
  return {
    RAW: (table: unknown) => {
      const column = (table as Record<string, Column>)[key];
      return sql`${column} collate "C" >= ${prefix} and ${column} collate "C" < ${next}`;
    },
  } as AnyTableFilter;
}

/** `%`, `_` and `\` in client text are literals in LIKE, not wildcards. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function refuse(path: string, message: string, details: Record<string, unknown> = {}): never {
  throw new GatewayError("BAD_USER_INPUT", `filter.${path}: ${message}`, {
    argument: "filter",
    field: `filter.${path}`,
    ...details,
  });
}

function checkValue(path: string, value: unknown): void {
  if (typeof value !== "string") return;
  if (value.length > filterLimits.maxTextLength) {
    refuse(path, `must be at most ${filterLimits.maxTextLength} characters`, { limit: "maxTextLength" });
  }
  // PostgreSQL text cannot hold NUL: no row has it, and sending it is an error of the database.
  if (value.includes("\u0000")) refuse(path, "must not contain the NUL character");
}

/** One column's operators as a Drizzle field filter; null operators are absent. */
function columnWhere(path: string, kind: FilterKind, input: OperatorInput): Record<string, unknown> | undefined {
  const where: Record<string, unknown> = {};
  for (const [operator, value] of Object.entries(input) as [Operator, unknown][]) {
    if (value === null || value === undefined) continue;
    const at = `${path}.${operator}`;
    if (Array.isArray(value)) {
      if (value.length > filterLimits.maxListItems) {
        refuse(at, `at most ${filterLimits.maxListItems} values`, { limit: "maxListItems" });
      }
      for (const [i, item] of value.entries()) checkValue(`${at}.${i}`, item);
    } else {
      checkValue(at, value);
    }
    switch (operator) {
      case "isNull":
        where[value ? "isNull" : "isNotNull"] = true;
        break;
      case "startsWith":
        where.like = `${escapeLike(String(value))}%`;
        break;
      case "contains":
        where.ilike = `%${escapeLike(String(value))}%`;
        break;
      case "eq":
      case "ne":
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        // an ID filter takes the global ID or the databaseId of the row it names
        where[operator] = kind === "id" ? databaseIdOf(value) : value;
        break;
      case "in":
      case "notIn":
        where[operator] = kind === "id" ? (value as unknown[]).map((item) => databaseIdOf(item)) : value;
        break;
    }
  }
  return Object.keys(where).length > 0 ? where : undefined;
}

/**
 * Turns a generated filter's value into a Drizzle relational `where` object, refusing (BAD_USER_INPUT) a
 * filter past filterLimits. `columns` are the filterable columns by their GraphQL field name.
 */
export function filterToWhere(
  input: FilterInput | null | undefined,
  columns: ReadonlyMap<string, ColumnFilter>,
): AnyTableFilter | undefined {
  if (!input) return undefined;
  let conditions = 0;
  const count = (path: string) => {
    conditions += 1;
    if (conditions > filterLimits.maxConditions) {
      refuse(path, `a filter has at most ${filterLimits.maxConditions} conditions`, { limit: "maxConditions" });
    }
  };
  const walk = (node: FilterInput, path: string, depth: number): AnyTableFilter => {
    const where: Record<string, unknown> = {};
    const ranges: AnyTableFilter[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (value === null || value === undefined) continue;
      const at = path ? `${path}.${key}` : key;
      if (key === "and" || key === "or" || key === "not") {
        if (depth >= filterLimits.maxDepth) {
          refuse(at, `and/or/not nest at most ${filterLimits.maxDepth} deep`, { limit: "maxDepth" });
        }
        count(at);
        if (key === "not") {
          where.NOT = walk(value as FilterInput, at, depth + 1);
          continue;
        }
        const list = value as FilterInput[];
        if (list.length > filterLimits.maxListItems) {
          refuse(at, `at most ${filterLimits.maxListItems} filters`, { limit: "maxListItems" });
        }
        const parts = list.map((item, i) => walk(item, `${at}.${i}`, depth + 1));
        // An empty `or` matches nothing, an empty `and` everything (as in logic).
        if (key === "or" && parts.length === 0) where.RAW = falseCondition;
        else if (parts.length > 0) where[key === "and" ? "AND" : "OR"] = parts;
        continue;
      }
      const column = columns.get(key);
      if (!column) refuse(at, "is not a filterable column");
      count(at);
      const operators = value as OperatorInput;
      const condition = columnWhere(at, column.kind, operators);
      if (condition) where[key] = condition;
      const range = typeof operators.startsWith === "string" ? prefixRange(key, operators.startsWith) : undefined;
      if (range) ranges.push(range);
    }
    if (ranges.length > 0) where.AND = [...((where.AND as AnyTableFilter[] | undefined) ?? []), ...ranges];
    return where as AnyTableFilter;
  };
  const where = walk(input, "", 0);
  return Object.keys(where).length > 0 ? where : undefined;
}
