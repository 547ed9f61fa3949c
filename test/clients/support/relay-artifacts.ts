import {
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  valueFromASTUntyped,
} from "graphql";
import type { ConcreteRequest, NormalizationArgument, RequestParameters } from "relay-runtime";
import { sha256 } from "./operations.js";

// Relay's runtime reads and writes its store through artifacts that relay-compiler generates from `graphql`
// tags (__generated__/*.graphql.ts): a reader AST (the fragment), a normalization AST (the operation) and the
// request parameters (text, or a persisted id). The compiler is a separate binary we do not install; this
// does its job for the subset our test documents use (fields, aliases, arguments, variables; object types,
// no fragments), from the same text and the gateway's schema, so the runtime is exercised unchanged:
// fetchQuery, commitMutation, normalization by `id`. With `persisted`, the artifact carries the document's
// sha256 as `id` and no text, as the compiler's persist option writes it.

/** A field as both ASTs spell it. */
type PlainField =
  | { kind: "ScalarField"; alias: string | null; name: string; args: NormalizationArgument[] | null; storageKey: null }
  | {
      kind: "LinkedField";
      alias: string | null;
      name: string;
      args: NormalizationArgument[] | null;
      storageKey: null;
      concreteType: string;
      plural: boolean;
      selections: PlainField[];
    };

function fieldSelections(
  schema: GraphQLSchema,
  parent: GraphQLObjectType,
  selectionSet: SelectionSetNode,
): PlainField[] {
  return selectionSet.selections.map((selection) => {
    if (selection.kind !== Kind.FIELD) throw new Error("relay artifacts: only fields, no fragments");
    return fieldSelection(schema, parent, selection);
  });
}

function fieldSelection(schema: GraphQLSchema, parent: GraphQLObjectType, node: FieldNode): PlainField {
  const name = node.name.value;
  const definition = parent.getFields()[name];
  if (!definition) throw new Error(`relay artifacts: ${parent.name} has no field ${name}`);
  const args: NormalizationArgument[] = (node.arguments ?? []).map((argument) =>
    argument.value.kind === Kind.VARIABLE
      ? { kind: "Variable", name: argument.name.value, variableName: argument.value.name.value }
      : { kind: "Literal", name: argument.name.value, value: valueFromASTUntyped(argument.value) },
  );
  const common = { alias: node.alias?.value ?? null, name, args: args.length > 0 ? args : null, storageKey: null };
  if (!node.selectionSet) return { kind: "ScalarField", ...common };
  const named = getNamedType(definition.type);
  if (!isObjectType(named)) throw new Error(`relay artifacts: ${named.name} is abstract (needs __typename)`);
  return {
    kind: "LinkedField",
    ...common,
    concreteType: named.name,
    plural: isListType(getNullableType(definition.type)),
    selections: fieldSelections(schema, named, node.selectionSet),
  };
}

/** The ConcreteRequest relay-compiler would generate for `text` (one operation). */
export function relayRequest(
  schema: GraphQLSchema,
  text: string,
  options: { persisted?: boolean } = {},
): ConcreteRequest {
  const operation = parse(text).definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation?.name) throw new Error("relay artifacts: one named operation");
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root || operation.operation === "subscription") throw new Error("relay artifacts: queries and mutations");
  const name = operation.name.value;
  const argumentDefinitions = (operation.variableDefinitions ?? []).map((variable) => ({
    kind: "LocalArgument" as const,
    name: variable.variable.name.value,
    defaultValue: variable.defaultValue ? valueFromASTUntyped(variable.defaultValue) : null,
  }));
  const selections = fieldSelections(schema, root, operation.selectionSet);
  const common = { name, operationKind: operation.operation, metadata: {} };
  const params: RequestParameters = options.persisted
    ? { ...common, id: sha256(text), text: null }
    : { ...common, cacheID: sha256(text), id: null, text };
  return {
    kind: "Request",
    // The reader and normalization ASTs coincide for plain fields: the compiler emits the same objects for both.
    fragment: {
      kind: "Fragment",
      name,
      type: root.name,
      metadata: null,
      argumentDefinitions,
      selections,
      abstractKey: null,
    },
    operation: { kind: "Operation", name, argumentDefinitions, selections },
    params,
  };
}
