import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { defaultPageSize } from "../platform/config/index.js";
import { OperationAnalysis } from "./operation-analysis.js";
import { isConnectionType, isSkipped } from "./operation-ast.js";

// The cost estimate the limits refuse on (maxCost) and the budgets take from the cost buckets.

/** How many items a list field may return, from its arguments (first/last, or the list it was given). */
function listSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  for (const name of ["first", "last"]) {
    const value = args[name];
    if (typeof value === "number") return Math.max(0, value);
  }
  for (const name of ["representations", "ids"]) {
    const value = args[name];
    if (Array.isArray(value)) return value.length;
  }
  return isConnectionType(field.type) ? defaultPageSize : 1;
}

/**
 * The operation's cost: the objects it may return. Every object-typed field costs 1 per item, times the
 * list sizes above it; scalars are free. A connection's page size is `first`/`last` (default 20) and
 * multiplies its `edges`/`nodes`; `_entities` and `nodes(ids)` count their inputs. Introspection is free.
 * Undefined when there is no such operation or the variables do not coerce (execution reports those).
 */
function estimateCost(analysis: OperationAnalysis): number | undefined {
  const { schema, definition: operation, fragments } = analysis;
  if (!operation) return undefined;
  const variables = analysis.variables();
  if (!variables) return undefined;
  const rootType =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!rootType) return undefined;

  const costOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    pageSize: number,
    visiting: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (isSkipped(selection, variables)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += costOf(selection.selectionSet, condition ?? parent, pageSize, visiting);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue; // validation refuses cycles and unknown fragments
        const condition = schema.getType(fragment.typeCondition.name.value) ?? parent;
        total += costOf(fragment.selectionSet, condition, pageSize, new Set([...visiting, name]));
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith("__")) continue;
      // On an abstract parent (Node, _Entity) without a type condition only __typename is selectable.
      if (!isObjectType(parent) || isAbstractType(parent)) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const named = getNamedType(field.type);
      if (isLeafType(named) || !selection.selectionSet) continue;
      let args: Record<string, unknown>;
      try {
        args = getArgumentValues(field, selection, variables);
      } catch {
        args = {};
      }
      let multiplier = 1;
      let childPageSize = pageSize;
      if (isConnectionType(named)) {
        childPageSize = listSize(field, args);
      } else if ((name === "edges" || name === "nodes") && isConnectionType(parent)) {
        multiplier = pageSize;
      } else if (isListType(getNullableType(field.type))) {
        multiplier = listSize(field, args);
      }
      total += multiplier * (1 + costOf(selection.selectionSet, named, childPageSize, visiting));
    }
    return total;
  };
  return costOf(operation.selectionSet, rootType, defaultPageSize, new Set());
}

/** The cost of the analysed operation (see estimateCost), worked out once per request. */
export function costOf(analysis: OperationAnalysis): number | undefined {
  return analysis.remember("cost", estimateCost, (answer) => answer !== undefined);
}

/** The cost of an operation of a document, with these variables (see estimateCost). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): number | undefined {
  return costOf(new OperationAnalysis(schema, document, operationName, rawVariables));
}
