// Hive Gateway plugin: an entity its subgraph resolved to null is null in the answer, without an error entry.
// The router holds the key fields the referencing subgraph returned; when the owning subgraph answers null
// (another tenant's row, or none), the router's own value completion finds the entity's non-null fields
// missing, nulls the entity and adds "Cannot return null for non-nullable field …". This moves those
// router-made entries to `extensions.valueCompletion`, as Apollo Gateway does; every other error stays.
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import type { ExecutionResult, GraphQLError } from "graphql";

const valueCompletion = /^Cannot return null for non-nullable field [_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*\.$/;

/** The router's own completion message, when the error or one of its causes is one (masking keeps the cause). */
function valueCompletionMessage(error: GraphQLError): string | undefined {
  let cause: unknown = error;
  while (cause instanceof Error) {
    if (valueCompletion.test(cause.message)) return cause.message;
    cause = (cause as { originalError?: unknown }).originalError;
  }
  return undefined;
}

function quietValueCompletion(result: ExecutionResult): ExecutionResult | undefined {
  const errors: GraphQLError[] = [];
  const completion: { message: string; path: GraphQLError["path"] }[] = [];
  for (const error of result.errors ?? []) {
    const message = valueCompletionMessage(error);
    if (message) completion.push({ message, path: error.path });
    else errors.push(error);
  }
  if (completion.length === 0) return undefined;
  return {
    ...result,
    errors: errors.length > 0 ? errors : undefined,
    extensions: { ...result.extensions, valueCompletion: completion },
  };
}

export function useUnresolvedEntitiesAsNull(): GatewayPlugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (Symbol.asyncIterator in result) return; // streamed results (defer, subscriptions) are left alone
        const quiet = quietValueCompletion(result);
        if (quiet) setResult(quiet);
      },
    }),
  };
}
