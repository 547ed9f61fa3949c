import { type GraphQLSchema, isUnionType } from "graphql";
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
  const entityTypes = new Set(union.getTypes().map((type) => type.name));
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

function problemOf(representation: unknown, entityTypes: ReadonlySet<string>): string | undefined {
  if (typeof representation !== "object" || representation === null || Array.isArray(representation)) {
    return "is not an object";
  }
  const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
  if (typeof typename !== "string" || !entityTypes.has(typename)) {
    return `names no entity type in "__typename" (one of ${[...entityTypes].join(", ")})`;
  }
  // Every entity here is keyed by `id`, a string.
  if (typeof id !== "string") return `has no string "id"`;
  return undefined;
}
