import { type ExecutionResult, GraphQLError, NoSchemaIntrospectionCustomRule } from "graphql";
import type { Plugin } from "graphql-yoga";

// What the schema tells a stranger. In production: no introspection (`__schema`, `__type`; `__typename` stays,
// routers and clients need it) and no "Did you mean …?" hints, which would spell out field, argument, type and
// enum names one guess at a time (graphql-js adds them to validation errors and to variable coercion errors).
// Development keeps both for GraphiQL and codegen.

const suggestion = /\s*Did you mean [^?]*\?/g;

function withoutSuggestion(error: Error): Error {
  suggestion.lastIndex = 0;
  if (!suggestion.test(error.message)) return error;
  suggestion.lastIndex = 0;
  if (!(error instanceof GraphQLError)) return new Error(error.message.replace(suggestion, ""));
  return new GraphQLError(error.message.replace(suggestion, ""), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

export function useProductionDisclosure(): Plugin[] {
  return [
    {
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
        return ({ result, setResult }) => {
          if (result.length > 0) setResult(result.map(withoutSuggestion));
        };
      },
      onExecute() {
        return {
          onExecuteDone({ result, setResult }) {
            if (Symbol.asyncIterator in result) return;
            const errors = (result as ExecutionResult).errors;
            if (errors?.length)
              setResult({
                ...(result as ExecutionResult),
                errors: errors.map((e) => withoutSuggestion(e) as GraphQLError),
              });
          },
        };
      },
    },
  ];
}
