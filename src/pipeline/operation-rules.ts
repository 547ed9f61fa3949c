import { GraphQLError, type ValidationRule } from "graphql";
import type { ErrorCode } from "../platform/errors.js";

/**
 * @defer/@stream would need the tenant transaction to outlive a single execution: refuse them up front with a
 * clear, coded error. (Subscriptions are served: each delivery executes in a transaction of its own,
 * src/pipeline/live-subscriptions.ts.)
 */
export const refuseUnsupportedOperations: ValidationRule = (context) => ({
  Directive(node) {
    if (node.name.value === "defer" || node.name.value === "stream") {
      context.reportError(
        new GraphQLError(`@${node.name.value} is not supported yet: request the fields without it.`, {
          nodes: [node],
          extensions: { code: "OPERATION_NOT_SUPPORTED" satisfies ErrorCode },
        }),
      );
    }
  },
});

const unknownIncrementalDirective = /^Unknown directive "@(defer|stream)"\.$/;

/**
 * The schema does not declare @defer/@stream, so graphql-js also reports them as unknown directives. The
 * rule above already says what is going on, with a code a client can act on: keep that error only.
 */
export function withoutUnknownIncrementalDirectives<E extends Error>(errors: readonly E[]): E[] {
  return errors.filter((error) => !unknownIncrementalDirective.test(error.message));
}
