import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { isGatewayError } from "../errors.js";

export interface ErrorLogger {
  error(details: Record<string, unknown>, message: string): void;
}

function unwrap(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? unwrap(error.originalError) : error;
}

/**
 * What a client may see of an error. Errors we meant to show (GatewayError, bad input the schema plugins
 * reject, GraphQL syntax and validation errors) keep their message with a code. Everything else — SQL,
 * constraint names, stack traces — becomes "Unexpected error." with the request id, and is logged in full.
 */
export function createErrorMasker(logger: ErrorLogger) {
  return (error: unknown, requestId: string | undefined): GraphQLError => {
    const original = unwrap(error);
    const path = error instanceof GraphQLError ? error.path : undefined;
    const nodes = error instanceof GraphQLError ? error.nodes : undefined;
    if (isGatewayError(original)) {
      return new GraphQLError(original.message, {
        nodes,
        path,
        extensions: { code: original.code, ...(original.details ?? {}) },
      });
    }
    if (original instanceof PothosValidationError) {
      return new GraphQLError(original.message, { nodes, path, extensions: { code: "BAD_USER_INPUT" } });
    }
    if (error instanceof GraphQLError && !error.originalError) {
      // Parse and validation errors, and errors the schema raised on purpose (coded scalars): already safe.
      return error;
    }
    logger.error(
      { err: original, requestId, path: path?.join(".") },
      "unexpected error while executing a GraphQL operation",
    );
    return new GraphQLError("Unexpected error.", {
      nodes,
      path,
      extensions: { code: "INTERNAL_SERVER_ERROR", ...(requestId ? { requestId } : {}) },
    });
  };
}
