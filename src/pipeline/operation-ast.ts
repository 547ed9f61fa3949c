import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  type GraphQLType,
  getDirectiveValues,
  getNamedType,
  type InlineFragmentNode,
  isObjectType,
  Kind,
} from "graphql";

// What the walks over an operation before it runs share (the cost estimate, the page-size check, the
// operation analysis's root fields): which selections execute, the fragments by name, Relay connections.

/** True when a false @include or a true @skip keeps the selection from executing with these variables. */
export function isSkipped(
  node: FieldNode | InlineFragmentNode | FragmentSpreadNode,
  variables: Record<string, unknown>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return true;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false;
}

/** The document's fragment definitions by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** A Relay connection type (edges and pageInfo): other fields may give `first` a meaning of their own. */
export function isConnectionType(type: GraphQLType): boolean {
  const named = getNamedType(type);
  if (!isObjectType(named)) return false;
  const fields = named.getFields();
  return "edges" in fields && "pageInfo" in fields;
}
