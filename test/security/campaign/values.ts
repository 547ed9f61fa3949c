import fc from "fast-check";
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
} from "graphql";
import type { Picker } from "./picker.js";

// Valid-shaped hostile values for every input type of the schema: what a client can put in a variable.
// Most draws stay plausible (a real id, a small page) so the operation gets past coercion and reaches the
// resolvers and SQL; the rest are boundaries, overflows, control characters, NUL, lone surrogates, 1 MB
// strings, deep JSON, forged and foreign ids and cursors.

/** An id seen in a response to one of the campaign's callers (a row of that caller's tenant). */
export interface HarvestedId {
  id: string;
  typename: string;
  /** The caller label it was harvested as. */
  caller: string;
}

/** A cursor a connection returned; `coordinate` is the connection's `Type.field`. */
export interface HarvestedCursor {
  cursor: string;
  coordinate: string;
}

export interface Pools {
  ids: HarvestedId[];
  cursors: HarvestedCursor[];
  /** Types that implement Node (what a global id may name). */
  nodeTypes: string[];
  /** Members of the `_Entity` union (what a representation may name). */
  entityTypes: string[];
}

/** Who sends the value: the ids of its own credentials are left out (revoking them would end the campaign). */
export interface ValueContext {
  picker: Picker;
  pools: Pools;
  caller: string;
  /**
   * Strict cases keep every value within its type (Int32, a valid enum value, an ISO date, a page of 1–100,
   * a body under the limit), so the operation passes coercion and its hostile strings, ids, cursors and JSON
   * reach the resolvers and SQL; the others also send what coercion and the limits must refuse.
   */
  strict: boolean;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const MEGABYTE = 1_000_000;
/** Shared, not regenerated: strings of about 1 MB, some of which encode past the 1 MiB body limit. */
const bigStrings = [
  "a".repeat(MEGABYTE),
  "é".repeat(MEGABYTE / 2 + 50_000),
  `${"\u0000".repeat(10)}${"x".repeat(MEGABYTE - 10)}`,
  "\u0000".repeat(200_000),
  "\ud800".repeat(200_000),
  "𝔘".repeat(300_000),
];

const controlStrings = [
  "\u0000",
  "a\u0000b",
  "\u0001\u0002\u0003\u001f\u007f",
  "\t\n\r\u000b\u000c",
  "\u0085\u2028\u2029",
  "\ud800",
  "\udfff",
  "x\udc00y",
  "\udbff\udbff",
  "\uffff\ufffe",
  "\u200b\u200d\u202e\ufeff",
  "e\u0301\u0301\u0301",
  "🧪🏳️‍🌈",
];

const trickyStrings = [
  "",
  " ",
  "x",
  "plan",
  "'; drop table research_plan; --",
  "%_\\",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
  "${jndi:ldap://x}",
  "<script>alert(1)</script>",
  "null",
  "undefined",
  "[]",
  "{}",
  "NaN",
  "-1",
  "1e309",
  "0x7fffffff",
  "demo-org-acme",
  "demo-org-initech",
  "demo-user-alice",
  "alice@acme.test",
  "dave@initech.test",
  "a".repeat(256),
  "a".repeat(10_001),
];

/** Any UTF-16 code units, lone surrogates included. */
const codeUnitString = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 24 })
  .map((units) => String.fromCharCode(...units));

export function hostileString(picker: Picker, strict = false): string {
  return picker.weighted<string>([
    [18, () => picker.pick(trickyStrings)],
    [15, () => picker.pick(controlStrings)],
    [9, () => picker.from(codeUnitString)],
    [6, () => picker.from(fc.string({ unit: "binary", maxLength: 40 }))],
    // Rare (a case holds many strings); strict: the one big string whose body stays under the 1 MiB limit.
    [1, () => (strict ? (bigStrings[0] as string) : picker.pick(bigStrings))],
  ]);
}

const pageSizes = [0, 1, 2, 3, 5, 10, 20, 50, 100, 101, -1, 2147483647, -2147483648];
const boundaryInts = [0, 1, -1, 2, 5, 100, 1000, 32767, 32768, 65535, 2147483647, -2147483648, -2147483647];
/** Outside GraphQL's Int (32-bit) or not integers: coercion must refuse them with a code. */
const overflowingInts = [2147483648, -2147483649, 9007199254740991, 9007199254740994, 1e20, -1e20, 1.5, 1e308];
const floats = [
  0,
  -1,
  0.5,
  1,
  -0.000001,
  1e-320,
  5e-324,
  1e38,
  3.5e38,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  2147483648,
  9007199254740994,
];
const validDateTimes = [
  "2026-01-15T12:00:00Z",
  "2026-12-01T00:00:00.000Z",
  "2025-01-01T00:00:00+14:00",
  "1970-01-01T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z",
  "2026-01-01T00:00:00-12:00",
];
const dateTimes = [
  ...validDateTimes,
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "+010000-01-01T00:00:00Z",
  "2026-02-30T00:00:00Z",
  "2026-13-45T25:61:61Z",
  "1969-12-31T23:59:59.999999Z",
  "2026-06-01",
  "now",
  "infinity",
  "-infinity",
  "epoch",
];

/** Page sizes a connection accepts (1–100). */
export const validPageSizes = [1, 2, 3, 5, 10, 20, 50, 100];

function intValue(picker: Picker, name: string, strict: boolean): number {
  if (strict) return name === "first" || name === "last" ? picker.pick(validPageSizes) : picker.pick(boundaryInts);
  if (name === "first" || name === "last") {
    return picker.weighted([
      [8, () => picker.pick(pageSizes.slice(0, 7))],
      [2, () => picker.pick(pageSizes)],
      [1, () => picker.pick(overflowingInts)],
    ]);
  }
  return picker.weighted([
    [4, () => picker.int(0, 10)],
    [5, () => picker.pick(boundaryInts)],
    [1, () => picker.pick(overflowingInts)],
  ]);
}

/** JSON values: deep, wide, with NUL and lone surrogates in keys and values, and extreme numbers. */
export function hostileJson(picker: Picker, strict = false): unknown {
  return picker.weighted<unknown>([
    [4, () => picker.from(fc.jsonValue({ maxDepth: 3 }))],
    [3, () => ({ [picker.pick(controlStrings)]: picker.pick(controlStrings) })],
    [2, () => ({ nested: { value: hostileString(picker), list: [picker.pick(controlStrings), 1, null] } })],
    [2, () => deepJson(picker.pick([8, 64, 200, 1000, 2500]), picker.chance(0.5))],
    [1, () => picker.pick(floats)],
    [1, () => Array.from({ length: picker.pick([1000, 20_000]) }, (_, i) => i)],
    [1, () => ({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } })],
    [1, () => hostileString(picker, strict)],
  ]);
}

function deepJson(depth: number, objects: boolean): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = objects ? { d: value } : [value];
  return value;
}

/** A well-formed cursor (base64 of `DC:` and a tagged chunk) with values no list issues, or junk. */
const forgedCursorChunks = [
  'T:["S:x","S:y"]',
  'T:["N:1","S:00000000-0000-0000-0000-000000000000"]',
  'T:["D:99999999999999999","S:x"]',
  'T:["D:-8640000000000001","S:x"]',
  'T:["D:abc"]',
  'T:["S:2026-01-01T00:00:00Z","N:1"]',
  'T:["I:99999999999999999999999","S:x"]',
  'T:["O:{\\"a\\":1}","S:x"]',
  'T:["S:\\u0000","S:\\ud800"]',
  'T:["Z:","Z:"]',
  "T:[]",
  "T:{}",
  'T:["S:x","S:y","S:z"]',
  "N:2147483648",
  "N:NaN",
  "N:1e400",
  "D:0",
  "S:",
  "I:1",
  "O:[1,2]",
  "J:[1,2]",
  "Z:",
  "Q:unknown",
];

export function hostileCursor(context: ValueContext): string {
  const { picker, pools } = context;
  return picker.weighted<string>([
    [8, () => (pools.cursors.length > 0 ? picker.pick(pools.cursors).cursor : "")],
    [4, () => base64(`DC:${picker.pick(forgedCursorChunks)}`)],
    [1, () => base64(`GPC:${picker.pick(forgedCursorChunks)}`)],
    [1, () => base64(picker.pick(forgedCursorChunks))],
    [2, () => hostileString(picker)],
  ]);
}

/** Ids the caller may use as input: everything harvested, except the tokens it authenticates with. */
function usableIds(context: ValueContext) {
  return context.pools.ids.filter(
    (entry) => !(entry.typename === "PersonalAccessToken" && entry.caller === context.caller),
  );
}

export function hostileId(context: ValueContext): string {
  const { picker, pools } = context;
  const ids = usableIds(context);
  const rawOf = (globalId: string) => {
    const decoded = Buffer.from(globalId, "base64").toString("utf8");
    return decoded.includes(":") ? decoded.slice(decoded.indexOf(":") + 1) : decoded;
  };
  return picker.weighted<string>([
    // A real id: the caller's own, another tenant's, a public one.
    [10, () => (ids.length > 0 ? picker.pick(ids).id : "")],
    // A real row under another type's name.
    [3, () => (ids.length > 0 ? base64(`${picker.pick(pools.nodeTypes)}:${rawOf(picker.pick(ids).id)}`) : "")],
    // The raw database id, not a global id.
    [2, () => (ids.length > 0 ? rawOf(picker.pick(ids).id) : "")],
    // Well-formed global ids of rows that do not exist, with hostile raw parts.
    [3, () => base64(`${picker.pick(pools.nodeTypes)}:${hostileString(picker).slice(0, 200)}`)],
    [
      3,
      () =>
        picker.pick([
          base64("ResearchPlan:"),
          base64(":"),
          base64("NoSuchType:1"),
          base64("ResearchPlan"),
          base64("ResearchPlan:00000000-0000-0000-0000-000000000000"),
          base64(`ResearchPlan:${"9".repeat(40)}`),
          base64("ResearchPlan:-1"),
          base64("AiModel:model-gpt-4o-mini"),
          base64("Organization:demo-org-initech"),
          base64("User:demo-user-dave"),
          base64("__proto__:constructor"),
          "not base64!",
          "====",
          "demo-org-acme",
        ]),
    ],
    [1, () => hostileString(picker)],
  ]);
}

/** A federation representation: a known entity type with a real, foreign or forged key; or junk. */
export function hostileRepresentation(context: ValueContext): unknown {
  const { picker, pools } = context;
  const ids = usableIds(context);
  const typename = picker.pick(pools.entityTypes);
  return picker.weighted<unknown>([
    [6, () => ({ __typename: typename, id: ids.length > 0 ? picker.pick(ids).id : "x" })],
    [
      3,
      () => {
        const own = ids.filter((entry) => entry.typename === typename);
        return { __typename: typename, id: own.length > 0 ? picker.pick(own).id : hostileId(context) };
      },
    ],
    [3, () => ({ __typename: typename, id: hostileId(context) })],
    [2, () => ({ __typename: typename, id: picker.pick([1, null, true, [], {}, 2147483648]) })],
    [1, () => ({ __typename: picker.pick(["Query", "Mutation", "NoSuchType", "__Schema", "", "\u0000"]), id: "x" })],
    [1, () => ({ __typename: typename })],
    [1, () => hostileJson(picker)],
  ]);
}

/**
 * A value for an input of type `type`; `name` is the argument's or input field's name (cursors, ids and
 * page sizes are recognised by it). `undefined` means "leave it out" (only where that is allowed).
 */
/** Input objects nested deeper than this leave their optional object fields out. */
const maxInputDepth = 4;

function namedInput(type: GraphQLInputType): GraphQLInputType {
  if (type instanceof GraphQLNonNull || type instanceof GraphQLList) return namedInput(type.ofType);
  return type;
}

function isObjectInput(type: GraphQLInputType): boolean {
  return namedInput(type) instanceof GraphQLInputObjectType;
}

/**
 * Whether an optional field is left out at this depth: an input that nests itself (a filter's and/or/not)
 * does so once, and nothing goes deeper than maxInputDepth; otherwise the values multiply past memory.
 */
function leftOut(owner: GraphQLInputObjectType, fieldType: GraphQLInputType, depth: number): boolean {
  if (fieldType instanceof GraphQLNonNull || !isObjectInput(fieldType)) return false;
  return depth >= maxInputDepth || (depth >= 1 && namedInput(fieldType) === owner);
}

export function valueFor(
  type: GraphQLInputType,
  name: string,
  context: ValueContext,
  nullable = true,
  depth = 0,
): unknown {
  const { picker } = context;
  if (type instanceof GraphQLNonNull) return valueFor(type.ofType, name, context, false, depth);
  if (nullable && picker.chance(0.12)) return picker.chance(0.5) ? null : undefined;
  if (type instanceof GraphQLList) {
    // Input objects that nest themselves (filters' and/or/not) multiply every list below them: long lists only
    // of scalars near the top, short lists of input objects.
    const objects = isObjectInput(type.ofType);
    const length = picker.weighted<number>([
      [6, () => picker.int(0, 3)],
      [objects ? 0 : 2, () => picker.int(4, 12)],
      [context.strict || objects || depth > 1 ? 0 : 1, () => picker.pick([101, 1000, 1536])],
    ]);
    return Array.from({ length }, () => valueFor(type.ofType, name, context, true, depth) ?? null);
  }
  if (type instanceof GraphQLEnumType) {
    const values = type.getValues().map((value) => value.name);
    return context.strict || picker.chance(0.9)
      ? picker.pick(values)
      : picker.pick(["", "NOT_A_VALUE", values[0]?.toLowerCase()]);
  }
  if (type instanceof GraphQLInputObjectType) {
    const object: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (leftOut(type, field.type, depth)) continue;
      const value = valueFor(field.type, field.name, context, true, depth + 1);
      if (value !== undefined) object[field.name] = value;
    }
    return object;
  }
  if (type instanceof GraphQLScalarType) return scalarValue(type.name, name, context);
  throw new Error(`no value generator for ${String(type)}`);
}

function scalarValue(scalar: string, name: string, context: ValueContext): unknown {
  const { picker, strict } = context;
  if (name === "after" || name === "before") return hostileCursor(context);
  switch (scalar) {
    case "ID":
      return hostileId(context);
    case "Int":
      return intValue(picker, name, strict);
    case "Float":
      return strict || picker.chance(0.8) ? picker.pick(floats) : picker.pick([...overflowingInts, "1", true]);
    case "Boolean":
      return strict || picker.chance(0.9) ? picker.pick([true, false]) : picker.pick([0, "true"]);
    case "String":
      return hostileString(picker, strict);
    case "DateTime":
      if (strict) return picker.pick(validDateTimes);
      return picker.chance(0.7) ? picker.pick(dateTimes) : hostileString(picker);
    case "JSON":
      return hostileJson(picker, strict);
    case "_Any":
      return hostileRepresentation(context);
    default:
      return picker.chance(0.5) ? hostileString(picker, strict) : hostileJson(picker, strict);
  }
}
