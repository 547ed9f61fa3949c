import { type GraphQLObjectType, type GraphQLSchema, isUnionType } from "graphql";
import { GatewayError } from "../platform/errors.js";

// `_entities(representations:)` takes `_Any`: any JSON. Apollo's resolver throws a plain Error for a
// representation whose `__typename` names no type (an internal error, logged), and by then the loads of the
// representations before it have started and reject unobserved. Every representation is checked first,
// so a malformed call is the client's error and loads nothing.

/** Wraps the schema's `_entities` resolver with the check; the schema is returned for chaining. */
export function checkEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const union = schema.getType("_Entity");
  if (!field?.resolve || !isUnionType(union)) return schema;
  const entityTypes = new Map(union.getTypes().map((type) => [type.name, keyFieldsOf(type)]));
  const resolve = field.resolve;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((representation, index) => {
      const problem = problemOf(representation, entityTypes);
      if (problem) {
        throw new GatewayError("BAD_USER_INPUT", `Representation ${index} ${problem}.`, {
          argument: "representations",
          index,
        });
      }
    });
    return resolve(source, args, context, info);
  };
  return schema;
}

/** The key fields of an entity type (every key here is one field: `id`, or `databaseId` on Node types). */
function keyFieldsOf(type: GraphQLObjectType): string[] {
  // Pothos keeps directives either as a list or, normalized, as an object by name.
  const directives = type.extensions.directives as
    | { name: string; args: { fields?: unknown } }[]
    | Record<string, { fields?: unknown } | { fields?: unknown }[]>
    | undefined;
  const keys = Array.isArray(directives)
    ? directives.filter((d) => d.name === "key").map((d) => d.args)
    : [directives?.key ?? []].flat();
  return keys.map((key) => key.fields).filter((fields): fields is string => typeof fields === "string");
}

function problemOf(representation: unknown, entityTypes: ReadonlyMap<string, readonly string[]>): string | undefined {
  if (typeof representation !== "object" || representation === null || Array.isArray(representation)) {
    return "is not an object";
  }
  const fields = representation as Record<string, unknown>;
  const typename = fields.__typename;
  const keys = typeof typename === "string" ? entityTypes.get(typename) : undefined;
  if (!keys) return `names no entity type in "__typename" (one of ${[...entityTypes.keys()].join(", ")})`;
  // Every key is one string field.
  if (!keys.some((key) => typeof fields[key] === "string")) {
    return `has no string ${keys.map((key) => `"${key}"`).join(" or ")}`;
  }
  return undefined;
}
