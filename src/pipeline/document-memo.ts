import { type ASTNode, BREAK, type DocumentNode, type GraphQLSchema, visit } from "graphql";

// The page-size check and the cost estimate walk the operation before it runs. Their answer depends on the
// variables only through page sizes (first/last), list inputs that set a cost (ids/representations) and
// @skip/@include. A document that passes none of those as variables gets the same answer on every request,
// so it is worked out once per parsed document (Yoga's parser cache hands back the same DocumentNode for the
// same text) instead of on every request.

const variableSensitiveArguments = new Set(["first", "last", "ids", "representations"]);
const conditionalDirectives = new Set(["skip", "include"]);

function containsVariable(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Variable: () => {
      found = true;
      return BREAK;
    },
  });
  return found;
}

const variableFreeDocuments = new WeakMap<DocumentNode, boolean>();

/** True when no page size, cost-setting list or @skip/@include in the document is a variable. */
function sizesIgnoreVariables(document: DocumentNode): boolean {
  let free = variableFreeDocuments.get(document);
  if (free === undefined) {
    free = true;
    visit(document, {
      Argument: (node) => {
        if (variableSensitiveArguments.has(node.name.value) && containsVariable(node.value)) {
          free = false;
          return BREAK;
        }
        return undefined;
      },
      Directive: (node) => {
        if (conditionalDirectives.has(node.name.value) && containsVariable(node)) {
          free = false;
          return BREAK;
        }
        return undefined;
      },
    });
    variableFreeDocuments.set(document, free);
  }
  return free;
}

const answers = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, unknown>>>();

/**
 * `compute()`, remembered per schema, document, operation and `analysis` when the document's sizes ignore the
 * variables and `keep(answer)` says the answer may be reused (answers that depend on invalid variables may not).
 */
export function rememberedForDocument<T>(
  analysis: string,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  compute: () => T,
  keep: (answer: T) => boolean,
): T {
  if (!sizesIgnoreVariables(document)) return compute();
  let bySchema = answers.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    answers.set(schema, bySchema);
  }
  let byKey = bySchema.get(document);
  if (!byKey) {
    byKey = new Map();
    bySchema.set(document, byKey);
  }
  const key = `${analysis}\u0000${operationName ?? ""}`;
  if (byKey.has(key)) return byKey.get(key) as T;
  const answer = compute();
  if (keep(answer)) byKey.set(key, answer);
  return answer;
}
