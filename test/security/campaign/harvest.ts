import {
  buildClientSchema,
  GraphQLEnumType,
  type GraphQLField,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLSchema,
  GraphQLUnionType,
  getIntrospectionQuery,
  getNamedType,
  type IntrospectionQuery,
} from "graphql";
import type { CampaignCaller } from "./callers.js";
import { send } from "./callers.js";
import type { HarvestedCursor, HarvestedId, Pools } from "./values.js";

// What the campaign starts from: the schema as the server introspects it, and real ids and cursors read by
// each tenant's member (so a value can be the caller's own, another tenant's, or from another connection).

export async function introspect(baseUrl: string): Promise<GraphQLSchema> {
  const reply = await send(baseUrl, null, { query: getIntrospectionQuery(), operationName: "IntrospectionQuery" });
  const data = reply.body?.data as IntrospectionQuery | undefined;
  if (!data) throw new Error(`introspection answered ${reply.status}: ${reply.text.slice(0, 300)}`);
  return buildClientSchema(data);
}

const isComposite = (type: unknown) =>
  type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType || type instanceof GraphQLUnionType;

function isConnection(type: unknown): type is GraphQLObjectType {
  return type instanceof GraphQLObjectType && type.name.endsWith("Connection") && "edges" in type.getFields();
}

const hasRequiredArgs = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((arg) => arg.type instanceof GraphQLNonNull && arg.defaultValue === undefined);

/**
 * A selection of ids, typenames and cursors: every connection below (first 3) down to the depth limit, and
 * the plain objects on the way. `depth` is the depth of the fields this selection holds (root fields are 1).
 */
function harvestSelection(schema: GraphQLSchema, type: unknown, depth: number, path: string[]): string {
  if (type instanceof GraphQLUnionType || type instanceof GraphQLInterfaceType) {
    const members = schema
      .getPossibleTypes(type)
      .map((member) => `... on ${member.name} { __typename ${"id" in member.getFields() ? "id" : ""} }`);
    return `{ __typename ${members.join(" ")} }`;
  }
  if (!(type instanceof GraphQLObjectType)) return "";
  const parts = ["__typename"];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (field.name === "id") parts.push("id");
    if (!isComposite(named) || hasRequiredArgs(field) || path.includes(named.name)) continue;
    if (isConnection(named)) {
      // edges (depth + 1), node (depth + 2), the node's fields (depth + 3) within MAX_DEPTH 8.
      if (depth + 3 > 8) continue;
      const node = getNamedType(named.getFields().edges?.type);
      const nodeType = node instanceof GraphQLObjectType ? getNamedType(node.getFields().node?.type) : undefined;
      parts.push(
        `${field.name}(first: 3) { edges { cursor node ${harvestSelection(schema, nodeType, depth + 3, [...path, named.name])} } }`,
      );
    } else if (depth + 1 <= 6) {
      parts.push(`${field.name} ${harvestSelection(schema, named, depth + 1, [...path, named.name])}`);
    }
  }
  return `{ ${parts.join(" ")} }`;
}

/** One harvest query per root query field that needs no arguments (per ordering, for ordered lists). */
function harvestQueries(schema: GraphQLSchema): string[] {
  const queries: string[] = [];
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const named = getNamedType(field.type);
    if (!isComposite(named) || hasRequiredArgs(field) || field.name.startsWith("_")) continue;
    if (isConnection(named)) {
      const nodeType = getNamedType(
        getNamedType(named.getFields().edges?.type) instanceof GraphQLObjectType
          ? (getNamedType(named.getFields().edges?.type) as GraphQLObjectType).getFields().node?.type
          : undefined,
      );
      const selection = `{ edges { cursor node ${harvestSelection(schema, nodeType, 4, [named.name])} } }`;
      queries.push(`{ ${field.name}(first: 10) ${selection} }`);
      // Lists with an ordering issue cursors of another shape per ordering: harvest each.
      const orderBy = field.args.find((arg) => arg.name === "orderBy");
      const order = orderBy ? getNamedType(orderBy.type) : undefined;
      const orderField =
        order instanceof GraphQLInputObjectType ? getNamedType(order.getFields().field?.type) : undefined;
      if (orderField instanceof GraphQLEnumType) {
        for (const value of orderField.getValues()) {
          queries.push(`{ ${field.name}(first: 5, orderBy: { field: ${value.name} }) { edges { cursor } } }`);
        }
      }
    } else {
      queries.push(`{ ${field.name} ${harvestSelection(schema, named, 2, [named.name])} }`);
    }
  }
  return queries;
}

/** Ids (with their typename) and cursors (with their connection) anywhere in a response's data. */
export function collect(
  value: unknown,
  found: { ids: { id: string; typename: string }[]; cursors: HarvestedCursor[] },
  parentType = "Query",
  fieldName = "",
): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, parentType, fieldName);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const object = value as Record<string, unknown>;
  const typename = typeof object.__typename === "string" ? object.__typename : undefined;
  if (typename && typeof object.id === "string") found.ids.push({ id: object.id, typename });
  if (Array.isArray(object.edges)) {
    for (const edge of object.edges) {
      const cursor = (edge as { cursor?: unknown } | null)?.cursor;
      if (typeof cursor === "string") found.cursors.push({ cursor, coordinate: `${parentType}.${fieldName}` });
    }
  }
  for (const [key, child] of Object.entries(object)) {
    if (key !== "__typename") collect(child, found, typename ?? parentType, key);
  }
}

export interface Harvest {
  pools: Pools;
  /** Every harvested id and the callers that saw it (an id seen by one member only is that tenant's row). */
  seenBy: Map<string, Set<string>>;
}

export async function harvest(baseUrl: string, schema: GraphQLSchema, members: CampaignCaller[]): Promise<Harvest> {
  const ids = new Map<string, HarvestedId>();
  const seenBy = new Map<string, Set<string>>();
  const cursors = new Map<string, HarvestedCursor>();
  for (const caller of members) {
    for (const query of harvestQueries(schema)) {
      const reply = await send(baseUrl, caller, { query });
      const found = { ids: [] as { id: string; typename: string }[], cursors: [] as HarvestedCursor[] };
      collect(reply.body?.data, found);
      for (const { id, typename } of found.ids) {
        if (!ids.has(id)) ids.set(id, { id, typename, caller: caller.label });
        const callers = seenBy.get(id) ?? new Set<string>();
        callers.add(caller.label);
        seenBy.set(id, callers);
      }
      for (const cursor of found.cursors) cursors.set(cursor.cursor, cursor);
    }
  }
  const nodeInterface = schema.getType("Node");
  const entity = schema.getType("_Entity");
  return {
    pools: {
      ids: [...ids.values()],
      cursors: [...cursors.values()],
      nodeTypes:
        nodeInterface instanceof GraphQLInterfaceType ? schema.getPossibleTypes(nodeInterface).map((t) => t.name) : [],
      entityTypes: entity instanceof GraphQLUnionType ? entity.getTypes().map((t) => t.name) : [],
    },
    seenBy,
  };
}
